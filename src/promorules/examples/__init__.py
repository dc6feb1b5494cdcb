"""Beside the pipeline: a ruleset's own tests (``promorules test``).

Examples are facts with the result they must give, kept in the ruleset under a top-level
``examples:`` key or in the sibling ``NAME.test.yaml``. This module reads them strictly (the
loader's YAML, the examples JSON Schema, every problem located at file:line:column), runs
them through the public pipeline (``load`` / ``loads`` -> ``Ruleset.evaluate`` ->
``Result``), compares what came out with what was expected, and measures which rules the
examples exercised. It only reads the earlier stages' public results: the trace of a
``Result`` and the node tables of the compiled decisions.
"""

from __future__ import annotations

from .coverage import Coverage, CoverageItem, coverage, format_coverage
from .files import NOT_GIVEN, Example, Expectation, examples_file_of, find_rulesets, load_examples
from .run import ExampleResult, format_failure, run_example, run_examples, same_value

__all__ = [
    "NOT_GIVEN",
    "Coverage",
    "CoverageItem",
    "Example",
    "ExampleResult",
    "Expectation",
    "coverage",
    "examples_file_of",
    "find_rulesets",
    "format_coverage",
    "format_failure",
    "load_examples",
    "run_example",
    "run_examples",
    "same_value",
]
