"""Pipeline stage 6: rendering a result for people (English and Chinese text).

The explanation says what was decided, then each failed rule, ranked with the smallest
relative gap first (the nearest misses are the most actionable), then rules that could not
be decided for lack of facts, then warnings. Each rule shows its description, the actual
values, what was expected, the gap and the source it encodes.

A Chinese explanation is written in one script (``zh_script``): the whole text, labels,
descriptions, citations, holiday names and the values it quotes, in Simplified characters
for ``"zh"``/``"zh-Hans"`` and in Traditional ones for ``"zh-Hant"``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .facts import display_value
from .rule_result import Outcome, RuleResult, node_parts
from .text import Text
from .wording import display_number, percent_text, with_unit
from .zh_script import in_script, resolve_lang

if TYPE_CHECKING:
    from .trace import Result

__all__ = ["explain"]

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "PASS", "fail": "FAIL", "unknown": "UNKNOWN", "not_applicable": "NOT APPLICABLE",
        "value": "value", "failed": "Failed rules", "unknown_rules": "Could not decide",
        "warnings": "Warnings", "actual": "actual", "expected": "expected", "gap": "gap",
        "source": "source", "missing": "missing facts", "threshold": "threshold",
        "as_of": "as of", "params": "parameters", "ruleset": "ruleset", "all_passed":
        "All {n} rules passed.", "one_passed": "The rule passed.", "found": "found",
        "some_passed": "{n} of {m} rules passed; the others did not decide the outcome.",
        ":": ": ", "missing_value": "missing", "tier_reached": "tier reached",
        "missing_items": "missing",
        "no_tier": "none of the tiers", "top_tier": "This is the highest tier.",
        "next_tier": "For {tier}, the next tier up, this is missing",
        "any_one": "(any one of these is enough)", "computed": "computed",
        "all_of": "all of these",
        "defaults": "not sent, default taken",
        "points": "{n} percentage points", "point": "{n} percentage point",
        "applied": "applied", "row": "row", "when": "when",
        "no_case": "no case applied", "items_of": "{n} of {m} items",
        "rows_matched": "rows matched", "decided_by": "decided by", "no_row": "no row matched",
        "list_sep": ", ",
    },
    "zh": {
        "pass": "通过", "fail": "不通过", "unknown": "无法判定", "not_applicable": "不适用",
        "value": "结果", "failed": "未通过的规则", "unknown_rules": "无法判定的规则",
        "warnings": "提示", "actual": "实际", "expected": "要求", "gap": "差距",
        "source": "依据", "missing": "缺少的事实", "threshold": "门槛",
        "as_of": "评估时间", "params": "参数", "ruleset": "规则集", "all_passed":
        "全部 {n} 条规则均通过。", "one_passed": "规则通过。", "found": "发现", ":": "：",
        "some_passed": "{m} 条规则中 {n} 条通过，其余规则不影响结果。",
        "missing_value": "缺失", "tier_reached": "达到的等级", "missing_items": "缺少",
        "no_tier": "未达到任何等级", "top_tier": "这是最高等级。",
        "next_tier": "距上一级 {tier} 还差", "any_one": "（满足其中任一项即可）",
        "all_of": "以下各项均需满足",
        "computed": "计算",
        "defaults": "未提供，采用默认值",
        "points": "{n} 个百分点", "point": "{n} 个百分点",
        "applied": "适用", "row": "行", "when": "条件",
        "no_case": "没有情形适用", "items_of": "共 {m} 项中的 {n} 项",
        "rows_matched": "命中的规则行", "decided_by": "决定结果的行", "no_row": "没有规则行命中",
        "list_sep": "、",
    },
}

_COLORS = {"pass": "\033[32m", "fail": "\033[31m", "unknown": "\033[33m",
           "not_applicable": "\033[2m", "bold": "\033[1m", "dim": "\033[2m", "reset": "\033[0m"}


def _rank(nodes: list[RuleResult]) -> list[RuleResult]:
    # Smallest relative gap first; rules without a numeric gap keep document order after them.
    with_gap = sorted((n for n in nodes if n.relative_gap is not None),
                      key=lambda n: n.relative_gap or 0)
    return with_gap + [n for n in nodes if n.relative_gap is None]


def _rule_block(node: RuleResult, lang: str, number: int | str, paint: Any) -> list[str]:
    lab = _LABELS[lang]
    colon = lab[":"]
    desc = node.description.get(lang) if isinstance(node.description, Text) else str(
        node.description)
    lines = [f"  {number}. {paint('bold', node.rule_id)} — {desc}"]
    if node.facts:
        def show(k: str) -> str:
            if node.actual.get(k) is None:
                return lab["missing_value"]
            return node.display.get(k, display_value(node.actual.get(k)))

        shown = "; ".join(f"{k} = {show(k)}" for k in node.facts)
        if node.subject and node.compared is not None and node.subject not in node.facts:
            # a computed left side (days_between(...), a sum): show its value too
            shown += f"; {node.subject} = {with_unit(node.compared, node.unit)}"
        lines.append(f"     {lab['actual']}{colon}{shown}")
    elif node.subject and node.compared is not None:
        # the compared value is computed (a derived value): show it
        lines.append(f"     {lab['actual']}{colon}{node.subject} = "
                     f"{with_unit(node.compared, node.unit)}")
    if node.expected:
        expected = node.expected
        threshold = node.threshold
        if threshold is not None and not isinstance(threshold, tuple):
            raw = format(threshold, "f") if isinstance(threshold, Decimal) else str(threshold)
            if raw in expected.split():  # the threshold is written out: add its unit
                if node.unit and expected.endswith(raw):
                    expected += "%" if node.unit == "%" else f" {node.unit}"
            elif (f"= {display_number(threshold)}" not in expected
                  and f"= {threshold}" not in expected):
                expected += f" (= {with_unit(threshold, node.unit)})"
        if isinstance(threshold, tuple) and node.unit == "%" and not expected.endswith("%"):
            expected += "%"  # between 2 and 5%
        lines.append(f"     {lab['expected']}{colon}{expected}")
    if node.gap is not None:
        gap = _gap_text(node.gap, node.unit, lang)
        if node.relative_gap is not None and node.threshold not in (None, 0) \
                and _relative_shown(node):
            gap += f" ({percent_text(node.relative_gap)})"
        lines.append(f"     {lab['gap']}{colon}{gap}")
    if node.detail:
        detail = node.detail if lang == "en" else _table_detail_zh(node.detail)
        if detail.startswith("found: "):
            detail = f"{lab['found']}{colon}{detail[len('found: '):]}"
        elif detail.startswith("missing: "):
            detail = f"{lab['missing_items']}{colon}{detail[len('missing: '):]}"
        lines.append(f"     {detail}")
    if node.source:
        lines.append(f"     {lab['source']}{colon}{node.source}")
    return lines


def _gap_text(gap: Any, unit: str | None, lang: str) -> str:
    """A gap with its unit; on a percent quantity, in percentage points (the gap between
    3% and 5% is 2 percentage points, never "2%", which reads as a share of 5%)."""
    if unit == "%":
        return _LABELS[lang]["point" if gap == 1 else "points"].format(n=display_number(gap))
    return with_unit(gap, unit)


def _relative_shown(node: RuleResult) -> bool:
    """Whether the gap is also shown relative to the threshold ("200.00 CNY (6.7%)").

    The rule: only for money and for plain numbers. Not for percent quantities (their gap
    is in percentage points: a percentage of a percentage misleads), not for integer facts
    or whole-number counts computed from them or from dates (an age of 17 against 18 is
    "1", not "1 (5.6%)"), and not for quantities with a unit other than a currency (years,
    days).
    """
    unit = node.unit
    if unit == "%":
        return False
    static = node_parts(node)[0]
    subject = static.subject
    if subject is not None and subject in static.facts:
        ft = static.fact_types[static.facts.index(subject)]
        return ft.kind == "money" or (ft.kind == "number" and not ft.unit)
    if unit:  # a computed quantity with a unit: money, whose unit is its currency
        return True
    # a computed number: a whole-number count (years_between, a sum of integer facts) is
    # an int; an amount or a ratio is a Decimal
    return not (isinstance(node.compared, int) and isinstance(node.gap, int))


def _applied(result: Result, lang: str) -> str | None:
    """Which case, table row(s) or collected item(s) gave a value decision its value."""
    lab = _LABELS[lang]
    parts = [c for c in result.trace.children
             if c.kind in ("case", "default", "row", "item") and c.outcome == "pass"]
    if not parts:
        return None
    colon = lab[":"]
    head = f"{lab['applied']}{colon}"
    first = parts[0]
    if first.kind == "default":
        return f"{head}default — {lab['no_case']}"
    if first.kind == "item":
        total = sum(1 for c in result.trace.children if c.kind == "item")
        ids = ", ".join(p.rule_id for p in parts)
        counted = lab["items_of"].format(n=len(parts), m=total)
        return f"{head}{ids} ({counted})" if lang == "en" else f"{head}{ids}（{counted}）"
    shown = []
    for p in parts:
        name = f"{lab['row']} {p.rule_id}" if p.kind == "row" else p.rule_id
        when = node_parts(p)[0].when
        shown.append(f"{name} — {lab['when']} {when}" if when else name)
    return head + "; ".join(shown)


def explain(result: Result, lang: str = "en", *, color: bool = False) -> str:
    """Render ``result`` as text in ``lang``: "en", or Chinese in one script, "zh" and
    "zh-Hans" Simplified, "zh-Hant" Traditional (another ``lang``: PromorulesError PR010)."""
    lang, script = resolve_lang(lang)
    text = _render(result, lang, color)
    return text if script is None else in_script(text, script)


def _render(result: Result, lang: str, color: bool) -> str:
    """The explanation in ``lang`` ("en" or "zh"), Chinese text as the ruleset wrote it."""
    lab = _LABELS[lang]

    def paint(style: str, text: str) -> str:
        return f"{_COLORS[style]}{text}{_COLORS['reset']}" if color else text

    trace = result.trace
    outcome = str(result.outcome)
    title = trace.description.get(lang)
    head = f"{paint('bold', result.decision)}{lab[':']}{paint(outcome, lab[outcome])}"
    lines = [head, title]
    if result.value is not None:
        lines.append(f"{lab['value']}{lab[':']}{display_value(result.value)}")
        applied = _applied(result, lang)
        if applied:
            lines.append(applied)
    colon = lab[":"]
    meta = f"{lab['ruleset']}{colon}{result.ruleset_id} {result.ruleset_version}"
    if trace.source:
        meta += f" · {lab['source']}{colon}{trace.source}"
    lines.append(paint("dim", meta))
    if result.as_of is not None:  # the decision reads the time, or as_of was given
        tz = result.timezone
        shown = result.as_of.astimezone(tz).isoformat()
        name = getattr(tz, "key", None)
        if name:
            shown += f" ({name})" if lang == "en" else f"（{name}）"
        lines.append(paint("dim", f"{lab['as_of']}{colon}{shown}"))
    seen = _Walk(trace, result.params)
    lines += [line for line in (_rows_line(t, lang) for t in seen.tables) if line]
    failed = _rank(list(result.failed))
    if failed:
        lines += ["", paint("fail", f"{lab['failed']} ({len(failed)})") + lab[":"].strip()]
        for i, node in enumerate(failed, 1):
            lines += _rule_block(node, lang, i, paint)
    # the trace's root has the result's outcome: only an unknown one has unknown rules
    unknown = list(result.unknown) if result.outcome == "unknown" else []
    if unknown:
        lines += ["", paint("unknown", f"{lab['unknown_rules']} ({len(unknown)})")
                  + lab[":"].strip()]
        for i, node in enumerate(unknown, 1):
            lines += _rule_block(node, lang, i, paint)
        if result.missing:
            lines.append(f"  {lab['missing']}{lab[':']}{', '.join(result.missing)}")
    warnings = seen.warnings
    if warnings:
        lines += ["", paint("unknown", f"{lab['warnings']} ({len(warnings)})")
                  + lab[":"].strip()]
        for i, node in enumerate(warnings, 1):
            lines += _rule_block(node, lang, i, paint)
    if result.outcome == "pass" and not warnings:
        rules = seen.rules
        passed = seen.passed
        if rules and result.value is None:
            if passed < rules:
                text = lab["some_passed"].format(n=passed, m=rules)
            else:
                text = lab["all_passed"].format(n=passed) if passed > 1 else lab["one_passed"]
            lines += ["", text]
    lines += _tier_section(seen.tiers, result, lang, paint)
    lines += _formula_section(trace, seen.formulas, lang)
    defaults = result.defaults
    if defaults:
        lines += ["", f"{lab['defaults']}{lab[':']}" + ", ".join(
            f"{k} = {display_value(v)}" for k, v in defaults.items())]
    used = seen.params
    if used:
        lines += ["", f"{lab['params']}{lab[':']}" + ", ".join(
            f"{k} = {display_number(v)}" for k, v in used.items())]
    return "\n".join(lines) + "\n"


def _rows_line(table: RuleResult, lang: str) -> str | None:
    """``rows matched: row_1, row_3; decided by: row_1`` for a decision table (None: an
    unknown table with no row known to match: its unknown rows are listed below)."""
    lab = _LABELS[lang]
    colon, sep = lab[":"], lab["list_sep"]
    matched = table.matched or ()
    prefix = "" if table.kind == "value" else f"{table.rule_id}{colon}"
    if not matched:
        return None if table.outcome == "unknown" else prefix + lab["no_row"]
    if not prefix and len(matched) == 1 and tuple(table.decided_by or ()) == tuple(matched):
        return None  # the decision's "applied: row ... when ..." line already says it
    line = f"{prefix}{lab['rows_matched']}{colon}{sep.join(matched)}"
    if table.decided_by:
        line += ("；" if lang == "zh" else "; ") + (
            f"{lab['decided_by']}{colon}{sep.join(table.decided_by)}")
    return line


def _zh_any(m: re.Match[str]) -> str:
    return f"规则行 {m[1].replace(' and ', ' 与 ')} 同时命中但输出不同（命中策略 any）"


def _zh_unique(m: re.Match[str]) -> str:
    return f"规则行 {m[1].replace(' and ', ' 与 ')} 同时命中（命中策略 unique）"


def _zh_values(m: re.Match[str]) -> str:
    column = f"输出 {m[3]} " if m[3] else "输出"
    return f"规则行 {m[1]} 得出 {m[2]}，不在{column}的取值（{m[4]}）之内"


def _zh_none(m: re.Match[str]) -> str:
    return "没有规则行命中"


_ZH_DETAILS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^rows (.+) both match with different outputs \(hit policy any\)$"), _zh_any),
    (re.compile(r"^rows (.+) (?:both|all) match \(hit policy unique\)$"), _zh_unique),
    (re.compile(r"^row (\S+) gives (.+), not one of the values of (?:output (\S+)|the output) "
                r"\((.*)\)$"), _zh_values),
    (re.compile(r"^no row matches$"), _zh_none),
)


def _table_detail_zh(detail: str) -> str:
    """A decision table's trace detail (written in English) in Chinese."""
    for pattern, words in _ZH_DETAILS:
        m = pattern.match(detail)
        if m:
            return words(m)
    return detail


def _tier_section(tiers: list[RuleResult], result: Result, lang: str, paint: Any
                  ) -> list[str]:
    """Which tier was reached and, for the next tier up, what is missing and by how much
    (``tiers``: the tiers among the trace's top-level children), following the any/all
    structure of the tier's rule at every depth."""
    if not tiers or result.outcome != "pass":
        return []
    lab = _LABELS[lang]
    colon = lab[":"]
    reached = next((i for i, t in enumerate(tiers) if t.rule_id == result.value), -1)
    lines = ["", f"{lab['tier_reached']}{colon}"
             + (tiers[reached].rule_id if reached >= 0 else lab["no_tier"])]
    if reached == len(tiers) - 1:
        lines.append(lab["top_tier"])
        return lines
    nxt = tiers[reached + 1]
    head = lab["next_tier"].format(tier=nxt.rule_id)
    need = _need(nxt)
    if isinstance(need, _Group) and need.kind == "any":
        lines.append(paint("unknown", head + " " + lab["any_one"]) + colon.strip())
    else:
        lines.append(paint("unknown", head) + colon.strip())
    parts = need.parts if isinstance(need, _Group) else [need]
    for i, part in enumerate(parts, 1):
        lines += _need_lines(part, lang, str(i), paint, nxt.rule_id)
    return lines


class _Group:
    """What is missing under an ``all`` or ``any`` rule: its missing parts (each a leaf
    rule or another group of the other kind)."""

    __slots__ = ("kind", "node", "parts")

    def __init__(self, kind: str, node: RuleResult, parts: list[_Need]) -> None:
        self.kind, self.node, self.parts = kind, node, parts


_Need = RuleResult | _Group


def _need(node: RuleResult) -> _Need:
    """What is missing for ``node`` (a rule that failed or is unknown) to hold: a leaf,
    or an ``all`` group (each part is needed; ranked, nearest miss first) or an ``any``
    group (any one part is enough; in rule order). A group inside a group of the same kind
    is merged into it, a group with one missing part is that part, and a reference to
    another decision (``decision: X``, also as a tier's whole rule) stands for X's rule."""
    kids = [c for c in node.children if c.outcome in ("fail", "unknown")]
    kind = node.group or node.kind  # a tier: the kind of its rule
    if not kids or kind in ("check", "not"):
        return node
    if kind not in ("all", "any"):  # a decision reference: its decision's rule
        return _need(kids[0]) if len(kids) == 1 else _Group("all", node, [
            _need(k) for k in kids])
    parts: list[_Need] = []
    for kid in kids:
        sub = _need(kid)
        if isinstance(sub, _Group) and sub.kind == kind:
            parts += sub.parts
        else:
            parts.append(sub)
    if len(parts) == 1:
        return parts[0]
    if kind == "all":
        parts = _rank_needs(parts)
    return _Group(kind, node, parts)


def _rank_needs(parts: list[_Need]) -> list[_Need]:
    """The leaves ranked nearest miss first, then the groups in rule order."""
    leaves: list[_Need] = list(_rank([p for p in parts if not isinstance(p, _Group)]))
    return leaves + [p for p in parts if isinstance(p, _Group)]


def _need_lines(need: _Need, lang: str, number: str, paint: Any, tier: str,
                depth: int = 0) -> list[str]:
    """The lines of one missing part, numbered ``number``; a group lists its parts below
    it, indented, numbered ``number.1``, ``number.2``..., and says how they combine."""
    pad = "  " * depth
    if not isinstance(need, _Group):
        return [pad + line for line in _tier_block(need, lang, number, paint, tier)]
    lab = _LABELS[lang]
    node = need.node
    how = lab["any_one"] if need.kind == "any" else f"({lab['all_of']})"
    if lang != "en" and need.kind == "all":
        how = f"（{lab['all_of']}）"
    gap = " " if lang == "en" else ""
    lines = [f"{pad}  {number}. {paint('bold', node.rule_id)} — "
             f"{node.description.get(lang)}{gap}{how}"]
    for j, part in enumerate(need.parts, 1):
        lines += _need_lines(part, lang, f"{number}.{j}", paint, tier, depth + 1)
    return lines


def _tier_block(node: RuleResult, lang: str, number: str, paint: Any, tier: str) -> list[str]:
    """A missing requirement of the next tier, with "X is N short of T" when numeric."""
    block = _rule_block(node, lang, number, paint)
    sentence = _short_of(node, lang, tier)
    if sentence:
        block.insert(len(block) - (1 if node.source else 0), f"     {sentence}")
    return block


def _short_of(node: RuleResult, lang: str, tier: str) -> str | None:
    """"monthly_gmv_usd 10,000.00 USD is 10,000.00 USD short of 20,000 for gold"."""
    if node.gap is None or node.threshold is None or isinstance(node.threshold, tuple):
        return None
    subject = node.subject or (node.facts[0] if node.facts else "value")
    actual = node.compared
    over = (node.expected or "").startswith("<")
    shown_actual = with_unit(actual, node.unit)
    gap = _gap_text(node.gap, node.unit, lang)
    threshold = with_unit(node.threshold, node.unit)
    if lang == "zh":
        verb = "超出" if over else "距"
        return f"{subject} 为 {shown_actual}，{verb} {tier} 所需的 {threshold} 差 {gap}"
    word = "over the" if over else "short of the"
    # a computed subject (gmv_90d_usd / 3) reads as an equation: "... / 3 = 10,000 USD is"
    named = subject.isidentifier()
    return (f"{subject}{' ' if named else ' = '}{shown_actual} is {gap} {word} {threshold} "
            f"needed for {tier}")


def _formula_section(trace: RuleResult, formulas: list[str], lang: str) -> list[str]:
    """How each computed value was computed, with its numbers."""
    if trace.kind == "value" and trace.detail and trace.outcome == "pass":
        formulas.append(trace.detail)  # a split shows its parts on the decision itself
    formulas = list(dict.fromkeys(formulas))
    if not formulas:
        return []
    lab = _LABELS[lang]
    text = "; ".join(formulas)
    if lang == "zh":
        from .calendar import HOLIDAY_ZH

        text = re.sub(r" \(skipping ([^)]*)\)", r"（跳过 \1）", text)
        text = text.replace(" weekend", " 周末")
        for en, zh in HOLIDAY_ZH.items():
            text = text.replace(en, zh)
    return ["", f"{lab['computed']}{lab[':']}" + text]


class _Walk:
    """What the explanation reads from the whole trace, gathered in one walk: failed
    warnings, the rules that applied (and how many passed), the formulas of computed
    values, the parameters the expected texts name, and the tiers among the root's
    children."""

    def __init__(self, trace: RuleResult, params: Mapping[str, Any]) -> None:
        self.warnings: list[RuleResult] = []
        self.rules = 0
        self.passed = 0
        self.formulas: list[str] = []
        self.params: dict[str, Any] = {}
        self.tiers: list[RuleResult] = []
        self.tables: list[RuleResult] = []  # decision tables (the root, when it is one)
        top = node_parts(trace)[2]
        stack = [trace]
        pop, extend = stack.pop, stack.extend
        while stack:  # depth first, like RuleResult.walk(), reading each node's parts once
            node = pop()
            static, outcome, children, detail = node_parts(node)
            if children:
                extend(reversed(children))
            kind = static.kind
            if kind in _TABLE_KINDS and node.matched is not None:
                self.tables.append(node)
            if kind == "tier" and any(node is c for c in top):
                self.tiers.append(node)
            if outcome is _FAIL and static.severity == "warning":
                self.warnings.append(node)
            if kind == "check":
                if outcome is not _NA:
                    self.rules += 1
                    self.passed += outcome is _PASS
            elif kind in _COMPUTED and detail and outcome is _PASS:
                self.formulas.append(detail)
            expected = static.expected
            if expected and params:
                words = _words(expected)
                if not words.isdisjoint(params):
                    for name in params:
                        if name in words:
                            self.params[name] = params[name]


_PASS, _FAIL, _NA = Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE
_COMPUTED = frozenset({"compute", "split", "case", "default"})
_TABLE_KINDS = frozenset({"table", "value"})  # a reference is another decision


@functools.lru_cache(maxsize=4096)
def _words(expected: str) -> frozenset[str]:
    """The names an expected text mentions (the texts are a ruleset's few constants)."""
    return frozenset(expected.replace("(", " ").replace(")", " ").split())
