"""Import of DMN models (``promorules import dmn MODEL.dmn -o RULESET.yaml``).

A DMN 1.3-1.5 model's decision tables become a ruleset: input data become facts, decisions
become value decisions (tables with their hit policy, cells and outputs; literal
expressions as ``compute:``), rule annotations become row descriptions, and each DMN name
becomes an identifier (``Approval Status`` -> ``Approval_Status``). What is outside that
subset is reported with the element and its line in the XML (PR840), never guessed. The
XML is read with defusedxml (PR841 for what it refuses). See docs/dmn.md.

Stages: :mod:`.xml` (safe parse, with lines) -> :mod:`.feel` (the FEEL subset) ->
:mod:`.convert` (the ruleset as a mapping) -> :func:`render` (YAML text), which
:func:`promorules.loads` reads back like any ruleset.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import attrs

from ..errors import RulesetError
from .convert import Problem, convert
from .feel import identifier
from .xml import parse

__all__ = ["DmnImport", "Problem", "identifier", "import_dmn", "render"]


@attrs.frozen
class DmnImport:
    """The result of importing a DMN model: the ruleset's YAML text, the ruleset as a
    mapping, and what was left out (``problems``, with the decisions ``skipped``)."""

    yaml: str
    ruleset: dict[str, Any]
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...]
    source: str

    def errors(self) -> RulesetError | None:
        """The problems as one RulesetError (PR840), or None when everything mapped."""
        if not self.problems:
            return None
        return RulesetError.collect([p.error(self.source) for p in self.problems])


def import_dmn(path: str | os.PathLike[str], *, ruleset_id: str | None = None,
               partial: bool = False) -> DmnImport:
    """Import the DMN model at ``path``.

    Without ``partial``, anything outside the mapped subset raises RulesetError (PR840,
    every problem with its line in the model). With ``partial=True``, the decisions that
    map (and do not depend on one that does not) are imported and the rest listed in
    ``problems``; an import with nothing to import still raises.
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError as e:
        raise RulesetError(f"cannot read the DMN model: {e.strerror or e}", code="PR100",
                           source=source) from None
    model = convert(parse(data, source), os.path.basename(source), ruleset_id)
    result = DmnImport(render(model.ruleset, source), model.ruleset, model.problems,
                       model.skipped, source)
    error = result.errors()
    if error is not None and (not partial or not model.ruleset["decisions"]):
        raise error
    return result


class _Flow(list):  # type: ignore[type-arg]
    """A list written in flow style (``[a, b]``)."""


def render(ruleset: dict[str, Any], source: str) -> str:
    """The ruleset mapping as YAML text in the ruleset format (numbers exact)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        text = format(value, "f")
        if value == value.to_integral_value() and "." not in text:
            return dumper.represent_scalar("tag:yaml.org,2002:int", text)
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)

    def flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.Node:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)

    Dumper.add_representer(Decimal, decimal)
    Dumper.add_representer(_Flow, flow)
    for decision in ruleset["decisions"].values():
        table = decision.get("table")
        if table is None:
            continue
        table["inputs"] = _Flow(table["inputs"])
        for row in table["rows"]:
            row["when"] = _Flow(_Flow(c) if isinstance(c, list) else c for c in row["when"])
        output = table.get("output")
        if output and "values" in output:
            output["values"] = _Flow(output["values"])
        for column in table.get("outputs", {}).values():
            if "values" in column:
                column["values"] = _Flow(column["values"])
    for fact in ruleset["facts"].values():
        if "values" in fact:
            fact["values"] = _Flow(fact["values"])
    body = yaml.dump(ruleset, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=96,
                     default_flow_style=False)
    header = ("# yaml-language-server: $schema=https://promorules.dev/schema/ruleset.schema.json\n"
              f"# Imported from the DMN model {os.path.basename(source)} by "
              "`promorules import dmn`.\n"
              "# The descriptions repeat the DMN names in both languages: translate the zh "
              "texts.\n")
    return header + body
