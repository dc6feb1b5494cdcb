"""Pipeline stage 5 (evidence): the numbers a trace shows for one node.

Gaps and thresholds of failed comparisons, the formula of a computed value with its
numbers, the parts of a split, and the public form of record values.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .compiler import DECIMAL_CONTEXT, NodeInfo

__all__ = ["compute_gap", "formula_text", "node_gap", "public_value", "relative_gap",
           "split_detail", "tidy"]


_ONE = Decimal(1)


# the usual exponents of amounts, tried first: as_tuple() (which builds the digits) is
# many times slower than same_quantum()
_QUANTA = ((-2, Decimal("0.01")), (0, _ONE), (-1, Decimal("0.1")))


def _exponent(value: Any) -> int:
    if value.__class__ is Decimal:
        for exp, quantum in _QUANTA:
            if value.same_quantum(quantum):
                return exp
        exponent = value.as_tuple().exponent
        return exponent if isinstance(exponent, int) else 0
    return 0


def _sub(a: Any, b: Any) -> Any:
    """``a - b``, exactly: Decimals in promorules' context, whatever the caller's."""
    if a.__class__ is Decimal or b.__class__ is Decimal:
        return DECIMAL_CONTEXT.subtract(a, b)
    return a - b


def _add(a: Any, b: Any) -> Any:
    if a.__class__ is Decimal or b.__class__ is Decimal:
        return DECIMAL_CONTEXT.add(a, b)
    return a + b


def tidy(value: Any, places: int = 2) -> Any:
    """Drop trailing zeros past ``places`` decimals: 95.0000 -> 95.00, 1.5992 unchanged."""
    if value.__class__ is not Decimal or not value.is_finite():
        return value
    exp = _exponent(value)
    if exp < -places:
        normal = value.normalize(DECIMAL_CONTEXT)
        nexp = normal.as_tuple().exponent
        if isinstance(nexp, int) and nexp > -places:
            return normal.quantize(_ONE.scaleb(-places, DECIMAL_CONTEXT),
                                   context=DECIMAL_CONTEXT)
        return normal
    return value


def compute_gap(op: str, values: tuple[Any, ...], step: Any) -> tuple[Any, Any]:
    """(gap, threshold) for a failed numeric comparison ``values[0] op values[1]``,
    computed in promorules' decimal context."""
    for v in values:
        if v is None or v.__class__ is bool:
            return None, None
    values = tuple(map(tidy, values))
    if step is None:
        step = _ONE.scaleb(min([_exponent(v) for v in values]), DECIMAL_CONTEXT)
    x = values[0]
    if op == "between":
        lo, hi = values[1], values[2]
        return (_sub(lo, x) if x < lo else _sub(x, hi)), (lo, hi)
    t = values[1]
    if op == ">=":
        gap = _sub(t, x)
    elif op == ">":
        gap = _add(_sub(t, x), step)
    elif op == "<=":
        gap = _sub(x, t)
    else:  # "<"
        gap = _add(_sub(x, t), step)
    return (gap if gap > 0 else None), t


def node_gap(info: NodeInfo, parts: tuple[Any, ...]) -> tuple[Any, Any, str | None, Any]:
    """(gap, threshold, detail, compared) of a failed check node, from what its detail
    function returned (``parts``)."""
    if info.compare_op == "contains_any":
        found = [w for w in parts[1] if parts[0] is not None and w in parts[0]]
        return None, None, "found: " + ", ".join(found), None
    if info.compare_op == "includes_all":
        have = set(parts[0] or ())
        return (None, None, "missing: " + ", ".join(str(r) for r in parts[1] if r not in have),
                None)
    gap, threshold = compute_gap(str(info.compare_op), parts, info.step)
    return gap, threshold, None, tidy(parts[0])


def relative_gap(gap: Any, threshold: Any, compared: Any = None) -> Decimal | None:
    """The gap as a fraction of the bound that was missed (in promorules' context)."""
    if gap is None:
        return None
    base = threshold
    if isinstance(threshold, tuple):  # between: the bound on the side of the value
        base = threshold[1] if compared is not None and compared > threshold[1] else threshold[0]
    try:
        if not base:
            return Decimal(gap)
        return DECIMAL_CONTEXT.abs(DECIMAL_CONTEXT.divide(Decimal(gap), Decimal(base)))
    except Exception:
        return None


def public_value(value: Any) -> Any:
    """A record value as handed to callers: fresh lists and dicts, never shared constants."""
    if isinstance(value, tuple):
        return [public_value(v) for v in value]
    if isinstance(value, (MappingProxyType, dict)):
        return {k: public_value(v) for k, v in value.items()}
    return value

def formula_text(node: Any, value_of: Callable[[str], Any], percent: frozenset[str]) -> str:
    """An expression with every name replaced by its value: ``19.99 × 8% ...``."""
    from .expressions import ast as x
    from .wording import display_number as show  # loaded with the first formula shown

    def percent_name(n: Any) -> str | None:
        return n.id if isinstance(n, x.Name) and n.id in percent else None

    def text(n: Any, parent: int = 0) -> str:
        if isinstance(n, x.Name):
            return show(value_of(n.id))
        if isinstance(n, x.Binary) and n.op in ("+", "-", "*", "/"):
            # a percent fact divided by 100 reads as a percentage: 8 / 100 -> 8%
            if n.op == "/" and isinstance(n.right, x.NumLit) and n.right.value == 100:
                name = percent_name(n.left)
                if name is not None:
                    return f"{show(value_of(name))}%"
                if isinstance(n.left, x.Binary) and n.left.op == "*":
                    name = percent_name(n.left.right)
                    if name is not None:
                        return f"{text(n.left.left, 2)} × {show(value_of(name))}%"
            prec = 1 if n.op in ("+", "-") else 2
            symbol = {"+": "+", "-": "−", "*": "×", "/": "÷"}[n.op]
            out = f"{text(n.left, prec)} {symbol} {text(n.right, prec + 1)}"
            return f"({out})" if prec < parent else out
        if isinstance(n, x.Call):
            return f"{n.func}(" + ", ".join(text(a) for a in n.args) + ")"
        return x.unparse(n)

    return text(node)


def split_detail(info: NodeInfo, value: Any, nodes: tuple[NodeInfo, ...],
                  fact_values: tuple[Any, ...], subs: tuple[Any, ...], as_of: Any) -> str:
    """``1,000.01 × 30% = 300.003 → 300.00; 1,000.01 − 300.00 = 700.01``."""
    assert info.detail is not None
    amount = info.detail(fact_values, subs, as_of)[0]

    from .wording import display_number as show  # amounts: Decimal or int
    parts = [nodes[c] for c in info.children]
    lines = []
    for part in parts[:-1]:
        exact = Decimal(amount) * Decimal(part.value_literal) / 100
        lines.append(f"{part.id}: {show(amount)} × {part.value_literal}% = {show(exact)} → "
                     f"{show(value[part.id])}")
    taken = " − ".join(show(value[p.id]) for p in parts[:-1])
    last = parts[-1].id
    lines.append(f"{last}: {show(amount)} − {taken} = {show(value[last])}")
    return "; ".join(lines)

