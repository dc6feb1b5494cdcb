"""Benchmark: ``promorules.load()`` of every shipped ruleset, split by pipeline stage, and
``import promorules`` in a fresh interpreter.

    .venv/bin/python benchmarks/bench_load.py [--repeats R] [--fresh N] [--top K]

Measures, in one run:

  load   ``promorules.load(path)`` of each ``rulesets/*.yaml`` (not the ``*.test.yaml``
         example files), in a process that has already loaded a ruleset once (so one-off
         costs, such as building the JSON Schema validator, are paid), best of R rounds;
         and the same split by pipeline stage, calling the stage functions the way
         ``ruleset._compile`` does: read the file, ``loader.parse_yaml``,
         ``schema.validate``, ``model.build_model``, ``compiler.compile_ruleset``, then the
         digest and ``Ruleset(...)``.
  first  the first ``load()`` of ``1688_spring`` in a fresh interpreter that has just
         imported promorules (what a service pays at start-up), and its stages, best of N
         fresh interpreters.
  import ``import promorules`` in a fresh interpreter, best of N; the baselines for scale
         (``python -c pass``, and ``import yaml, jsonschema``, the two heavy dependencies);
         the modules with the largest cumulative import time from ``-X importtime``
         (each module's best over N runs), the self time per top-level package, and which
         optional promorules modules ``import promorules`` loads.

Targets (from issue 9): ``load()`` of ``1688_spring`` within 25 ms; ``import promorules``
within 80 ms (time spent inside the ``import`` statement, interpreter start-up excluded;
the wall time of the whole process is printed too). Before timing, the stage-by-stage
pipeline is checked to build the same ruleset as ``load()`` (same digest, decisions and
generated source) with no problem reported by any stage; a difference aborts the run.
Timings never gate anything: this is a script, not a test.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import promorules
from promorules.compiler import compile_ruleset
from promorules.loader import parse_yaml
from promorules.model import build_model
from promorules.schema import validate

ROOT = Path(__file__).resolve().parent.parent
RULESETS = sorted(p for p in (ROOT / "rulesets").glob("*.yaml")
                  if not p.name.endswith(".test.yaml"))
TARGET_RULESET = "1688_spring"
TARGET_LOAD_MS = 25.0
TARGET_IMPORT_MS = 80.0
# where this promorules comes from, so that fresh interpreters import the same sources
SRC = str(Path(promorules.__file__).resolve().parent.parent)
# promorules modules that a plain evaluation does not need (issue 9: import them lazily)
OPTIONAL = ("monitor", "registry", "diff", "policy_docs", "examples", "testing", "explain",
            "pytest_plugin", "backends", "cli")
STAGES = ("read", "parse_yaml", "validate", "build_model", "compile_ruleset",
          "digest + Ruleset()")


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.machine()}, "
            f"load average {load}")


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


# -- load, by stage --------------------------------------------------------------------


def read(path: Path) -> str:
    """The file's text, as ``load()`` reads it (UTF-8, a BOM dropped)."""
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8-sig")


def stage_calls(path: Path) -> dict[str, Callable[[], object]]:
    """One zero-argument call per stage, each fed with the previous stage's output (built
    once here), exactly as ``ruleset._compile`` chains them."""
    text = read(path)
    source = os.fspath(path)
    doc = parse_yaml(text, source)
    model, _ = build_model(doc, None)
    compiled, _, lints = compile_ruleset(model, doc)

    def finish() -> promorules.Ruleset:
        digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        return promorules.Ruleset(model, compiled, lints, digest, text)

    return {
        "read": lambda: read(path),
        "parse_yaml": lambda: parse_yaml(text, source),
        "validate": lambda: validate(doc),
        "build_model": lambda: build_model(doc, None),
        "compile_ruleset": lambda: compile_ruleset(model, doc),
        "digest + Ruleset()": finish,
    }


def staged_load(path: Path) -> promorules.Ruleset:
    """The pipeline run stage by stage; aborts on any problem (none is expected)."""
    text = read(path)
    doc = parse_yaml(text, os.fspath(path))
    problems = [*doc.errors, *validate(doc)]
    model, model_problems = build_model(doc, None)
    compiled, compile_problems, lints = compile_ruleset(model, doc)
    problems += model_problems + compile_problems
    if problems:
        sys.exit(f"ABORT: {path.name}: the stages report problems that load() did not: "
                 f"{problems[:3]}")
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return promorules.Ruleset(model, compiled, lints, digest, text)


def verify(path: Path) -> None:
    """The stages build what ``load()`` builds, or the run aborts."""
    a, b = promorules.load(path), staged_load(path)
    same = (a.digest == b.digest and a.id == b.id and list(a.decisions) == list(b.decisions)
            and all(a.decisions[d].source_code == b.decisions[d].source_code
                    for d in a.decisions)
            and [str(e) for e in a.lint] == [str(e) for e in b.lint])
    if not same:
        sys.exit(f"ABORT: {path.name}: the stage-by-stage pipeline does not build what "
                 "load() builds (the benchmark no longer follows ruleset._compile)")


def yaml_events(text: str, loader: Any) -> int:
    """For scale only: PyYAML's own event stream for the text, nothing built from it."""
    return sum(1 for _ in yaml.parse(text, Loader=loader))


def best_warm(repeats: int) -> dict[tuple[str, str], float]:
    """Best wall time (ms) of ``load()`` (gc off and gc on), of each stage and of the bare
    YAML event streams, per ruleset. The calls take turns within a round; a collection
    runs before each call."""
    calls: dict[tuple[str, str], Callable[[], object]] = {}
    for path in RULESETS:
        calls[(path.stem, "load()")] = lambda p=path: promorules.load(p)  # type: ignore[misc]
        for stage, call in stage_calls(path).items():
            calls[(path.stem, stage)] = call
        text = read(path)
        calls[(path.stem, "events, py")] = lambda t=text: yaml_events(  # type: ignore[misc]
            t, yaml.SafeLoader)
        if yaml.__with_libyaml__:
            calls[(path.stem, "events, C")] = lambda t=text: yaml_events(  # type: ignore[misc]
                t, yaml.CSafeLoader)
    best: dict[tuple[str, str], float] = {}
    clock = time.perf_counter_ns
    for _ in range(repeats):
        for key, call in calls.items():
            gc.collect()
            gc.disable()
            try:
                t0 = clock()
                call()
                elapsed = (clock() - t0) / 1e6
            finally:
                gc.enable()
            best[key] = min(best.get(key, elapsed), elapsed)
        for path in RULESETS:  # the same load with the collector on, as a service runs it
            gc.collect()
            t0 = clock()
            promorules.load(path)
            elapsed = (clock() - t0) / 1e6
            key = (path.stem, "load(), gc on")
            best[key] = min(best.get(key, elapsed), elapsed)
    return best


# -- fresh interpreters ----------------------------------------------------------------


def fresh_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH")) if p)
    return env


def run_fresh(args: list[str]) -> tuple[float, str, str]:
    """Wall time (ms) of ``python ARGS`` in a fresh interpreter, its stdout and stderr."""
    t0 = time.perf_counter_ns()
    done = subprocess.run([sys.executable, *args], env=fresh_env(), capture_output=True,
                          text=True, check=False)
    elapsed = (time.perf_counter_ns() - t0) / 1e6
    if done.returncode != 0:
        sys.exit(f"ABORT: python {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, done.stdout, done.stderr


# Timed inside the fresh interpreter: the import statement alone, start-up excluded.
IMPORT_PROBE = """\
import time
t0 = time.perf_counter_ns()
import {modules}
t1 = time.perf_counter_ns()
import sys
print((t1 - t0) / 1e6)
print(" ".join(sorted(m for m in sys.modules if m.startswith("promorules"))))
"""

# The first load in a fresh interpreter, then the same stages again, timed one by one.
FIRST_LOAD_PROBE = """\
import gc, hashlib, json, os, sys, time
import promorules
from promorules.compiler import compile_ruleset
from promorules.loader import parse_yaml
from promorules.model import build_model
from promorules.schema import validate
path, mode = sys.argv[1], sys.argv[2]
clock = time.perf_counter_ns
out = {}
gc.disable()
if mode == "load":
    t0 = clock(); promorules.load(path); out["load()"] = (clock() - t0) / 1e6
else:
    t0 = clock(); fh = open(path, "rb"); text = fh.read().decode("utf-8-sig"); fh.close()
    t1 = clock(); doc = parse_yaml(text, path)
    t2 = clock(); validate(doc)
    t3 = clock(); model, _ = build_model(doc, None)
    t4 = clock(); compiled, _, lints = compile_ruleset(model, doc)
    t5 = clock()
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    promorules.Ruleset(model, compiled, lints, digest, text)
    t6 = clock()
    for name, a, b in (("read", t0, t1), ("parse_yaml", t1, t2), ("validate", t2, t3),
                       ("build_model", t3, t4), ("compile_ruleset", t4, t5),
                       ("digest + Ruleset()", t5, t6)):
        out[name] = (b - a) / 1e6
print(json.dumps(out))
"""


def best_first_load(path: Path, fresh: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(fresh):
        for mode in ("load", "stages"):
            _, out, _ = run_fresh(["-c", FIRST_LOAD_PROBE, os.fspath(path), mode])
            for key, ms in json.loads(out).items():
                best[key] = min(best.get(key, ms), ms)
    return best


def best_import(modules: str, fresh: int) -> tuple[float, float, list[str]]:
    """Best in-process import time (ms) and best process wall time (ms) over ``fresh``
    interpreters, and the promorules modules the import loaded."""
    inner = wall = float("inf")
    loaded: list[str] = []
    for _ in range(fresh):
        elapsed, out, _ = run_fresh(["-c", IMPORT_PROBE.format(modules=modules)])
        ms, names = out.splitlines()
        inner, wall = min(inner, float(ms)), min(wall, elapsed)
        loaded = names.split()
    return inner, wall, loaded


def importtime(fresh: int) -> dict[str, tuple[int, int, int]]:
    """``-X importtime`` of ``import promorules``: module -> (best self µs, best cumulative
    µs, nesting depth), each the best over ``fresh`` interpreters."""
    rows: dict[str, tuple[int, int, int]] = {}
    for _ in range(fresh):
        _, _, err = run_fresh(["-X", "importtime", "-c", "import promorules"])
        for line in err.splitlines():
            if not line.startswith("import time:") or "[us]" in line:
                continue
            self_us, cum_us, name = line[len("import time:"):].split("|")
            depth = (len(name) - len(name.lstrip())) // 2
            key = name.strip()
            s, c = int(self_us), int(cum_us)
            if key in rows:
                s, c = min(s, rows[key][0]), min(c, rows[key][1])
            rows[key] = (s, c, depth)
    return rows


# -- the benchmark ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=15,
                    help="timing rounds of load() and its stages (default 15)")
    ap.add_argument("--fresh", type=int, default=10,
                    help="fresh interpreters per import / first-load figure (default 10)")
    ap.add_argument("--top", type=int, default=15,
                    help="modules listed from -X importtime (default 15)")
    args = ap.parse_args(argv)

    print(f"machine: {machine()}")
    print(f"promorules from {SRC}; PyYAML {yaml.__version__}, libyaml C loader "
          f"{'available' if yaml.__with_libyaml__ else 'NOT available'}")

    for path in RULESETS:
        verify(path)
    print(f"verified: for each of {len(RULESETS)} rulesets the stage-by-stage pipeline "
          "builds what load() builds (digest, decisions, generated source, lint), no "
          "problem reported")

    # -- load() in a warm process
    for path in RULESETS:  # one-off costs (validator, caches) paid before timing
        promorules.load(path)
    best = best_warm(args.repeats)
    print(f"\nload(), warm process (a ruleset already loaded once), best of {args.repeats} "
          "rounds, gc off unless said, ms:")
    names = [p.stem for p in RULESETS]
    width = max(len(n) for n in names)
    cols = ("load()", "load(), gc on", *STAGES, "sum of stages")
    heads = ("load()", "gc on", "read", "parse", "validate", "model", "compile", "finish",
             "stages")
    print(f"  {'ruleset':<{width}} {'lines':>5} " + " ".join(f"{h:>8}" for h in heads))
    for path in RULESETS:
        n = path.stem
        best[(n, "sum of stages")] = sum(best[(n, s)] for s in STAGES)
        lines = read(path).count("\n")
        print(f"  {n:<{width}} {lines:>5} "
              + " ".join(f"{best[(n, c)]:8.2f}" for c in cols))
    t = TARGET_RULESET
    share = ", ".join(f"{s} {100 * best[(t, s)] / best[(t, 'sum of stages')]:.0f}%"
                      for s in STAGES)
    print(f"  {t} share of the stages: {share}")
    print("  (finish = sha256 digest of the text and Ruleset(...); gc on = load() with the "
          "garbage collector enabled)")
    print("  for scale, PyYAML's bare event stream of the same text (yaml.parse, nothing "
          "built), ms:")
    for path in RULESETS:
        n = path.stem
        c = best.get((n, "events, C"))
        print(f"    {n:<{width}}  pure-Python SafeLoader {best[(n, 'events, py')]:6.2f}   "
              f"libyaml CSafeLoader {'not available' if c is None else f'{c:6.2f}'}")

    # -- the first load() in a fresh interpreter
    target_path = ROOT / "rulesets" / f"{TARGET_RULESET}.yaml"
    first = best_first_load(target_path, args.fresh)
    print(f"\nfirst load() of {TARGET_RULESET} in a fresh interpreter (after "
          f"import promorules), best of {args.fresh}, gc off, ms:")
    print(f"  load()            {first['load()']:8.2f}")
    for s in STAGES:
        extra = first[s] - best[(TARGET_RULESET, s)]
        print(f"    {s:<18}{first[s]:8.2f}   ({extra:+.2f} vs warm: one-off costs)")

    # -- import
    pass_wall = min(run_fresh(["-c", "pass"])[0] for _ in range(args.fresh))
    dep_ms, dep_wall, _ = best_import("yaml, jsonschema", args.fresh)
    imp_ms, imp_wall, loaded = best_import("promorules", args.fresh)
    print(f"\nimport in a fresh interpreter, best of {args.fresh}, ms "
          "(import = time inside the import statement; wall = the whole process):")
    print(f"  {'':34}{'import':>8}{'wall':>9}")
    print(f"  {'python -c pass (baseline)':34}{'':>8}{pass_wall:9.1f}")
    print(f"  {'import yaml, jsonschema (scale)':34}{dep_ms:8.1f}{dep_wall:9.1f}")
    print(f"  {'import promorules':34}{imp_ms:8.1f}{imp_wall:9.1f}")

    rows = importtime(args.fresh)
    print(f"\n-X importtime of import promorules, top {args.top} by cumulative time "
          f"(best of {args.fresh} per module, ms; indentation = nesting):")
    print(f"  {'cumulative':>10} {'self':>7}  module")
    for name, (self_us, cum_us, depth) in sorted(rows.items(),
                                                 key=lambda kv: -kv[1][1])[:args.top]:
        print(f"  {cum_us / 1000:10.1f} {self_us / 1000:7.1f}  {'  ' * depth}{name}")
    by_pkg: dict[str, int] = {}
    for name, (self_us, _, _) in rows.items():
        top = name.split(".")[0]
        by_pkg[top] = by_pkg.get(top, 0) + self_us
    total = sum(by_pkg.values())
    print(f"  self time by top-level package (sum of self times {total / 1000:.1f} ms): "
          + ", ".join(f"{p} {us / 1000:.1f}"
                      for p, us in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:10]))
    optional = [m for m in OPTIONAL if f"promorules.{m}" in loaded]
    print(f"  promorules modules loaded by import promorules: {len(loaded)}; optional "
          f"ones among them: {', '.join(optional) if optional else 'none'}")

    lt = best[(TARGET_RULESET, "load()")]
    print("\ntargets:")
    print(f"  load() of {TARGET_RULESET}, warm          {lt:8.2f} ms   target "
          f"{TARGET_LOAD_MS:g} ms   {verdict(lt, TARGET_LOAD_MS)}")
    print(f"  load() of {TARGET_RULESET}, first in process {first['load()']:5.2f} ms   "
          f"target {TARGET_LOAD_MS:g} ms   {verdict(first['load()'], TARGET_LOAD_MS)}")
    print(f"  import promorules                  {imp_ms:8.1f} ms   target "
          f"{TARGET_IMPORT_MS:g} ms   {verdict(imp_ms, TARGET_IMPORT_MS)}")
    print(f"  (python -c 'import promorules', whole process {imp_wall:.1f} ms, "
          f"{imp_wall - pass_wall:.1f} ms over python -c pass)")
    print(f"machine after: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
