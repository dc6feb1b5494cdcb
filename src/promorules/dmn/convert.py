"""DMN import, stage 3: a DMN model's decision tables as a ruleset (a YAML document).

What maps:

- ``inputData`` -> facts, typed by ``typeRef`` (``number``, ``string``, ``boolean``,
  ``date``, ``dateTime``, an ``itemDefinition`` of one of those, with ``allowedValues``; a
  collection of strings or numbers -> a list fact). A string input whose tables declare
  ``inputValues`` (or whose type has ``allowedValues``) becomes an enum.
- ``decision`` with a ``decisionTable`` -> a value decision with ``table:``: its hit policy
  and aggregation, input expressions, input entries (cells), output entries (literals, or
  ``{compute: ...}``), ``outputValues`` (``values:``), ``defaultOutputEntry`` (``default:``),
  several outputs (``outputs:``), and rule annotations (row descriptions).
- ``decision`` with a ``literalExpression`` -> a ``compute:`` decision.
- ``informationRequirement`` to a decision: the decision's name in an expression refers to
  it, as names of value decisions do in rulesets.

What does not map is reported with the element and its line (PR840): boxed contexts,
functions, invocations, relations and lists; structured input types; time and duration
types; FEEL beyond the subset of :mod:`promorules.dmn.feel`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import RulesetError
from .feel import Translator, Unsupported, identifier
from .xml import Element

__all__ = ["Model", "Problem", "convert"]

_HIT_POLICIES = {
    "UNIQUE": "unique", "ANY": "any", "PRIORITY": "priority", "FIRST": "first",
    "OUTPUT ORDER": "output_order", "RULE ORDER": "rule_order", "COLLECT": "collect",
}
_AGGREGATIONS = {"SUM": "sum", "MIN": "min", "MAX": "max", "COUNT": "count"}
_SIMPLE_TYPES = {
    "number": "number", "string": "string", "boolean": "boolean", "date": "date",
    "dateTime": "datetime", "date and time": "datetime",
}
_TIME_TYPES = {"time", "dayTimeDuration", "yearMonthDuration", "days and time duration",
               "years and months duration"}
_BOXED = ("context", "functionDefinition", "invocation", "relation", "list",
          "conditional", "filter", "for", "every", "some")


@attrs.frozen
class Problem:
    """Something in the model that the importer does not map: what and where."""

    element: str  # e.g. "decision 'Approval' > decisionTable > rule 2 > inputEntry 1"
    line: int
    column: int
    message: str

    def error(self, source: str) -> RulesetError:
        """The problem as a RulesetError (PR840) at its place in the DMN file."""
        return RulesetError(f"{self.element}: {self.message}", code="PR840", source=source,
                            line=self.line, column=self.column)


@attrs.frozen
class Model:
    """The imported ruleset (a plain mapping, in the ruleset format's key order), and what
    could not be imported (decisions left out, with why)."""

    ruleset: dict[str, Any]
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...]  # DMN names of decisions left out


class _Skip(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(element: Element, where: str, message: str) -> _Skip:
    return _Skip(Problem(where, element.line, element.column, message))


def _type_name(ref: str | None) -> str:
    return (ref or "").rsplit(":", 1)[-1].strip()


class _Converter:
    def __init__(self, root: Element, file_name: str, ruleset_id: str | None) -> None:
        self.root = root
        self.file_name = file_name
        self.ruleset_id = ruleset_id
        self.items = {e.attrib.get("name", ""): e for e in root.findall("itemDefinition")}
        self.inputs = {e.attrib.get("name", ""): e for e in root.findall("inputData")}
        self.decisions = {e.attrib.get("name", ""): e for e in root.findall("decision")}
        self.feel = Translator([*self.inputs, *self.decisions])
        self.list_names: list[str] = []
        self.facts: dict[str, dict[str, Any]] = {}
        self.enum_values: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    # -- types --------------------------------------------------------------------------

    def _item(self, name: str) -> Element | None:
        return self.items.get(name)

    def _allowed(self, item: Element) -> list[str] | None:
        text = item.child_text("allowedValues")
        if text is None:
            return None
        tests = self.feel.unary_tests(text)
        values = [t.literal.value for t in tests.tests if t.literal is not None] if tests else []
        if tests is None or tests.negated or len(values) != len(tests.tests) or \
                not all(isinstance(v, str) for v in values):
            return None  # a range or another test: a constraint, not a list of values
        return [str(v) for v in values]

    def _fact_type(self, element: Element, where: str, ref: str,
                   seen: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The fact declaration of an input of type ``ref``."""
        name = _type_name(ref)
        if name in seen:
            raise _fail(element, where, f"the type {name} is defined in terms of itself")
        if name in _SIMPLE_TYPES:
            return {"type": _SIMPLE_TYPES[name]}
        if name in _TIME_TYPES:
            raise _fail(element, where, f"the type {name} (time and duration types are "
                                        "not mapped)")
        item = self._item(name)
        if item is None:
            raise _fail(element, where, f"the unknown type {name or '(none)'}")
        if item.findall("itemComponent"):
            raise _fail(item, f"itemDefinition '{name}'",
                        "a structured type (with itemComponent) as an input's type")
        base = _type_name(item.child_text("typeRef"))
        if item.attrib.get("isCollection") == "true":
            if base in ("string", "number"):
                return {"type": "list", "items": base}
            raise _fail(item, f"itemDefinition '{name}'", f"a collection of {base or '?'}")
        declared = self._fact_type(item, f"itemDefinition '{name}'", base, seen | {name})
        allowed = self._allowed(item)
        if allowed and declared["type"] == "string":
            return {"type": "enum", "values": allowed}
        return declared

    def _output_type(self, ref: str | None) -> str | None:
        name = _type_name(ref)
        if name in _SIMPLE_TYPES:
            return _SIMPLE_TYPES[name]
        if name in _TIME_TYPES:
            raise Unsupported(f"the output type {name} (time and duration types are "
                              "not mapped)")
        return None

    # -- facts --------------------------------------------------------------------------

    def facts_of(self) -> None:
        for name, element in self.inputs.items():
            where = f"inputData '{name}'"
            variable = element.find("variable")
            ref = variable.attrib.get("typeRef") if variable is not None else None
            try:
                fact = self._fact_type(element, where, ref or "")
            except _Skip as skip:
                self.problems.append(skip.problem)
                continue
            if fact["type"] == "list":
                self.list_names.append(name)
            label = element.attrib.get("label") or name
            fact["description"] = {"en": label, "zh": label}
            self.facts[identifier(name)] = fact

    def _enum_from_input_values(self, table_input: Element, expression: str) -> None:
        """A table input's ``inputValues`` on a string fact make it an enum."""
        fact = self.facts.get(expression)
        text = table_input.child_text("inputValues")
        if fact is None or text is None or fact["type"] not in ("string", "enum"):
            return
        tests = self.feel.unary_tests(text)
        values = [str(t.literal.value) for t in (tests.tests if tests else ())
                  if t.literal is not None and isinstance(t.literal.value, str)]
        if tests is None or len(values) != len(tests.tests):
            return
        known = self.enum_values.setdefault(expression, list(fact.get("values", ())))
        known.extend(v for v in values if v not in known)

    # -- decisions ----------------------------------------------------------------------

    def decision(self, name: str, element: Element) -> dict[str, Any]:
        where = f"decision '{name}'"
        label = element.attrib.get("label") or name
        out: dict[str, Any] = {"description": {"en": label, "zh": label},
                               "source": f"dmn {identifier(name)}"}
        for boxed in _BOXED:
            found = element.find(boxed)
            if found is not None:
                raise _fail(found, f"{where} > {boxed}",
                            f"a {boxed} (boxed expressions other than decision tables and "
                            "literal expressions are not mapped)")
        table = element.find("decisionTable")
        literal = element.find("literalExpression")
        variable = element.find("variable")
        ref = variable.attrib.get("typeRef") if variable is not None else None
        if table is not None:
            out["table"] = self.table(table, f"{where} > decisionTable", ref)
        elif literal is not None:
            text = literal.child_text("text") or ""
            try:
                out["compute"] = self.feel.expression(text)
                out_type = self._output_type(ref)
            except Unsupported as e:
                raise _fail(literal, f"{where} > literalExpression", str(e)) from None
            if out_type in ("number", "boolean", "string", "date", "datetime"):
                out["type"] = out_type
        else:
            raise _fail(element, where, "a decision without a decision table or a literal "
                                        "expression")
        return out

    def table(self, table: Element, where: str, ref: str | None) -> dict[str, Any]:
        policy = table.attrib.get("hitPolicy", "UNIQUE").strip().upper()
        if policy not in _HIT_POLICIES:
            raise _fail(table, where, f"the hit policy {policy}")
        out: dict[str, Any] = {"hit_policy": _HIT_POLICIES[policy]}
        aggregation = table.attrib.get("aggregation")
        if aggregation:
            if policy != "COLLECT" or aggregation.upper() not in _AGGREGATIONS:
                raise _fail(table, where, f"the aggregation {aggregation} with {policy}")
            out["aggregate"] = _AGGREGATIONS[aggregation.upper()]
        inputs = table.findall("input")
        out["inputs"] = [self._input(i, n, f"{where} > input {n}")
                         for n, i in enumerate(inputs, 1)]
        outputs = table.findall("output")
        declared = [self._output(o, f"{where} > output {n}", ref if len(outputs) == 1 else None)
                    for n, o in enumerate(outputs, 1)]
        names = [identifier(o.attrib["name"]) if o.attrib.get("name") else None
                 for o in outputs]
        several = len(outputs) > 1
        if several:
            if None in names:
                raise _fail(table, where, "several outputs, one of them without a name")
            out["outputs"] = {n: d for n, d in zip(names, declared, strict=True)}
        elif declared and declared[0]:
            out["output"] = declared[0]
        rows = []
        for n, rule in enumerate(table.findall("rule"), 1):
            rows.append(self._row(rule, n, f"{where} > rule {n}", len(inputs),
                                  names if several else None))
        out["rows"] = rows
        defaults = [o.child_text("defaultOutputEntry") for o in outputs]
        if any(d is not None for d in defaults):
            try:
                values = [None if d is None else self.feel.output(d) for d in defaults]
            except Unsupported as e:
                raise _fail(table, f"{where} > defaultOutputEntry", str(e)) from None
            if any(isinstance(v, Mapping) for v in values):
                raise _fail(table, f"{where} > defaultOutputEntry",
                            "a computed default output (only literals are mapped)")
            if several:
                out["default"] = {n: v for n, v in zip(names, values, strict=True)
                                  if v is not None}
            else:
                out["default"] = values[0]
        return out

    def _input(self, element: Element, n: int, where: str) -> str:
        text = element.child_text("inputExpression")
        expression = element.find("inputExpression")
        if text is None or expression is None:
            raise _fail(element, where, "an input without an inputExpression")
        try:
            translated = self.feel.expression(text)
        except Unsupported as e:
            raise _fail(expression, f"{where} > inputExpression", str(e)) from None
        if "." in text and translated not in self.facts:
            raise _fail(expression, f"{where} > inputExpression",
                        f"the path {text!r} into a structured value")
        self._enum_from_input_values(element, translated)
        return translated

    def _output(self, element: Element, where: str, ref: str | None) -> dict[str, Any]:
        declared: dict[str, Any] = {}
        try:
            out_type = self._output_type(element.attrib.get("typeRef") or ref)
        except Unsupported as e:
            raise _fail(element, where, str(e)) from None
        if out_type in ("number", "boolean", "string", "date", "datetime"):
            declared["type"] = out_type
        text = element.child_text("outputValues")
        if text is not None:
            tests = self.feel.unary_tests(text)
            values = [t.literal.value for t in (tests.tests if tests else ())
                      if t.literal is not None]
            if tests is None or tests.negated or len(values) != len(tests.tests):
                raise _fail(element, f"{where} > outputValues",
                            f"output values {text!r} that are not a list of literals")
            declared["values"] = values
        return declared

    def _row(self, rule: Element, n: int, where: str, width: int,
             names: list[str | None] | None) -> dict[str, Any]:
        entries = rule.findall("inputEntry")
        if len(entries) != width:
            raise _fail(rule, where, f"{len(entries)} input entries for {width} inputs")
        when = []
        for i, entry in enumerate(entries, 1):
            try:
                when.append(self.feel.cell(entry.child_text("text") or ""))
            except Unsupported as e:
                raise _fail(entry, f"{where} > inputEntry {i}", str(e)) from None
        outputs = []
        for i, entry in enumerate(rule.findall("outputEntry"), 1):
            try:
                outputs.append(self.feel.output(entry.child_text("text") or ""))
            except Unsupported as e:
                raise _fail(entry, f"{where} > outputEntry {i}", str(e)) from None
        row: dict[str, Any] = {"when": when}
        if names is None:
            if len(outputs) != 1:
                raise _fail(rule, where, f"{len(outputs)} output entries for one output")
            row["then"] = outputs[0]
        else:
            if len(outputs) != len(names):
                raise _fail(rule, where, f"{len(outputs)} output entries for "
                                         f"{len(names)} outputs")
            row["then"] = dict(zip(names, outputs, strict=True))
        annotations = [a.child_text("text") for a in rule.findall("annotationEntry")]
        text = " ".join(a for a in annotations if a)
        if text:
            row["description"] = {"en": text, "zh": text}
        return row

    def _unavailable(self, element: Element, skipped: list[str],
                     seen: frozenset[str] = frozenset()) -> str | None:
        """The first requirement of a decision that is not imported (a skipped decision
        or input, directly or through another decision), named. A cycle of requirements
        is left to the loader, which names it (PR305)."""
        by_id = {e.attrib.get("id"): (kind, name)
                 for kind, table in (("decision", self.decisions), ("inputData", self.inputs))
                 for name, e in table.items()}
        for requirement in element.findall("informationRequirement"):
            for child in requirement.children:
                kind, name = by_id.get(child.attrib.get("href", "").lstrip("#"), ("", ""))
                if kind == "decision" and name not in seen and (
                        name in skipped or self._boxed(self.decisions[name]) is not None or
                        self._unavailable(self.decisions[name], skipped, seen | {name})):
                    return f"the decision '{name}'"
                if kind == "inputData" and identifier(name) not in self.facts:
                    return f"the input '{name}'"
        return None

    def _boxed(self, element: Element) -> str | None:
        return next((b for b in _BOXED if element.find(b) is not None), None)

    # -- the ruleset --------------------------------------------------------------------

    def convert(self) -> Model:
        if self.root.tag != "definitions":
            raise RulesetError(f"not a DMN model: the root element is <{self.root.tag}>, not "
                               "<definitions>", code="PR842", source=self.file_name,
                               line=self.root.line, column=self.root.column)
        if not self.decisions:
            raise RulesetError("the DMN model has no decision to import", code="PR842",
                               source=self.file_name, line=self.root.line,
                               column=self.root.column)
        self.facts_of()
        self.feel = Translator([*self.inputs, *self.decisions], self.list_names)
        decisions: dict[str, dict[str, Any]] = {}
        skipped: list[str] = []
        for name, element in self.decisions.items():
            try:
                missing = self._unavailable(element, skipped)
                if missing:
                    raise _fail(element, f"decision '{name}'",
                                f"it requires {missing}, which is not imported")
                decisions[identifier(name)] = self.decision(name, element)
            except _Skip as skip:
                self.problems.append(skip.problem)
                skipped.append(name)
        for fact, values in self.enum_values.items():
            if values:
                self.facts[fact] = {"type": "enum", "values": values,
                                    **{k: v for k, v in self.facts[fact].items()
                                       if k not in ("type", "values")}}
        title = self.root.attrib.get("name") or "DMN model"
        ruleset_id = self.ruleset_id or identifier(title).lower().strip("_") or "dmn_model"
        ruleset: dict[str, Any] = {
            "id": ruleset_id,
            "version": "1.0.0",
            "title": {"en": title, "zh": title},
            "timezone": "UTC",
            "sources": {"dmn": {"file": self.file_name, "title": title}},
            "facts": self.facts,
            "decisions": decisions,
        }
        return Model(ruleset, tuple(self.problems), tuple(skipped))


def convert(root: Element, file_name: str, ruleset_id: str | None = None) -> Model:
    """The ruleset a DMN model (its parsed root) maps to, and what did not map."""
    return _Converter(root, file_name, ruleset_id).convert()

