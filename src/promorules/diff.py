"""What changed between two versions of a ruleset, and what it changes for real facts.

    promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]

:func:`semantic_diff` compares the parsed rulesets, not their text: expressions are compared
as syntax trees (so ``x>=3000`` and ``x >= 3000.0`` are the same), comments, key order and
YAML style are ignored. Rules are matched by decision and rule id at any depth, table rows
by id, tiers by id, facts, params and lists by name.

:func:`replay` runs recorded facts (one JSON object per line: ``{"decision": ...,
"facts": {...}, "as_of": ...}``) through both rulesets and counts the records whose outcome
or value changes, with the first few examples of each change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

import attrs

from .errors import FactError, PromorulesError, RulesetError, UnknownDecisionError
from .expressions import ast
from .facts import FactType, json_value, read_json
from .loader import parse_yaml
from .model import Decision, Expr, Param, Rule, RulesetModel, TableRow, ValueSpec
from .ruleset import Ruleset
from .text import Text

__all__ = [
    "Change",
    "DecisionReplay",
    "ReplayExample",
    "ReplayReport",
    "format_changes",
    "format_replay",
    "read_records",
    "replay",
    "replay_records",
    "semantic_diff",
]

ARROW = "→"


# -- changes -------------------------------------------------------------------------------


@attrs.frozen
class Change:
    """One semantic difference between two rulesets.

    ``kind`` is ``added``, ``removed`` or ``changed``; ``path`` names what changed (a
    decision ``merchant_eligibility``, a rule or table row ``merchant_eligibility.deposit``,
    a fact, param or list by its name, or a top-level key such as ``version``); ``section``
    groups changes for display (the decision id, or ``ruleset``, ``facts``, ``params``,
    ``lists``); ``aspect`` says which part of it changed (``check``, ``description.en``,
    ``default``...; empty for additions and removals). ``old`` and ``new`` are the two sides
    as text (None on the side where it does not exist); ``detail`` the readable difference
    (``buyer_protection_deposit >= 3000 → >= 5000``: only the part of an expression that
    changed); ``text`` one self-contained line:
    ``merchant_eligibility.deposit: buyer_protection_deposit >= 3000 → >= 5000``,
    ``param category_deposit_cny default 10000 → 20000``.
    """

    kind: str
    path: str
    old: str | None
    new: str | None
    text: str
    aspect: str = ""
    section: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "section": self.section, "path": self.path,
                "aspect": self.aspect, "old": self.old, "new": self.new,
                "detail": self.detail, "text": self.text}


# -- rendering helpers (shared with policy_docs) -------------------------------------------


def expr_text(expr: Expr | ast.Node | None) -> str:
    """Canonical text of an expression (its formatting in the YAML does not matter)."""
    if expr is None:
        return ""
    node = expr.node if isinstance(expr, Expr) else expr
    return ast.unparse(node)


def canon(node: ast.Node | Expr | None) -> Any:
    """A comparable form of an expression: positions dropped, numbers by value
    (``0.95`` equals ``0.950``), date-times by instant."""
    if node is None:
        return None
    if isinstance(node, Expr):
        node = node.node
    if isinstance(node, (ast.NumLit, ast.StrLit, ast.BoolLit, ast.DateLit)):
        return (type(node).__name__, node.value)
    if isinstance(node, ast.DateTimeLit):
        return ("DateTimeLit", node.value)
    if isinstance(node, ast.ListLit):
        return ("ListLit", tuple(canon(i) for i in node.items))
    if isinstance(node, ast.Name):
        return ("Name", node.id)
    if isinstance(node, ast.Call):
        return ("Call", node.func, tuple(canon(a) for a in node.args))
    if isinstance(node, ast.Unary):
        return ("Unary", node.op, canon(node.operand))
    if isinstance(node, (ast.Binary, ast.Compare)):
        return (type(node).__name__, node.op, canon(node.left), canon(node.right))
    return ("Between", canon(node.value), canon(node.low), canon(node.high))


def names_in(node: ast.Node | Expr | None) -> list[str]:
    """The names an expression reads, in order of first appearance."""
    out: dict[str, None] = {}

    def walk(n: ast.Node) -> None:
        if isinstance(n, ast.Name):
            out.setdefault(n.id)
        elif isinstance(n, ast.ListLit):
            for i in n.items:
                walk(i)
        elif isinstance(n, ast.Call):
            for a in n.args:
                walk(a)
        elif isinstance(n, ast.Unary):
            walk(n.operand)
        elif isinstance(n, (ast.Binary, ast.Compare)):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, ast.Between):
            walk(n.value)
            walk(n.low)
            walk(n.high)

    if node is not None:
        walk(node.node if isinstance(node, Expr) else node)
    return list(out)


def literal_text(value: Any) -> str:
    """A literal value of a ruleset (a table's ``then``, a case ``value``) as text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {literal_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def number_text(value: Any) -> str:
    """``10000`` -> ``10,000``; Decimals keep their places."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return literal_text(value)
    return format(value, ",") if isinstance(value, int) else format(value, ",f")


def rounding_text(rounding: Any) -> str:
    if rounding is None:
        return ""
    return f"{rounding.places} places, {rounding.mode}"


def spec_text(spec: ValueSpec | None) -> str:
    """A one-line summary of how a value is computed."""
    if spec is None:
        return "none"
    k = spec.kind
    if k == "literal":
        return literal_text(spec.literal)
    if k == "compute":
        return expr_text(spec.compute)
    if k == "cases":
        parts = [f"when {expr_text(c.when)}: {spec_text(c.value)}" for c in spec.cases]
        if spec.default is not None:
            parts.append(f"otherwise {spec_text(spec.default)}")
        return "; ".join(parts)
    if k == "collect":
        return "collect " + "; ".join(f"{spec_text(c.value)} if {expr_text(c.when)}"
                                      for c in spec.cases)
    if k == "lookup":
        text = f"lookup {expr_text(spec.key)} in " + literal_text(dict(spec.table))
        return text + (f" (default {spec_text(spec.default)})" if spec.default else "")
    if k == "fields":
        return "{" + ", ".join(f"{n}: {spec_text(f)}" for n, f in spec.fields.items()) + "}"
    if k == "tiers":
        text = "highest of " + " < ".join(t.id for t in spec.tiers)
        return text + (f" (default {spec_text(spec.default)})" if spec.default else "")
    if k == "table":
        text = (f"table ({spec.hit_policy}) on " + ", ".join(expr_text(i) for i in spec.inputs)
                + f": {len(spec.rows)} rows")
        return text + (f" (default {spec_text(spec.default)})" if spec.default else "")
    if k == "split":
        shares = ", ".join(f"{n} {v}%" for n, v in spec.parts)
        return f"split {expr_text(spec.compute)}: {shares} (round {rounding_text(spec.rounding)})"
    return k


def rule_summary(rule: Rule) -> str:
    """What a rule checks, in one line: ``check x >= 3000``, ``any of a, b``."""
    if rule.kind == "check":
        text = f"check {expr_text(rule.check)}"
    elif rule.kind in ("all", "any"):
        text = f"{rule.kind} of " + ", ".join(c.id for c in rule.children)
    elif rule.kind == "not":
        text = "not " + ", ".join(c.id for c in rule.children)
    elif rule.kind == "decision":
        text = f"decision {rule.decision}"
    else:
        text = f"tier {rule.decision}"
    if rule.applies_when is not None:
        text += f" (applies when {expr_text(rule.applies_when)})"
    if rule.severity != "error":
        text += f" [{rule.severity}]"
    return text


def raw_data(rs: Ruleset) -> Mapping[str, Any] | None:
    """The ruleset's YAML as plain data, re-read from its file when the file still holds
    exactly the text that was loaded (same digest); None otherwise.

    The model keeps a parameter's ``min: other_param`` relation only as a check, not as
    data; tools that show or compare it read it here.
    """
    path = rs.source
    try:
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest() != rs.digest:
        return None
    try:
        data = parse_yaml(text, path).data
    except RulesetError:
        return None
    return data if isinstance(data, Mapping) else None


def param_bounds(param: Param, raw: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """(min, max) of a parameter: numbers, or the name of another parameter."""
    lo: Any = param.type.minimum
    hi: Any = param.type.maximum
    if raw is not None:
        declared = (raw.get("params") or {}).get(param.name) or {}
        if isinstance(declared.get("min"), str):
            lo = declared["min"]
        if isinstance(declared.get("max"), str):
            hi = declared["max"]
    return lo, hi


# -- the semantic diff ---------------------------------------------------------------------


def _freeze(value: Any) -> Any:
    """A literal as a comparable value: mappings ignore key order, numbers compare by value."""
    if isinstance(value, Mapping):
        return ("{}", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("[]", tuple(_freeze(v) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    return value


def _spec_key(spec: ValueSpec | None) -> Any:
    """A comparable form of a value spec (paths and positions dropped)."""
    if spec is None:
        return None
    return (
        spec.kind, _freeze(spec.literal), canon(spec.compute),
        tuple((canon(c.when), _spec_key(c.value)) for c in spec.cases),
        _spec_key(spec.default), canon(spec.key), _freeze(dict(spec.table)),
        tuple((n, _spec_key(f)) for n, f in sorted(spec.fields.items())),
        tuple(t.id for t in spec.tiers), spec.hit_policy,
        tuple(canon(i) for i in spec.inputs),
        tuple((r.id, canon(r.when), _freeze(r.then)) for r in spec.rows),
        tuple((n, v) for n, v in spec.parts),
        None if spec.rounding is None else (spec.rounding.places, spec.rounding.mode),
    )


def focus(old: ast.Node | Expr | None, new: ast.Node | Expr | None) -> str:
    """The readable difference of two expressions: ``x >= 3000 → >= 5000`` when only a
    comparison's right side or operator changed, the parts that differ inside ``and`` /
    ``or`` / ``not``, the whole expressions otherwise."""
    if old is None or new is None:
        return f"{expr_text(old) or 'none'} {ARROW} {expr_text(new) or 'none'}"
    a = old.node if isinstance(old, Expr) else old
    b = new.node if isinstance(new, Expr) else new
    parts = _focus(a, b)
    if not parts or len(parts) > 3:
        return f"{expr_text(a)} {ARROW} {expr_text(b)}"
    return "; ".join(parts)


def _focus(a: ast.Node, b: ast.Node) -> list[str]:
    if canon(a) == canon(b):
        return []
    if isinstance(a, ast.Compare) and isinstance(b, ast.Compare) and (
            canon(a.left) == canon(b.left)):
        return [f"{_side(a, 'left')} {a.op} {_side(a, 'right')} {ARROW} {b.op} "
                f"{_side(b, 'right')}"]
    if isinstance(a, ast.Between) and isinstance(b, ast.Between) and (
            canon(a.value) == canon(b.value)):
        value = expr_text(ast.Between(a.value, _HOLE, _HOLE))
        value = value[: value.index(" between ")]
        return [f"{value} between {_bound(a.low)} and {_bound(a.high)} {ARROW} "
                f"between {_bound(b.low)} and {_bound(b.high)}"]
    if (isinstance(a, ast.Binary) and isinstance(b, ast.Binary) and a.op == b.op
            and a.op in ("and", "or")):
        return _focus(a.left, b.left) + _focus(a.right, b.right)
    if isinstance(a, ast.Unary) and isinstance(b, ast.Unary) and a.op == b.op == "not":
        return _focus(a.operand, b.operand)
    return [f"{expr_text(a)} {ARROW} {expr_text(b)}"]


_HOLE = ast.Name("\x00")


def _side(node: ast.Compare, which: str) -> str:
    """One side of a comparison as ``unparse`` writes it (with its parentheses)."""
    if which == "left":
        return expr_text(ast.Compare(node.op, node.left, _HOLE)).rsplit(f" {node.op} ", 1)[0]
    return expr_text(ast.Compare(node.op, _HOLE, node.right)).split(f" {node.op} ", 1)[1]


def _bound(node: ast.Node) -> str:
    text = expr_text(ast.Between(_HOLE, node, _HOLE))
    return text[text.index(" between ") + 9: text.rindex(" and ")]


@attrs.frozen
class _RuleAt:
    rule: Rule
    parent: str  # the group's id, or "requires" / "tiers"
    role: str  # "rule", "requires", "tier"


def _rules_of(decision: Decision) -> dict[str, _RuleAt]:
    """Every rule of a decision by id (the root group, whose id is the decision's, left
    out: it is compared as the decision's logic)."""
    out: dict[str, _RuleAt] = {}

    def add(rule: Rule, parent: str, role: str) -> None:
        key = rule.id if rule.id not in out else f"{role}:{rule.id}"
        out[key] = _RuleAt(rule, parent, role)
        for child in rule.children:
            add(child, rule.id, role)

    if decision.rule is not None:
        for child in decision.rule.children:
            add(child, decision.id, "rule")
    for rule in decision.requires:
        add(rule, "requires", "requires")
    for spec in _specs_of(decision):
        for tier in spec.tiers:
            add(tier, "tiers", "tier")
    return out


def _specs_of(decision: Decision) -> Iterator[ValueSpec]:
    def walk(spec: ValueSpec | None) -> Iterator[ValueSpec]:
        if spec is None:
            return
        yield spec
        for f in spec.fields.values():
            yield from walk(f)

    yield from walk(decision.value)
    yield from walk(decision.output)


def _groups_of(decision: Decision) -> dict[str, Rule]:
    out: dict[str, Rule] = {}

    def walk(rule: Rule) -> None:
        if rule.children:
            out.setdefault(rule.id, rule)
        for c in rule.children:
            walk(c)

    if decision.rule is not None:
        walk(decision.rule)
    for spec in _specs_of(decision):
        for tier in spec.tiers:
            walk(tier)
    return out


def _quote(text: str | None) -> str:
    return "none" if text is None else json.dumps(text, ensure_ascii=False)


def _kind_text(decision: Decision) -> str:
    return "pass/fail" if decision.kind == "passfail" else "value"


def _fact_type_text(ft: FactType) -> str:
    if ft.kind == "list":
        return f"list of {ft.item_kind}"
    return ft.kind


class _Differ:
    def __init__(self, old: Ruleset, new: Ruleset) -> None:
        self.o: RulesetModel = old.model
        self.n: RulesetModel = new.model
        self.o_raw = raw_data(old)
        self.n_raw = raw_data(new)
        self.changes: list[Change] = []

    # -- recording -------------------------------------------------------------------

    def added(self, section: str, path: str, what: str, summary: str) -> None:
        self.changes.append(Change("added", path, None, summary,
                                   f"{what} added: {path} ({summary})", "", section, summary))

    def removed(self, section: str, path: str, what: str, summary: str) -> None:
        self.changes.append(Change("removed", path, summary, None,
                                   f"{what} removed: {path} ({summary})", "", section, summary))

    def changed(self, section: str, path: str, aspect: str, old: Any, new: Any,
                *, key: Callable[[Any], Any] | None = None, show: Callable[[Any], str] = str,
                detail: str | None = None, subject: str | None = None,
                head: str | None = None, quoted: bool = False) -> None:
        """Record a change of ``aspect`` when ``old`` and ``new`` differ (by ``key``).

        The change's text is ``head detail``; ``head`` defaults to ``subject aspect``
        (``subject`` to the path)."""
        k = key or (lambda v: v)
        if k(old) == k(new):
            return
        old_s = None if old is None else show(old)
        new_s = None if new is None else show(new)
        if detail is None:
            shown = _quote if quoted else (lambda t: "none" if t is None else t)
            detail = f"{shown(old_s)} {ARROW} {shown(new_s)}"
        if head is None:
            head = f"{subject if subject is not None else path} {aspect}".strip()
        self.changes.append(Change("changed", path, old_s, new_s, f"{head} {detail}",
                                   aspect, section, detail))

    def text_pair(self, section: str, path: str, aspect: str, old: Text | None,
                  new: Text | None, subject: str | None = None) -> None:
        for lang in ("en", "zh"):
            self.changed(section, path, f"{aspect}.{lang}" if aspect else lang,
                         None if old is None else old.get(lang),
                         None if new is None else new.get(lang), quoted=True, subject=subject)

    # -- the whole ruleset ---------------------------------------------------------------

    def run(self) -> list[Change]:
        o, n = self.o, self.n
        sec = "ruleset"
        self.changed(sec, "id", "", o.id, n.id, subject="id")
        self.changed(sec, "version", "", o.version, n.version, subject="version")
        self.text_pair(sec, "title", "", o.title, n.title, subject="title")
        self.text_pair(sec, "description", "", o.description, n.description,
                       subject="description")
        self.changed(sec, "timezone", "", o.timezone.key, n.timezone.key, subject="timezone")
        iso: Callable[[Any], str] = lambda v: v.isoformat()  # noqa: E731
        self.changed(sec, "effective_from", "", o.effective_from, n.effective_from, show=iso,
                     subject="effective_from")
        self.changed(sec, "effective_until", "", o.effective_until, n.effective_until,
                     show=iso, subject="effective_until")
        self.sources()
        self.calendar()
        versions: Callable[[Any], str] = lambda log: ", ".join(  # noqa: E731
            str(e.get("version", "?")) for e in log) or "none"
        self.changed(sec, "changelog", "", list(o.changelog), list(n.changelog),
                     key=_freeze, show=versions, subject="changelog (versions)")
        self.facts()
        self.params()
        self.lists()
        self.decisions()
        return self.changes

    def sources(self) -> None:
        o, n = self.o.sources, self.n.sources
        for sid in [*o, *(s for s in n if s not in o)]:
            path = f"sources.{sid}"
            if sid not in n:
                self.removed("ruleset", path, "source", str(o[sid].get("file")))
            elif sid not in o:
                self.added("ruleset", path, "source", str(n[sid].get("file")))
            else:
                for key in ("file", "title"):
                    self.changed("ruleset", path, key, o[sid].get(key), n[sid].get(key),
                                 quoted=True)

    def calendar(self) -> None:
        o, n = self.o.calendar, self.n.calendar
        days: Callable[[Any], str] = lambda ds: ", ".join(  # noqa: E731
            str(d) for d in sorted(ds)) or "none"
        self.changed("ruleset", "calendar", "years", o.years, n.years, show=days)
        self.changed("ruleset", "calendar", "workdays", o.workdays, n.workdays, show=days)
        hols: Callable[[Any], str] = lambda hs: ", ".join(  # noqa: E731
            f"{d} {hs[d]}" for d in sorted(hs)) or "none"
        self.changed("ruleset", "calendar", "holidays", dict(o.holidays), dict(n.holidays),
                     show=hols)

    def facts(self) -> None:
        o, n = self.o.facts, self.n.facts
        for name in [*o, *(f for f in n if f not in o)]:
            if name not in n:
                self.removed("facts", name, "fact", _fact_type_text(o[name]))
                continue
            if name not in o:
                self.added("facts", name, "fact", _fact_type_text(n[name]))
                continue
            a, b = o[name], n[name]
            subject = f"fact {name}"
            self.changed("facts", name, "type", _fact_type_text(a), _fact_type_text(b),
                         subject=subject)
            for aspect in ("currency", "unit"):
                self.changed("facts", name, aspect, getattr(a, aspect), getattr(b, aspect),
                             subject=subject)
            for aspect, attr in (("min", "minimum"), ("max", "maximum"), ("step", "step")):
                self.changed("facts", name, aspect, getattr(a, attr), getattr(b, attr),
                             subject=subject)
            if a.values != b.values:
                gone = [v for v in a.values if v not in b.values]
                new = [v for v in b.values if v not in a.values]
                notes = ([f"added {', '.join(new)}"] if new else []) + (
                    [f"removed {', '.join(gone)}"] if gone else [])
                if not notes:
                    notes = ["reordered"]
                self.changed("facts", name, "values", list(a.values), list(b.values),
                             show=literal_text, subject=subject,
                             detail=f"{literal_text(list(a.values))} {ARROW} "
                                    f"{literal_text(list(b.values))} ({'; '.join(notes)})")
            self.text_pair("facts", name, "description", a.description, b.description,
                           subject=subject)

    def params(self) -> None:
        o, n = self.o.params, self.n.params
        for name in [*o, *(p for p in n if p not in o)]:
            if name not in n:
                self.removed("params", name, "param", f"default {o[name].default}")
                continue
            if name not in o:
                self.added("params", name, "param", f"default {n[name].default}")
                continue
            a, b = o[name], n[name]
            subject = f"param {name}"
            self.changed("params", name, "type", a.type.kind, b.type.kind, subject=subject)
            self.changed("params", name, "currency", a.type.currency, b.type.currency,
                         subject=subject)
            self.changed("params", name, "default", a.default, b.default, subject=subject)
            if a.value != a.default or b.value != b.default:
                self.changed("params", name, "value in force", a.value, b.value,
                             subject=subject)
            (alo, ahi), (blo, bhi) = param_bounds(a, self.o_raw), param_bounds(b, self.n_raw)
            self.changed("params", name, "min", alo, blo, subject=subject)
            self.changed("params", name, "max", ahi, bhi, subject=subject)
            self.text_pair("params", name, "description", a.description, b.description,
                           subject=subject)
            self.changed("params", name, "source", a.source, b.source, quoted=True,
                         subject=subject)

    def lists(self) -> None:
        o, n = self.o.lists, self.n.lists
        for name in [*o, *(x for x in n if x not in o)]:
            if name not in n:
                self.removed("lists", name, "list", f"{len(o[name].items)} items")
                continue
            if name not in o:
                self.added("lists", name, "list", f"{len(n[name].items)} items")
                continue
            a, b = o[name], n[name]
            subject = f"list {name}"
            if _freeze(a.items) != _freeze(b.items):
                old_keys = [_freeze(i) for i in a.items]
                new_keys = [_freeze(i) for i in b.items]
                gone = [literal_text(i) for i, k in zip(a.items, old_keys, strict=True)
                        if k not in new_keys]
                new = [literal_text(i) for i, k in zip(b.items, new_keys, strict=True)
                       if k not in old_keys]
                notes = ([f"added {', '.join(new)}"] if new else []) + (
                    [f"removed {', '.join(gone)}"] if gone else [])
                self.changed("lists", name, "items", list(a.items), list(b.items),
                             key=_freeze, show=literal_text, subject=subject,
                             detail="; ".join(notes) or "reordered")
            self.text_pair("lists", name, "description", a.description, b.description,
                           subject=subject)
            self.changed("lists", name, "source", a.source, b.source, quoted=True,
                         subject=subject)

    # -- decisions -----------------------------------------------------------------------

    def decisions(self) -> None:
        o, n = self.o.decisions, self.n.decisions
        for did in [*o, *(d for d in n if d not in o)]:
            if did not in n:
                self.removed(did, did, "decision", self.decision_summary(o[did]))
            elif did not in o:
                self.added(did, did, "decision", self.decision_summary(n[did]))
            else:
                self.decision(o[did], n[did])

    @staticmethod
    def decision_summary(d: Decision) -> str:
        if d.kind == "passfail" and d.rule is not None:
            return "pass/fail, " + rule_summary(d.rule)
        return "value: " + spec_text(d.value)

    def decision(self, a: Decision, b: Decision) -> None:
        did = a.id
        self.changed(did, did, "kind", _kind_text(a), _kind_text(b))
        self.text_pair(did, did, "description", a.description, b.description)
        self.changed(did, did, "source", a.source, b.source, quoted=True)
        self.changed(did, did, "type", a.type, b.type)
        self.changed(did, did, "currency", a.currency, b.currency)
        self.changed(did, did, "round", a.rounding, b.rounding, show=rounding_text)
        if a.rule is not None and b.rule is not None:
            self.changed(did, did, "logic", a.rule.kind, b.rule.kind)
        self.rules(a, b)
        self.value_spec(did, did, "", a.value, b.value)
        self.value_spec(did, did, "output", a.output, b.output)

    def rules(self, a: Decision, b: Decision) -> None:
        did = a.id
        old, new = _rules_of(a), _rules_of(b)
        for rid in [*old, *(r for r in new if r not in old)]:
            path = f"{did}.{rid.partition(':')[2] or rid}"
            what = "tier" if (old.get(rid) or new[rid]).role == "tier" else "rule"
            if rid not in new:
                self.removed(did, path, what, rule_summary(old[rid].rule))
            elif rid not in old:
                self.added(did, path, what, rule_summary(new[rid].rule))
            else:
                self.rule(did, path, old[rid], new[rid])
        # the order of the rules that both versions have, inside each group
        old_groups, new_groups = _groups_of(a), _groups_of(b)
        for gid, group in old_groups.items():
            other = new_groups.get(gid)
            if other is None:
                continue
            mine = [c.id for c in group.children]
            theirs = [c.id for c in other.children]
            common_a = [c for c in mine if c in theirs]
            common_b = [c for c in theirs if c in mine]
            if common_a != common_b:
                path = did if gid == did else f"{did}.{gid}"
                self.changed(did, path, "order", common_a, common_b,
                             show=lambda ids: ", ".join(ids))

    def rule(self, did: str, path: str, a: _RuleAt, b: _RuleAt) -> None:
        ra, rb = a.rule, b.rule
        groups = ("all", "any", "not")
        if ra.kind == rb.kind == "check":
            self.changed(did, path, "check", ra.check, rb.check, key=canon, show=expr_text,
                         detail=focus(ra.check, rb.check), head=f"{path}:")
        elif ra.kind in groups and rb.kind in groups:
            self.changed(did, path, "kind", ra.kind, rb.kind)  # the group's logic
        elif ra.kind != rb.kind:
            self.changed(did, path, "rule", rule_summary(ra), rule_summary(rb))
        if ra.kind == rb.kind and ra.kind in ("decision", "tier"):
            self.changed(did, path, ra.kind, ra.decision, rb.decision)
        self.changed(did, path, "applies_when", ra.applies_when, rb.applies_when, key=canon,
                     show=expr_text, detail=focus(ra.applies_when, rb.applies_when))
        self.changed(did, path, "severity", ra.severity, rb.severity)
        if a.parent != b.parent:
            self.changed(did, path, "moved", a.parent, b.parent,
                         show=lambda p: f"in {p}", subject=f"{path}")
        self.text_pair(did, path, "description", ra.description, rb.description)
        self.changed(did, path, "source", ra.source, rb.source, quoted=True)

    def value_spec(self, did: str, path: str, label: str, a: ValueSpec | None,
                   b: ValueSpec | None) -> None:
        """Changes of a value spec; ``label`` prefixes the aspects ("" for the decision's
        value, "output", "field start"...)."""
        if _spec_key(a) == _spec_key(b):
            return

        def sub(part: str) -> str:
            return f"{label} {part}".strip()

        if a is None or b is None or a.kind != b.kind:
            self.changed(did, path, label or "value", a, b, key=_spec_key, show=spec_text)
            return
        k = a.kind
        if k == "literal":
            self.changed(did, path, label or "value", a.literal, b.literal, key=_freeze,
                         show=literal_text, detail=_literal_detail(a.literal, b.literal))
        elif k == "compute":
            self.changed(did, path, sub("formula"), a.compute, b.compute, key=canon,
                         show=expr_text, detail=focus(a.compute, b.compute))
        elif k == "split":
            self.changed(did, path, sub("amount"), a.compute, b.compute, key=canon,
                         show=expr_text)
            parts: Callable[[Any], str] = lambda ps: ", ".join(  # noqa: E731
                f"{n} {v}%" for n, v in ps)
            self.changed(did, path, sub("parts"), a.parts, b.parts, show=parts)
            self.changed(did, path, sub("round"), a.rounding, b.rounding, show=rounding_text)
        elif k in ("cases", "collect"):
            self.cases(did, path, label, a, b)
            self.value_spec(did, path, sub("default"), a.default, b.default)
        elif k == "lookup":
            self.changed(did, path, sub("lookup key"), a.key, b.key, key=canon,
                         show=expr_text)
            ta, tb = dict(a.table), dict(b.table)
            for entry in [*ta, *(e for e in tb if e not in ta)]:
                x, y = ta.get(entry), tb.get(entry)
                self.changed(did, path, sub(f"lookup[{entry}]"), x, y, key=_freeze,
                             show=literal_text, detail=_literal_detail(x, y)
                             if entry in ta and entry in tb else None)
            self.value_spec(did, path, sub("default"), a.default, b.default)
        elif k == "fields":
            for name in [*a.fields, *(f for f in b.fields if f not in a.fields)]:
                self.value_spec(did, path, sub(f"field {name}"), a.fields.get(name),
                                b.fields.get(name))
        elif k == "tiers":
            ids: Callable[[Any], str] = lambda ts: " < ".join(  # noqa: E731
                t.id for t in ts)
            self.changed(did, path, sub("tier order"), a.tiers, b.tiers,
                         key=lambda ts: [t.id for t in ts], show=ids)
            self.value_spec(did, path, sub("default"), a.default, b.default)
        elif k == "table":
            self.table(did, path, label, a, b)

    def cases(self, did: str, path: str, label: str, a: ValueSpec, b: ValueSpec) -> None:
        word = "case" if a.kind == "cases" else "item"

        def line(c: Any) -> str:
            return f"when {expr_text(c.when)}: {spec_text(c.value)}"

        def aspect(n: int, rest: str = "") -> str:
            return f"{label} {word} {n} {rest}".strip()

        ka = [(canon(c.when), _spec_key(c.value)) for c in a.cases]
        kb = [(canon(c.when), _spec_key(c.value)) for c in b.cases]
        if ka != kb and Counter(ka) == Counter(kb):  # the same cases in another order
            lines: Callable[[Any], str] = lambda cs: "; ".join(  # noqa: E731
                line(c) for c in cs)
            self.changed(did, path, f"{label} {word} order".strip(), a.cases, b.cases,
                         key=lambda cs: [(canon(c.when), _spec_key(c.value)) for c in cs],
                         show=lines)
            return
        for op, i1, i2, j1, j2 in SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            if op == "replace" and i2 - i1 == j2 - j1:
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    ca, cb = a.cases[i], b.cases[j]
                    same_when = canon(ca.when) == canon(cb.when)
                    if not same_when and _spec_key(ca.value) == _spec_key(cb.value):
                        self.changed(did, path, aspect(j + 1, "when"), ca.when, cb.when,
                                     key=canon, show=expr_text, detail=focus(ca.when, cb.when))
                    elif same_when:
                        self.value_spec(did, path,
                                        aspect(j + 1, f"(when {expr_text(cb.when)})"),
                                        ca.value, cb.value)
                    else:
                        self.changed(did, path, aspect(j + 1), ca, cb, key=lambda c: (
                            canon(c.when), _spec_key(c.value)), show=line)
                continue
            for i in range(i1, i2):
                self.changed(did, path, aspect(i + 1, "removed"), a.cases[i], None, show=line,
                             detail=line(a.cases[i]))
            for j in range(j1, j2):
                self.changed(did, path, aspect(j + 1, "added"), None, b.cases[j], show=line,
                             detail=line(b.cases[j]))

    def table(self, did: str, path: str, label: str, a: ValueSpec, b: ValueSpec) -> None:
        def sub(part: str) -> str:
            return f"{label} {part}".strip()

        self.changed(did, path, sub("hit policy"), a.hit_policy, b.hit_policy)
        self.changed(did, path, sub("inputs"), a.inputs, b.inputs,
                     key=lambda xs: [canon(x) for x in xs],
                     show=lambda xs: ", ".join(expr_text(x) for x in xs))
        same_inputs = [canon(x) for x in a.inputs] == [canon(x) for x in b.inputs]
        inputs = [expr_text(x) for x in b.inputs]
        ra = {r.id: r for r in a.rows}
        rb = {r.id: r for r in b.rows}

        def row_text(r: TableRow) -> str:
            return f"when {expr_text(r.when) or 'always'}: {literal_text(r.then)}"

        for rid in [*ra, *(r for r in rb if r not in ra)]:
            rpath = f"{did}.{rid}"
            if rid not in rb:
                self.removed(did, rpath, "table row", row_text(ra[rid]))
            elif rid not in ra:
                self.added(did, rpath, "table row", row_text(rb[rid]))
            else:
                x, y = ra[rid], rb[rid]
                detail = focus(x.when, y.when)
                if same_inputs and len(x.cells) == len(y.cells) == len(inputs):
                    cells = [f"{name}: {cell_text(c)} {ARROW} {cell_text(d)}"
                             for name, c, d in zip(inputs, x.cells, y.cells, strict=True)
                             if canon(c) != canon(d)]
                    detail = "; ".join(cells) or detail
                self.changed(did, rpath, "when", x.when, y.when, key=canon, show=expr_text,
                             detail=detail)
                self.changed(did, rpath, "then", x.then, y.then, key=_freeze,
                             show=literal_text, detail=_literal_detail(x.then, y.then))
                self.text_pair(did, rpath, "description", x.description, y.description)
                self.changed(did, rpath, "source", x.source, y.source, quoted=True)
        if a.hit_policy != "unique" or b.hit_policy != "unique":  # order matters
            common_a = [r.id for r in a.rows if r.id in rb]
            common_b = [r.id for r in b.rows if r.id in ra]
            self.changed(did, path, sub("row order"), common_a, common_b,
                         show=lambda ids: ", ".join(ids))
        self.value_spec(did, path, sub("default"), a.default, b.default)


def cell_text(cell: ast.Node | None) -> str:
    """A decision-table cell as written: ``-``, a value, a list, or ``>= 10``."""
    if cell is None:
        return "-"
    if isinstance(cell, ast.Compare):
        if cell.op == "==" and _plain(cell.right) is not None:
            return str(_plain(cell.right))
        if cell.op == "in" and isinstance(cell.right, ast.ListLit):
            items = [_plain(i) for i in cell.right.items]
            if all(i is not None for i in items):
                return "[" + ", ".join(str(i) for i in items) + "]"
        return f"{cell.op} {_side(cell, 'right')}"
    return expr_text(cell)


def _plain(node: ast.Node) -> str | None:
    """A literal as a table cell writes it: strings without quotes."""
    if isinstance(node, ast.StrLit):
        return node.value
    if isinstance(node, (ast.NumLit, ast.BoolLit, ast.DateLit, ast.DateTimeLit)):
        return expr_text(node)
    return None


def _literal_detail(old: Any, new: Any) -> str | None:
    """For two lists: the items added and removed (None: show both whole)."""
    if not (isinstance(old, (list, tuple)) and isinstance(new, (list, tuple))):
        return None
    ko, kn = [_freeze(v) for v in old], [_freeze(v) for v in new]
    added = [literal_text(v) for v, k in zip(new, kn, strict=True) if k not in ko]
    gone = [literal_text(v) for v, k in zip(old, ko, strict=True) if k not in kn]
    notes = ([f"added {', '.join(added)}"] if added else []) + (
        [f"removed {', '.join(gone)}"] if gone else [])
    return "; ".join(notes) or f"reordered: {literal_text(list(old))} {ARROW} " \
                               f"{literal_text(list(new))}"


def semantic_diff(old: Ruleset, new: Ruleset) -> list[Change]:
    """Every semantic difference from ``old`` to ``new`` (empty: they are equivalent).

    Ruleset metadata (version, title, sources, calendar, changelog), facts, params and
    lists come first, then each decision's changes in decision order.
    """
    return _Differ(old, new).run()


# -- replay --------------------------------------------------------------------------------


@attrs.frozen
class ReplayExample:
    """One record whose result changed: where it is, the facts that matter, both sides."""

    record: int  # 1-based: the line of the JSONL file (or the position in the iterable)
    decision: str
    facts: str
    old: str
    new: str

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.define
class DecisionReplay:
    """The replay of one decision: how many records it ran on and what changed."""

    decision: str
    evaluated: int = 0
    # (old outcome, new outcome) -> records; an outcome is pass/fail/unknown, "error"
    # (a FactError or other error) or "absent" (the ruleset has no such decision)
    outcome_changes: dict[tuple[str, str], int] = attrs.field(factory=dict)
    value_changes: int = 0  # same outcome, different value
    examples: list[ReplayExample] = attrs.field(factory=list)

    @property
    def changed(self) -> int:
        return sum(self.outcome_changes.values()) + self.value_changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "evaluated": self.evaluated,
            "changed": self.changed,
            "outcome_changes": [{"old": o, "new": n, "records": c}
                                for (o, n), c in self.outcome_changes.items()],
            "value_changes": self.value_changes,
            "examples": [e.to_dict() for e in self.examples],
        }


@attrs.define
class ReplayReport:
    """What replaying records through both rulesets changed."""

    records: int = 0
    changed_outcome: int = 0  # records with at least one decision whose outcome changed
    changed_value: int = 0  # records whose outcomes all stayed but a value changed
    decisions: dict[str, DecisionReplay] = attrs.field(factory=dict)

    @property
    def changed(self) -> int:
        return self.changed_outcome + self.changed_value

    def summary(self) -> str:
        """``1,204 of 10,000 records change outcome: merchant_eligibility pass → fail
        1,180, ...`` and, when values changed, a second line for them."""
        total = f"{self.records:,}"
        transitions = [(c, f"{d.decision} {o} {ARROW} {n} {c:,}")
                       for d in self.decisions.values()
                       for (o, n), c in d.outcome_changes.items()]
        transitions.sort(key=lambda t: -t[0])
        lines = [f"{self.changed_outcome:,} of {total} record{'s' * (self.records != 1)} "
                 f"change outcome" + (": " + ", ".join(t for _, t in transitions)
                                      if transitions else "")]
        values = [(d.value_changes, f"{d.decision} {d.value_changes:,}")
                  for d in self.decisions.values() if d.value_changes]
        if values:
            values.sort(key=lambda t: -t[0])
            lines.append(f"{self.changed_value:,} of {total} change only a value: "
                         + ", ".join(t for _, t in values))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "changed_outcome": self.changed_outcome,
                "changed_value": self.changed_value, "summary": self.summary(),
                "decisions": [d.to_dict() for d in self.decisions.values()]}


@attrs.frozen
class _Side:
    status: str  # pass / fail / unknown / error / absent
    value: Any = None
    failed: tuple[str, ...] = ()
    error: str | None = None
    error_fact: str | None = None
    result: Any = None  # the Result, for the facts of an example

    def show(self) -> str:
        if self.status in ("error", "absent"):
            return f"{self.status}: {self.error}"
        text = self.status
        if self.value is not None:
            text += f" = {literal_text(json_value(self.value))}"
        if self.failed:
            more = len(self.failed) - 3
            text += " (failed: " + ", ".join(self.failed[:3]) + (
                f" and {more} more" if more > 0 else "") + ")"
        return text


def _run(rs: Ruleset, decision: str, facts: Any, as_of: Any) -> _Side:
    if decision not in rs.decisions:
        return _Side("absent", error=f"{rs.id} {rs.version} has no decision '{decision}'")
    try:
        if not isinstance(facts, Mapping):
            raise FactError("the record's facts must be an object of fact names to values",
                            code="PR600")
        result = rs.evaluate(decision, facts, as_of=as_of)
    except UnknownDecisionError as e:
        return _Side("absent", error=str(e))
    except FactError as e:
        return _Side("error", error=f"FactError {e}", error_fact=e.fact)
    except PromorulesError as e:
        return _Side("error", error=f"{type(e).__name__} {e}")
    outcome = str(result.outcome)
    failed = result.failed_rule_ids if outcome == "fail" else ()
    return _Side(outcome, result.value, tuple(failed), result=result)


def _changed_rules(side: _Side) -> dict[str, tuple[str, ...]]:
    """Failed and unknown leaf rules of a result, with the facts they read."""
    if side.result is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    try:
        for node in (*side.result.failed, *side.result.unknown):
            out[f"{node.outcome}:{node.rule_id}"] = tuple(node.facts)
    except PromorulesError:  # pragma: no cover - building a trace does not raise
        return {}
    return out


def _facts_summary(old: Ruleset, new: Ruleset, decision: str, facts: Any, a: _Side,
                   b: _Side, limit: int = 4) -> str:
    """The facts behind a change: those read by the rules that came out differently."""
    if not isinstance(facts, Mapping):
        return "(no facts object)"
    ra, rb = _changed_rules(a), _changed_rules(b)
    names: dict[str, None] = {}
    for side in (a, b):
        if side.error_fact:
            names.setdefault(side.error_fact)
    differing = [key for key in dict.fromkeys([*ra, *rb]) if (key in ra) != (key in rb)]
    differing.sort(key=lambda k: not k.startswith("fail:"))  # failed rules first
    for key in differing:
        for name in (ra.get(key) or rb.get(key) or ()):
            names.setdefault(name)
    if not names:
        for rs in (new, old):
            compiled = rs.decisions.get(decision)
            if compiled is not None:
                for name in compiled.fact_names:
                    if name in facts:
                        names.setdefault(name)
    chosen = list(names)
    shown = [f"{n}={literal_text(json_value(facts.get(n))) if n in facts else 'missing'}"
             for n in chosen[:limit]]
    if len(chosen) > limit:
        shown.append(f"… {len(chosen) - limit} more")
    return ", ".join(shown) or "(no facts)"


def replay_records(old: Ruleset, new: Ruleset,
                   records: Iterable[tuple[int, Mapping[str, Any]]], *, max_examples: int = 3,
                   as_of: Any = None) -> ReplayReport:
    """:func:`replay` of records numbered by the caller (``(line number, record)`` pairs,
    as :func:`read_records` returns them): examples name records by those numbers."""
    report = ReplayReport()
    shared = [d for d in old.decisions if d in new.decisions]
    now = as_of if as_of is not None else dt.datetime.now(dt.UTC)
    seen_examples: dict[tuple[str, str], int] = {}
    for number, record in records:
        report.records += 1
        decision = record.get("decision")
        targets = shared if decision is None else [str(decision)]
        facts = record.get("facts", {})
        when = record.get("as_of") or now
        outcome_changed = value_changed = False
        for did in targets:
            stats = report.decisions.get(did)
            if stats is None:
                stats = report.decisions[did] = DecisionReplay(did)
            stats.evaluated += 1
            a, b = _run(old, did, facts, when), _run(new, did, facts, when)
            if a.status != b.status:
                key = (a.status, b.status)
                stats.outcome_changes[key] = stats.outcome_changes.get(key, 0) + 1
                outcome_changed = True
                label = f"{a.status} {ARROW} {b.status}"
            elif a.status == "error" and a.error != b.error:
                key = ("error", "error")
                stats.outcome_changes[key] = stats.outcome_changes.get(key, 0) + 1
                outcome_changed = True
                label = "error"
            elif a.value != b.value:
                stats.value_changes += 1
                value_changed = True
                label = "value"
            else:
                continue
            example_key = (did, label)
            if seen_examples.get(example_key, 0) < max_examples:
                seen_examples[example_key] = seen_examples.get(example_key, 0) + 1
                stats.examples.append(ReplayExample(
                    number, did, _facts_summary(old, new, did, facts, a, b), a.show(),
                    b.show()))
        if outcome_changed:
            report.changed_outcome += 1
        elif value_changed:
            report.changed_value += 1
    return report


def replay(old: Ruleset, new: Ruleset, records: Iterable[Mapping[str, Any]], *,
           max_examples: int = 3, as_of: Any = None) -> ReplayReport:
    """Evaluate each record with both rulesets and count what changes.

    A record is ``{"decision": ..., "facts": {...}, "as_of": ...}``; without ``decision``
    every decision both rulesets have is evaluated; without ``as_of`` both sides use the
    same instant (``as_of`` here, default: now when the replay starts). A record whose facts
    one version rejects is counted as an ``error`` outcome on that side, not raised.
    ``max_examples`` examples are kept per decision and kind of change.
    """
    return replay_records(old, new, enumerate(records, 1), max_examples=max_examples,
                          as_of=as_of)


def read_records(path: str) -> list[tuple[int, dict[str, Any]]]:
    """The records of a JSONL file with their line numbers; blank lines are skipped.

    Raises RulesetError located at ``file:line:column`` for invalid JSON (PR101) or a line
    that is not a record (PR600).
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise RulesetError(f"cannot read facts: {e}", code="PR100", source=path) from None
    out: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = read_json(line, "record", facts_key="facts")
        except FactError as e:
            raise RulesetError(e.message, code="PR101", source=path, line=number,
                               column=e.column or 1) from None
        problem = _record_problem(record)
        if problem:
            raise RulesetError(problem, code="PR600", source=path, line=number, column=1)
        out.append((number, record))
    return out


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return ('a record is a JSON object {"decision": ..., "facts": {...}, "as_of": ...}, '
                f"not {type(record).__name__}")
    if not isinstance(record.get("facts"), dict):
        return 'a record needs "facts": an object of fact names to values'
    if "decision" in record and not isinstance(record["decision"], str):
        return '"decision" must be a decision id (a string)'
    if record.get("as_of") is not None and not isinstance(record["as_of"], str):
        return '"as_of" must be an ISO date or date-time string'
    return None


# -- text ----------------------------------------------------------------------------------


_PAINT = {"+": "\033[32m", "-": "\033[31m", "~": "\033[33m", "h": "\033[1m"}
_MARK = {"added": "+", "removed": "-", "changed": "~"}




def format_changes(changes: Sequence[Change], old: Ruleset, new: Ruleset, *,
                   color: bool = False) -> str:
    """The changes as text, grouped by section (ruleset, facts, params, lists, then each
    decision) and by what changed, with ``+`` / ``-`` / ``~`` markers; a changed rule shows
    each changed part old and new."""

    def paint(style: str, text: str) -> str:
        return f"{_PAINT[style]}{text}\033[0m" if color else text

    head = f"{old.id} {old.version} {ARROW} {new.id} {new.version}: "
    if not changes:
        return head + "no semantic changes (the rulesets are equivalent)\n"
    n = len(changes)
    lines = [paint("h", head + f"{n} change{'s' * (n != 1)}")]
    sections: dict[str, list[Change]] = {}
    for c in changes:
        sections.setdefault(c.section, []).append(c)
    for section, items in sections.items():
        plain = section in ("ruleset", "facts", "params", "lists")
        lines.append("")
        lines.append(paint("h", section if plain else f"decision {section}"))
        by_path: dict[str, list[Change]] = {}
        for c in items:
            by_path.setdefault(c.path, []).append(c)
        for path, group in by_path.items():
            if group[0].kind != "changed":  # an addition or removal is one line
                c = group[0]
                mark = _MARK[c.kind]
                lines.append(paint(mark, f"  {mark} {c.text}"))
                continue
            if path == section:  # the decision itself: its own aspects, one per line
                for c in group:
                    lines.extend(_change_lines(c, paint, f"  ~ {c.aspect}: ", True))
                continue
            name = path if plain else path[len(section) + 1:]
            if len(group) == 1:
                c = group[0]
                first = f"  ~ {name} {c.aspect}: " if c.aspect else f"  ~ {name}: "
                lines.extend(_change_lines(c, paint, first, True))
                continue
            lines.append(paint("~", f"  ~ {name}"))
            for c in group:
                lines.extend(_change_lines(c, paint, f"      {c.aspect}: ", False))
    return "\n".join(lines) + "\n"


def _change_lines(c: Change, paint: Callable[[str, str], str], first: str,
                  mark: bool) -> list[str]:
    """``first`` then ``old → new`` on one line when short, else old and new on two lines
    below it."""
    style: Callable[[str], str] = (lambda t: paint("~", t)) if mark else (
        lambda t: t)
    if len(first) + len(c.detail) <= 100 and "\n" not in c.detail:
        return [style(first + c.detail)]
    pad = " " * (len(first) - len(first.lstrip()) + 4)
    return [style(first.rstrip()),
            paint("-", f"{pad}- {'none' if c.old is None else c.old}"),
            paint("+", f"{pad}+ {'none' if c.new is None else c.new}")]


def format_replay(report: ReplayReport) -> str:
    """The replay report as text: the summary, then each decision's changes with examples."""
    lines = ["", "replay: " + report.summary().replace("\n", "\n        ")]
    for stats in report.decisions.values():
        if not stats.changed:
            continue
        lines.append(f"  {stats.decision}: {stats.changed:,} of {stats.evaluated:,} change")
        for e in stats.examples:
            lines.append(f"    record {e.record}: {e.facts}")
            lines.append(f"      {e.old} {ARROW} {e.new}")
    return "\n".join(lines) + "\n"
