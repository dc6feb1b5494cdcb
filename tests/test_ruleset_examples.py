"""Every example of every shipped ruleset (its `examples:` key and NAME.test.yaml), each as
its own test case named ``<ruleset>::<example name>``; a failure shows the runner's
problems, the diff and the explanation, as `promorules test rulesets/` prints them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

import promorules
from promorules.examples import Example, find_rulesets, format_failure, load_examples, run_example

RULESETS = Path(__file__).resolve().parents[1] / "rulesets"

# reloads of a ruleset with an example's params, shared by the examples of a ruleset
_PARAMS_CACHE: dict[str, promorules.Ruleset] = {}


def _cases() -> list[Any]:
    cases: list[Any] = []
    for path in find_rulesets(RULESETS):
        label = path.relative_to(RULESETS).with_suffix("").as_posix()
        try:
            examples = load_examples(path)
        except promorules.RulesetError as e:
            # an invalid examples file is a failing case of its own, not a collection error
            cases.append(pytest.param(path, e, id=f"{label}::<examples>"))
            continue
        seen: set[str] = set()
        for example in examples:
            case_id = f"{label}::{example.name}"
            n = 2
            while case_id in seen:  # keep ids unique even if two examples share a name
                case_id = f"{label}::{example.name} ({n})"
                n += 1
            seen.add(case_id)
            cases.append(pytest.param(path, example, id=case_id))
    if not cases:
        cases.append(pytest.param(None, None, id="no examples",
                                  marks=pytest.mark.skip(reason="no ruleset has examples yet")))
    return cases


@cache
def _ruleset(path: Path) -> promorules.Ruleset:
    return promorules.load(path)


@pytest.mark.parametrize(("path", "example"), _cases())
def test_example(path: Path, example: Example | promorules.RulesetError) -> None:
    if isinstance(example, promorules.RulesetError):
        pytest.fail(f"invalid examples of {path}:\n{example}", pytrace=False)
    try:
        ruleset = _ruleset(path)
    except promorules.RulesetError as e:
        pytest.fail(f"invalid ruleset {path}:\n{e}", pytrace=False)
    result = run_example(ruleset, example, params_cache=_PARAMS_CACHE)
    if not result.ok:
        pytest.fail(f"{example.name}\n{format_failure(result)}", pytrace=False)
