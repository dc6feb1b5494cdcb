"""A pytest plugin that fuzzes ruleset files: ``pytest --promorules-fuzz PATH`` collects one
test per ruleset under PATH (``*.yaml`` / ``*.yml``, except ``*.test.yaml`` example files),
which runs :func:`promorules.testing.check_ruleset` on it.

Without the option the plugin does nothing (it does not even import Hypothesis). Load it
with ``-p promorules.pytest_plugin`` (or through the ``pytest11`` entry point).

- ``pytest --promorules-fuzz rulesets``: only the fuzz tests (the configured ``testpaths``
  are not collected).
- ``pytest tests --promorules-fuzz rulesets``: the tests under ``tests`` and the fuzz tests.
- ``--promorules-fuzz-examples N``: examples per decision (default: the Hypothesis profile).

Hypothesis profiles ``dev`` (100 examples), ``ci`` (60, derandomized) and ``nightly``
(2000) are registered when absent, and the one named by ``HYPOTHESIS_PROFILE`` (default
``dev``) is loaded, as in the project's tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_OPTION = "promorules_fuzz"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("promorules", "promorules ruleset fuzzing")
    group.addoption("--promorules-fuzz", action="append", default=[], metavar="PATH",
                    dest=_OPTION,
                    help="fuzz every ruleset under PATH (a file or a directory) with "
                         "promorules.testing.check_ruleset; may be given more than once")
    group.addoption("--promorules-fuzz-examples", type=int, default=None, metavar="N",
                    dest="promorules_fuzz_examples",
                    help="Hypothesis examples per decision (default: the active profile)")


def _register_profiles() -> None:
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    profiles: dict[str, dict[str, Any]] = {
        "dev": {"max_examples": 100, "deadline": None},
        "ci": {"derandomize": True, "max_examples": 60, "deadline": None, "print_blob": True},
        "nightly": {"max_examples": 2000, "deadline": None},
    }
    for name, options in profiles.items():
        try:
            settings.get_profile(name)
        except InvalidArgument:
            settings.register_profile(name, **options)
    name = os.environ.get("HYPOTHESIS_PROFILE", "dev")
    try:
        settings.load_profile(name)
    except InvalidArgument as e:
        raise pytest.UsageError(f"HYPOTHESIS_PROFILE={name!r}: {e}") from None


def pytest_configure(config: pytest.Config) -> None:
    paths: list[str] = config.getoption(_OPTION)
    if not paths:
        return
    _register_profiles()
    roots = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise pytest.UsageError(f"--promorules-fuzz: {p} does not exist")
        roots.append(path.resolve())
    config.stash[_ROOTS] = roots
    # collect the fuzz paths; when no test paths were given on the command line, only them
    given_args = config.args_source == pytest.Config.ArgsSource.ARGS
    args = list(config.args) if given_args else []
    config.args = args + [p for p in paths if p not in args]


_ROOTS = pytest.StashKey[list[Path]]()


def _under(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    roots = parent.config.stash.get(_ROOTS, None)
    if not roots or file_path.suffix not in (".yaml", ".yml"):
        return None
    if file_path.name.endswith((".test.yaml", ".test.yml")) or not _under(file_path, roots):
        return None
    return RulesetFile.from_parent(parent, path=file_path)


class RulesetFile(pytest.File):
    """A ruleset file: one fuzz test."""

    def collect(self) -> Iterator[pytest.Item]:
        yield RulesetFuzzItem.from_parent(self, name="promorules_fuzz")


class RulesetFuzzItem(pytest.Item):
    """Loads the ruleset and runs check_ruleset on every decision."""

    def runtest(self) -> None:
        import promorules
        from promorules.testing import check_ruleset

        rs = promorules.load(self.path)
        check_ruleset(rs, max_examples=self.config.getoption("promorules_fuzz_examples"))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        import promorules

        error = excinfo.value
        if isinstance(error, promorules.RulesetError):
            return "invalid ruleset:\n" + "\n".join(e.format() for e in error.errors)
        if isinstance(error, AssertionError):
            notes = "".join(f"\n{n}" for n in getattr(error, "__notes__", ()))
            return f"promorules fuzz found a violation in {self.path.name}:\n{error}{notes}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"promorules fuzz: {self.path.name}"
