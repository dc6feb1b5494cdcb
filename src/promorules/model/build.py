"""Pipeline stage 3, building: schema-valid plain data -> a frozen model of the ruleset.

Expressions are parsed here (located syntax errors), names are checked to be unique,
citations resolved, fact and parameter declarations checked for consistency, and parameter
overrides applied. Everything found is collected, not just the first problem.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ..calendar import WorkingCalendar
from ..errors import FactError, RulesetError
from ..expressions import ExpressionSyntaxError, parse
from ..facts import FactType, suggest
from ..loader import Document, Path
from ..text import Text
from .classes import (
    Case,
    Decision,
    Expr,
    ListDecl,
    Param,
    Rounding,
    Rule,
    RulesetModel,
    ValueSpec,
)
from .tables import TableBuilder

__all__ = ["build_model", "expression_offset"]



_GROUP_KEYS = ("all", "any", "not")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Builder(TableBuilder):
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.errors: list[RulesetError] = []
        self.tz: ZoneInfo = ZoneInfo("UTC")
        self.sources: dict[str, Mapping[str, str]] = {}

    def err(self, message: str, code: str, path: Path, **kw: Any) -> None:
        self.errors.append(self.doc.error(message, code, path, **kw))

    def text(self, value: Any) -> Text:
        return Text(en=str(value["en"]), zh=str(value["zh"]))

    def opt_text(self, value: Any) -> Text | None:
        return None if value is None else self.text(value)

    def citation(self, value: Any, path: Path) -> str | None:
        """A citation resolved to its document's file name; a list of citations (a rule that
        comes from several places) is resolved item by item and joined with "; "."""
        if value is None:
            return None
        if isinstance(value, list):
            cited = [self.citation(v, (*path, i)) for i, v in enumerate(value)]
            return "; ".join(c for c in cited if c)
        doc_id, _, section = str(value).partition(" ")
        source = self.sources.get(doc_id)
        if source is None:
            close = suggest(doc_id, self.sources)
            self.err(f"source '{doc_id}' is not declared under 'sources'"
                     + (f" (did you mean '{close}'?)" if close else ""), "PR307", path,
                     suggestion=close)
            return str(value)
        return f"{source['file']} {section.strip()}".strip()

    def expr(self, text: Any, path: Path) -> Expr | None:
        text = str(text)
        try:
            node = parse(text)
        except ExpressionSyntaxError as e:
            self.errors.append(self.doc.error(
                f"{e.message} in expression '{text}'", e.code, path,
                offset=self.doc_offset(path, text, e.pos)))
            return None
        return Expr(text, node, path)

    def doc_offset(self, path: Path, text: str, pos: int) -> tuple[int, int] | None:
        """(line delta, column delta) of ``pos`` in ``text`` relative to the scalar's mark."""
        return expression_offset(self.doc, path, text, pos)

    # -- declarations ------------------------------------------------------------------

    def fact(self, name: str, d: Mapping[str, Any], path: Path) -> FactType:
        kind = d["type"]
        minimum, maximum = d.get("min"), d.get("max")
        if kind == "percent":
            minimum = 0 if minimum is None else minimum
            maximum = 100 if maximum is None else maximum
        if minimum is not None and maximum is not None and minimum > maximum:
            self.err(f"fact '{name}': min {minimum} is above max {maximum}", "PR309", path)
        fact = FactType(
            name=name, kind=kind, description=self.opt_text(d.get("description")),
            unit=d.get("unit"), minimum=minimum, maximum=maximum, step=d.get("step"),
            currency=d.get("currency"), values=tuple(str(v) for v in d.get("values", ())),
            item_kind=d.get("items"), timezone=self.tz, monotone=d.get("monotone"),
            match=d.get("match", "exact"), unused=d.get("unused"),
        )
        if fact.match != "exact" and not (kind == "string" or d.get("items") == "string"):
            self.err(f"fact '{name}': match: {fact.match} applies to text only (a string fact "
                     "or a list of strings)", "PR309", (*path, "match"))
        default = d.get("default")
        if default is None:
            return fact
        if isinstance(default, list):
            default = tuple(default)  # as JSON sends a list; kept immutable
        try:
            fact.convert(default)  # the default is validated as any sent value is
        except FactError as e:
            self.err(f"fact '{name}': the default {default!r} is invalid: {e.message}",
                     "PR309", (*path, "default"))
            return fact
        return attrs.evolve(fact, default=default)

    def param(self, name: str, d: Mapping[str, Any], path: Path,
              override: object, has_override: bool) -> Param:
        # a bound may name another parameter: checked as a relation once all are known
        lo, hi = d.get("min"), d.get("max")
        ptype = FactType(name=name, kind=d["type"],
                         minimum=None if isinstance(lo, str) else lo,
                         maximum=None if isinstance(hi, str) else hi,
                         currency=d.get("currency"), timezone=self.tz, role="parameter")
        if ptype.minimum is not None and ptype.maximum is not None and (
            ptype.minimum > ptype.maximum
        ):
            self.err(f"parameter '{name}': min {ptype.minimum} is above max {ptype.maximum}",
                     "PR309", path)
        if d["type"] == "percent":
            ptype = attrs.evolve(ptype, minimum=d.get("min", 0), maximum=d.get("max", 100))
        citation = self.citation(d.get("source"), (*path, "source"))
        description = self.opt_text(d.get("description"))
        refs = (lo if isinstance(lo, str) else None, hi if isinstance(hi, str) else None)
        try:
            default = ptype.convert(d["default"])
        except FactError as e:  # the declared default is itself invalid
            self.err(f"parameter '{name}': the default is invalid: {e.message}", "PR309",
                     (*path, "default"))
            # keep the parameter (with a placeholder) so rules using it report nothing more
            return Param(name, ptype, 0, 0, description, citation, *refs)
        value = default
        if has_override:
            try:
                value = ptype.convert(override)
                if value is None:
                    raise FactError(f"parameter '{name}': a value is required (not null); "
                                    f"expected {ptype.expected}", fact=name)
            except FactError as e:
                self.errors.append(RulesetError(
                    e.message if e.message.startswith("parameter '")
                    else f"parameter '{name}' cannot be set to {override!r}: {e.message}",
                    code="PR502" if e.code == "PR603" else "PR501",
                    source=self.doc.source, path=("params", name)))
                value = default
        return Param(name, ptype, default, value, description, citation, *refs)

    # -- rules and values --------------------------------------------------------------

    def rule(self, d: Mapping[str, Any], path: Path, ids: dict[str, Path]) -> Rule:
        rid = str(d["id"])
        if rid in ids:
            line = self.doc.position(ids[rid])[0]
            self.err(f"rule id '{rid}' is used twice in this decision (also at line {line})",
                     "PR306", (*path, "id"))
        ids[rid] = (*path, "id")
        common = dict(
            id=rid, description=self.text(d["description"]),
            source=self.citation(d.get("source"), (*path, "source")), path=path,
            applies_when=(self.expr(d["applies_when"], (*path, "applies_when"))
                          if "applies_when" in d else None),
            severity=d.get("severity", "error"),
        )
        if "check" in d:
            return Rule(kind="check", check=self.expr(d["check"], (*path, "check")), **common)
        if "decision" in d:
            return Rule(kind="decision", decision=str(d["decision"]), **common)
        if "tier" in d:
            return Rule(kind="tier", decision=str(d["tier"]), **common)
        if "not" in d:
            return Rule(kind="not", children=(self.rule(d["not"], (*path, "not"), ids),),
                        **common)
        kind = "all" if "all" in d else "any"
        children = tuple(self.rule(c, (*path, kind, i), ids) for i, c in enumerate(d[kind]))
        return Rule(kind=kind, children=children, **common)

    def value_spec(self, d: Mapping[str, Any], path: Path) -> ValueSpec:
        if "compute" in d:
            return ValueSpec("compute", path, compute=self.expr(d["compute"], (*path, "compute")))
        if "cases" in d:
            cases = tuple(self.case(c, (*path, "cases", i)) for i, c in enumerate(d["cases"]))
            default = None
            if "default" in d:
                default = ValueSpec("literal", (*path, "default"), literal=d["default"])
            elif "default_compute" in d:
                default = ValueSpec("compute", (*path, "default_compute"), compute=self.expr(
                    d["default_compute"], (*path, "default_compute")))
            return ValueSpec("cases", path, cases=cases, default=default)
        if "lookup" in d:
            lk = d["lookup"]
            default = (ValueSpec("literal", (*path, "lookup", "default"), literal=lk["default"])
                       if "default" in lk else None)
            return ValueSpec("lookup", path, key=self.expr(lk["key"], (*path, "lookup", "key")),
                             table=dict(lk["table"]), default=default)
        if "collect" in d:
            items = tuple(self.case(c, (*path, "collect", i)) for i, c in enumerate(d["collect"]))
            return ValueSpec("collect", path, cases=items)
        if "table" in d:
            return self.table(d["table"], (*path, "table"))
        if "split" in d:
            sp = d["split"]
            amount = self.expr(sp["amount"], (*path, "split", "amount"))
            parts = tuple((str(k), v) for k, v in sp["parts"].items())
            for k, v in parts:  # the schema bounds them too: a clear message either way
                if not 0 <= v <= 100:
                    self.err(f"split part '{k}' is {v}%: a part is from 0% to 100%", "PR309",
                             (*path, "split", "parts", k))
            total = sum(v for _, v in parts)
            if total != 100:
                self.err(f"split parts add up to {total}%, not 100%", "PR309",
                         (*path, "split", "parts"))
            rd = sp["round"]
            return ValueSpec("split", path, compute=amount, parts=parts,
                             rounding=Rounding(int(rd["places"]), str(rd["mode"])))
        if "tiers" in d:
            ids: dict[str, Path] = {}
            tiers = tuple(self.rule(t, (*path, "tiers", i), ids) for i, t in enumerate(d["tiers"]))
            default = (ValueSpec("literal", (*path, "default"), literal=d["default"])
                       if "default" in d else None)
            return ValueSpec("tiers", path, tiers=tiers, default=default)
        if "fields" in d:
            return ValueSpec("fields", path, fields={
                k: self.value_spec(v, (*path, "fields", k)) for k, v in d["fields"].items()})
        return ValueSpec("literal", path, literal=d["value"])

    def case(self, d: Mapping[str, Any], path: Path) -> Case:
        when = self.expr(d["when"], (*path, "when"))
        value = (ValueSpec("compute", (*path, "compute"),
                           compute=self.expr(d["compute"], (*path, "compute")))
                 if "compute" in d else ValueSpec("literal", (*path, "value"), literal=d["value"]))
        assert when is not None or self.errors
        return Case(when, value)  # type: ignore[arg-type]

    def decision(self, did: str, d: Mapping[str, Any], path: Path) -> Decision:
        description = self.text(d["description"])
        source = self.citation(d.get("source"), (*path, "source"))
        rounding = None
        if "round" in d:
            rounding = Rounding(int(d["round"].get("places", 2)), d["round"].get("mode", "half_up"))
        ids: dict[str, Path] = {}
        requires = tuple(self.rule(r, (*path, "requires", i), ids)
                         for i, r in enumerate(d.get("requires", ())))
        common: dict[str, Any] = dict(
            id=did, description=description, source=source, path=path, requires=requires,
            type=d.get("type"), currency=d.get("currency"), rounding=rounding)
        for key in _GROUP_KEYS:
            if key in d:
                root = {"id": did, "description": d["description"], key: d[key]}
                if "source" in d:
                    root["source"] = d["source"]
                output = (self.value_spec(d["output"], (*path, "output"))
                          if "output" in d else None)
                return Decision(kind="passfail", rule=self.rule(root, path, ids), output=output,
                                **common)
        return Decision(kind="value", value=self.value_spec(d, path), **common)

    # -- the whole ruleset -------------------------------------------------------------

    def build(self, params: Mapping[str, object]) -> RulesetModel:
        data = self.doc.data
        try:
            self.tz = ZoneInfo(str(data["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            close = None
            self.err(f"unknown time zone '{data['timezone']}' (use an IANA name such as "
                     "'Asia/Shanghai')", "PR309", ("timezone",), suggestion=close)
        self.sources = {str(k): v for k, v in data["sources"].items()}

        seen: dict[str, str] = {}
        for section in ("facts", "params", "lists", "decisions"):
            for name in data.get(section) or {}:
                if name in ("as_of", "today"):
                    self.err(f"'{name}' is a built-in name and cannot be declared", "PR304",
                             (section, name), at_key=True)
                if name in seen:
                    self.err(f"'{name}' is declared in both '{seen[name]}' and '{section}'; "
                             "names must be unique across facts, params, lists and decisions",
                             "PR304", (section, name), at_key=True)
                seen.setdefault(name, section)

        facts = {n: self.fact(n, d, ("facts", n)) for n, d in data["facts"].items()}
        declared_params = data.get("params") or {}
        for name in params:
            if name not in declared_params:
                close = suggest(name, declared_params)
                self.errors.append(RulesetError(
                    f"unknown parameter '{name}'" + (f" (did you mean '{close}'?)" if close else
                                                    "") + "; declared: "
                    + (", ".join(declared_params) or "none"),
                    code="PR500", source=self.doc.source, suggestion=close))
        param_models: dict[str, Param] = {}
        for n, d in declared_params.items():
            param_models[n] = self.param(n, d, ("params", n), params.get(n), n in params)
        self.param_relations(declared_params, param_models, params)
        lists = {
            n: ListDecl(n, tuple(d["items"]), self.opt_text(d.get("description")),
                        self.citation(d.get("source"), ("lists", n, "source")),
                        d.get("match", "exact"))
            for n, d in (data.get("lists") or {}).items()
        }
        decisions = {
            did: self.decision(did, d, ("decisions", did))
            for did, d in data["decisions"].items()
        }
        model = RulesetModel(
            id=str(data["id"]), version=str(data["version"]), title=self.text(data["title"]),
            timezone=self.tz, sources=self.sources, facts=facts, params=param_models,
            lists=lists, decisions=decisions, calendar=self.calendar(data.get("calendar")),
            description=self.opt_text(data.get("description")), source_name=self.doc.source,
            effective_from=self.instant(data.get("effective_from"), ("effective_from",), False),
            effective_until=self.instant(data.get("effective_until"), ("effective_until",),
                                         True),
            changelog=tuple(data.get("changelog") or ()),
            mask=self.mask(data.get("mask") or (), facts),
        )
        if (model.effective_from and model.effective_until
                and model.effective_until < model.effective_from):
            self.err("effective_until is before effective_from", "PR309", ("effective_until",))
        return model

    def mask(self, names: Any, facts: Mapping[str, FactType]) -> tuple[str, ...]:
        """``mask:``: the facts decision logs mask, each a declared fact."""
        for i, name in enumerate(names):
            if name not in facts:
                close = suggest(str(name), facts)
                self.err(f"mask names '{name}', which is not a declared fact"
                         + (f" (did you mean '{close}'?)" if close else ""), "PR832",
                         ("mask", i), suggestion=close)
        return tuple(str(n) for n in names)

    def param_relations(self, declared: Mapping[str, Any], models: Mapping[str, Param],
                        overrides: Mapping[str, object]) -> None:
        """``min: other_param`` / ``max: other_param``: relations between values in force."""
        for name, d in declared.items():
            for key, op in (("min", ">="), ("max", "<=")):
                other = d.get(key)
                if not isinstance(other, str):
                    continue
                path = ("params", name, key)
                if other not in models:
                    close = suggest(other, models)
                    self.err(f"parameter '{name}': {key} names '{other}', which is not a "
                             "parameter" + (f" (did you mean '{close}'?)" if close else ""),
                             "PR309", path, suggestion=close)
                    continue
                mine, theirs = models[name].value, models[other].value
                if (mine < theirs) if op == ">=" else (mine > theirs):
                    message = (f"parameter '{name}' = {mine} must be {op} {other} ({theirs})")
                    if name in overrides or other in overrides:
                        self.errors.append(RulesetError(message, code="PR502",
                                                        source=self.doc.source, path=path))
                    else:  # the declared defaults themselves disagree
                        self.err(message, "PR309", path)

    def calendar(self, d: Mapping[str, Any] | None) -> WorkingCalendar:
        if not d:
            return WorkingCalendar()
        holidays: dict[dt.date, str] = {}
        for i, h in enumerate(d.get("holidays", ())):
            day = self.date(h["date"], ("calendar", "holidays", i, "date"))
            if day is not None:
                holidays[day] = str(h.get("name", "holiday"))
        workdays = set()
        for i, w in enumerate(d.get("workdays", ())):
            day = self.date(w, ("calendar", "workdays", i))
            if day is not None:
                workdays.add(day)
        return WorkingCalendar(holidays=holidays, workdays=frozenset(workdays),
                               years=frozenset(int(y) for y in d.get("years", ())))

    def instant(self, value: Any, path: Path, end_of_day: bool) -> dt.datetime | None:
        """A date or date-time in the ruleset's time zone; a date as an end bound means
        the whole day (up to its last microsecond)."""
        if value is None:
            return None
        text = str(value)
        try:
            if _DATE.fullmatch(text):
                day = dt.date.fromisoformat(text)
                moment = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
                return moment + dt.timedelta(days=1, microseconds=-1) if end_of_day else moment
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.err(f"'{text}' is not a valid date or date-time", "PR402", path)
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

    def date(self, value: Any, path: Path) -> dt.date | None:
        try:
            if _DATE.fullmatch(str(value)):
                return dt.date.fromisoformat(str(value))
        except ValueError:
            pass
        self.err(f"'{value}' is not a valid date (YYYY-MM-DD)", "PR402", path)
        return None


def expression_offset(doc: Document, path: Path, text: str, pos: int) -> tuple[int, int] | None:
    """Where character ``pos`` of an expression scalar stands: (line delta, column) relative
    to the scalar's mark, as ``Document.error`` takes it (column is absolute on other lines).

    The scalar's value is mapped back onto its source lines: a plain or quoted scalar starts
    at the mark (after the quote) and folds its continuation lines with spaces; a block
    scalar (``|`` keeps newlines, ``>`` folds them) starts on the next line.
    """
    line_no, col = doc.position(path)
    if line_no is None or col is None or not doc.text:
        return None
    lines = doc.text.splitlines()
    if line_no - 1 >= len(lines):
        return None
    head = lines[line_no - 1][col - 1:]
    segments: list[tuple[int, int, str]] = []  # (line delta, 1-based column, content)
    if head[:1] in ("|", ">"):
        key_line = lines[line_no - 1]
        key_indent = len(key_line) - len(key_line.lstrip())
        for dl in range(1, len(lines) - line_no + 1):
            raw = lines[line_no - 1 + dl]
            if raw.strip() and len(raw) - len(raw.lstrip()) <= key_indent:
                break  # dedented to the key's level: the block has ended
            stripped = raw.strip()
            segments.append((dl, len(raw) - len(raw.lstrip()) + 1, stripped))
    else:
        quote = 1 if head[:1] in ("'", '"') else 0
        segments.append((0, col + quote, head[quote:]))
        key_line = lines[line_no - 1]
        key_indent = len(key_line) - len(key_line.lstrip())
        for dl in range(1, len(lines) - line_no + 1):
            raw = lines[line_no - 1 + dl]
            if not raw.strip() or len(raw) - len(raw.lstrip()) <= key_indent:
                break  # not a continuation line of this scalar
            segments.append((dl, len(raw) - len(raw.lstrip()) + 1, raw.strip()))
    consumed = 0
    for dl, start, content in segments:
        if pos <= consumed + len(content):
            column = start + (pos - consumed)
            return (0, column - col) if dl == 0 else (dl, column)
        consumed += len(content) + 1  # the space or newline that joined the lines
    return None


def build_model(doc: Document, params: Mapping[str, object] | None = None
                ) -> tuple[RulesetModel, list[RulesetError]]:
    """Build the model of a schema-valid document, and every problem found on the way.

    Expressions that do not parse are left as None; the compiler skips what depends on
    them, so that one run reports the problems of every stage.
    """
    builder = _Builder(doc)
    model = builder.build(params or {})
    return model, builder.errors
