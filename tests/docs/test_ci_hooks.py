"""The pre-commit hooks (.pre-commit-hooks.yaml) and the CI job of docs/ci.md: the hooks
file is a valid pre-commit manifest, and every hook (with the arguments of the config
docs/ci.md shows) and every `promorules` step of the CI job runs on a copy of a ruleset
repository (docs/tutorial/2.0.0), passing there and failing on the mistake it is for."""

from __future__ import annotations

import glob
import io
import re
import shlex
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from promorules.cli import run

ROOT = Path(__file__).resolve().parents[2]
REPO = ROOT / "docs" / "tutorial" / "2.0.0"
HOOKS: list[dict[str, Any]] = yaml.safe_load(
    (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
CI_PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")

# the keys of a hook in pre-commit's manifest (.pre-commit-hooks.yaml), with their types
MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "id": str, "name": str, "entry": str, "language": str, "alias": str, "files": str,
    "exclude": str, "types": list, "types_or": list, "exclude_types": list,
    "additional_dependencies": list, "args": list, "always_run": bool, "fail_fast": bool,
    "pass_filenames": bool, "description": str, "language_version": str, "log_file": str,
    "require_serial": bool, "stages": list, "verbose": bool,
    "minimum_pre_commit_version": str}
REQUIRED = {"id", "name", "entry", "language"}
LANGUAGES = {"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail",
             "golang", "haskell", "julia", "lua", "node", "perl", "pygrep", "python", "r",
             "ruby", "rust", "script", "swift", "system"}


def _yaml_block(marker: str) -> Any:
    m = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", CI_PAGE, re.S)
    assert m, f"docs/ci.md has no {marker} block"
    return yaml.safe_load(m.group(1))


def _config_args() -> dict[str, list[str]]:
    """The args docs/ci.md's .pre-commit-config.yaml gives each hook."""
    (repo,) = _yaml_block("pre-commit-config")["repos"]
    return {h["id"]: [str(a) for a in h.get("args", [])] for h in repo["hooks"]}


def _cli(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    assert argv[0] == "promorules", argv
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.chdir(cwd)
    code = run(argv[1:], out, err, io.StringIO(""))
    return code, out.getvalue() + err.getvalue()


def _files(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())


def _hook_argv(hook: dict[str, Any], repo: Path, args: list[str]) -> list[str] | None:
    """The command pre-commit runs for ``hook`` on every file of ``repo`` (as
    `pre-commit run --all-files`), or None when no file matches."""
    matched = [f for f in _files(repo) if re.search(hook["files"], f)]
    if not matched and not hook.get("always_run"):
        return None
    argv = shlex.split(hook["entry"]) + list(hook.get("args", [])) + args
    return argv + matched if hook.get("pass_filenames", True) else argv


def test_hooks_file_is_a_valid_pre_commit_manifest() -> None:
    assert isinstance(HOOKS, list) and HOOKS
    ids = [h["id"] for h in HOOKS]
    assert ids == ["promorules-check", "promorules-test", "promorules-docs-check"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["scripts"]
    for hook in HOOKS:
        assert set(hook) >= REQUIRED, hook["id"]
        for key, value in hook.items():
            assert key in MANIFEST_KEYS, f"{hook['id']}: unknown key {key}"
            assert isinstance(value, MANIFEST_KEYS[key]), f"{hook['id']}: {key}"
        assert hook["language"] in LANGUAGES
        re.compile(hook["files"])
        assert shlex.split(hook["entry"])[0] in scripts  # installed with the package
    assert set(_config_args()) == set(ids)


def test_every_hook_passes_on_a_ruleset_repository(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    config = _config_args()
    assert config["promorules-test"] == ["--min-coverage", "100"]
    for hook in HOOKS:
        argv = _hook_argv(hook, repo, config[hook["id"]])
        assert argv is not None, f"{hook['id']} matches no file of the repository"
        code, output = _cli(argv, repo, monkeypatch)
        assert code == 0, f"{hook['id']}: {argv}\n{output}"
    check = _hook_argv(HOOKS[0], repo, [])
    assert check is not None and check[2:] == ["rulesets/spring_sale.test.yaml",
                                               "rulesets/spring_sale.yaml"]


def test_each_hook_fails_on_the_mistake_it_is_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config_args()
    by_id = {h["id"]: h for h in HOOKS}

    def broken(hook_id: str, path: str, old: str, new: str) -> tuple[int, str]:
        repo = tmp_path / hook_id
        shutil.copytree(REPO, repo)
        target = repo / path
        text = target.read_text(encoding="utf-8")
        assert old in text
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
        argv = _hook_argv(by_id[hook_id], repo, config[hook_id])
        assert argv is not None
        return _cli(argv, repo, monkeypatch)

    code, output = broken("promorules-check", "rulesets/spring_sale.yaml",
                          "check: orders_30d >= 150", "check: order_30d >= 150")
    assert code == 3 and "PR301" in output
    # the only example on which the rating fails is gone: coverage drops below 100%
    code, output = broken("promorules-test", "rulesets/spring_sale.test.yaml",
                          "    facts: {store_rating: 4.5}", "    facts: {store_rating: 4.7}")
    assert code == 1 and "is below --min-coverage 100%" in output
    code, output = broken("promorules-docs-check", "rulesets/spring_sale.yaml",
                          "zh: 店鋪評分不低於4.6", "zh: 店鋪評分至少4.6")
    assert code == 1 and "docs/rulesets/spring_sale.md: stale" in output


def test_ci_job_runs_the_same_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = _yaml_block("ci-workflow")
    assert set(workflow) >= {"name", "jobs"} and workflow.get("on", workflow.get(True))
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] and all("uses" in s or "run" in s for s in job["steps"])
    commands = [s["run"] for s in job["steps"]
                if "run" in s and s["run"].startswith("promorules ")]
    assert [c.split()[1] for c in commands] == ["check", "test", "docs"]
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    for command in commands:
        argv = []
        for word in shlex.split(command):  # the shell expands globs
            argv += sorted(glob.glob(word, root_dir=repo)) if "*" in word else [word]
        code, output = _cli(argv, repo, monkeypatch)
        assert code == 0, f"{command}\n{output}"


def test_ci_version_step_holds_a_release_to_the_bump_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pull-request step of docs/ci.md: its `promorules check "$f" --against ...` line
    run as the loop runs it, with base/ holding the base branch's file (here the released
    1.0.0): the 2.0.0 ruleset passes, the draft numbered 1.1.0 is refused."""
    (step,) = _yaml_block("ci-versions")
    assert step["if"] == "github.event_name == 'pull_request'"
    (line,) = [x.strip() for x in step["run"].splitlines() if x.strip().startswith("promorules")]
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    (repo / "base").mkdir()
    shutil.copy(REPO.parent / "1.0.0" / "rulesets" / "spring_sale.yaml", repo / "base")

    def run_step(ruleset: str) -> tuple[int, str]:
        f = f"rulesets/{ruleset}"
        command = line.replace('"$f"', f).replace('"base/${f#rulesets/}"', "base/" + ruleset)
        assert "$" not in command, command
        return _cli(shlex.split(command), repo, monkeypatch)

    code, output = run_step("spring_sale.yaml")
    assert code == 0 and "major bump required, satisfied" in output
    shutil.copy(REPO / "drafts" / "spring_sale.yaml", repo / "rulesets" / "spring_sale.yaml")
    code, output = run_step("spring_sale.yaml")
    assert code == 3 and "PR315 version 1.1.0 is too small" in output
