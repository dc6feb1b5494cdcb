"""Where the time of one `merchant_eligibility` evaluation goes.

    .venv/bin/python benchmarks/bench_breakdown.py [--n N] [--seed S] [--repeats R]

Same merchants as bench_merchant_eligibility.py. Times, per evaluation:

  * the loop and one Python call, as a floor (a no-op function);
  * fact conversion alone: the generated function's own prologue and fast-path guard
    (read the 16 facts, check each is present with its canonical JSON type and in range,
    turn money strings into Decimal and ordinals into positions), cut out of the generated
    source and run without the rules;
  * the generated function alone, ``rs.decisions["merchant_eligibility"].run(facts, None)``
    (conversion + rule evaluation + the record tuple);
  * ``evaluate()`` (adds the decision lookup, argument checks and the Result object);
  * ``outcome`` + ``failed_rule_ids``, ``r.failed``, ``to_dict()``, ``r.trace`` and
    ``explain()`` on top of it, on passing and on failing merchants apart;
  * the full (three-valued) path, forced by handing ``main_industry`` as a str subclass:
    a valid value that the fast path's exact-type guard declines, so the same merchants go
    through the converters and Kleene logic. (A float for money does *not* leave the fast
    path: floats are canonicalised there, through their shortest repr.)

The subtractions give the breakdown: fact conversion, rule evaluation, result
construction. The generated-source surgery relies on the shape of the generated code; if
the compiler changes shape, that row is skipped with a note instead of failing.

Before timing, it checks on every merchant that the fast and the full path give the same
record and that ``to_dict()``'s generated renderer equals ``trace.to_dict()``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bench_merchant_eligibility import DECISION, best_ns, machine, setup, verify

from promorules.compiler import CompiledDecision, exact_facts


class _Str(str):
    """A str subclass: valid for a string fact, but not the exact type the fast path wants."""

    __slots__ = ()


def conversion_only(decision: CompiledDecision) -> Callable[[Any, Any], bool] | None:
    """The generated function's fact prologue and fast-path guard, without the rules:
    returns True when the facts took the fast path. None if the code has another shape."""
    lines = decision.source_code.split("\n")
    guard = next((i for i, line in enumerate(lines)
                  if line.startswith("        if (f0.__class__")), None)
    if guard is None or lines[1].strip() != "try:":
        return None
    body = [line[4:] for line in lines[2:guard]]  # the prologue, out of the outer try
    src = ("def _convert(facts, as_of):\n" + "\n".join(body) + "\n" + lines[guard][4:]
           + "\n        return True\n    return False\n")
    ns = dict(decision.run.__globals__)
    local: dict[str, Any] = {}
    exec(compile(src, "<bench conversion-only>", "exec"), ns, local)
    fn: Callable[[Any, Any], bool] = local["_convert"]
    return fn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="merchants (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--repeats", type=int, default=7, help="timing rounds (default 7)")
    args = ap.parse_args(argv)

    print(f"machine: {machine()}")
    rs, merchants, hand = setup(args.n, args.seed)
    verify(rs, merchants, hand)
    n = len(merchants)
    decision = rs.decisions[DECISION]
    run = decision.run
    evaluate = rs.evaluate

    convert = conversion_only(decision)
    if convert is not None and not all(convert(m, None) for m in merchants):
        print("note: some merchants miss the fast path; the conversion row is skipped")
        convert = None

    # the full path: same facts, main_industry as a str subclass
    slow = [{**m, "main_industry": _Str(m["main_industry"])} for m in merchants]
    # correctness first: both paths give the same record, and the generated to_dict()
    # renderer gives exactly the built trace's to_dict()
    for m, s in zip(merchants, slow, strict=True):
        a, b = run(m, None), run(s, None)
        # a float the fast path keeps is read as its exact decimal, as every reader does
        exact = exact_facts(a[3], decision.float_facts)
        if (a[0], tuple(a[2]), exact) != (b[0], tuple(b[2]), b[3]):
            print(f"ABORT: fast and full paths disagree on {m}: {a} != {b}", file=sys.stderr)
            return 1
        r = evaluate(DECISION, m)
        if r.to_dict()["trace"] != r.trace.to_dict():
            print(f"ABORT: to_dict()'s renderer and trace.to_dict() disagree on {m}",
                  file=sys.stderr)
            return 1
    print("verified: fast and full paths give the same records; the to_dict() renderer "
          "equals trace.to_dict()")
    if convert is not None and any(convert(s, None) for s in slow):
        print("note: the str subclass did not leave the fast path")

    # every money amount as a JSON float: still the fast path
    floats = [{**m, "buyer_protection_deposit": float(m["buyer_protection_deposit"])}
              for m in merchants]
    records = [run(m, None) for m in merchants]
    passing = [m for m, r in zip(merchants, records, strict=True) if r[0] is True]
    failing = [m for m, r in zip(merchants, records, strict=True) if r[0] is False]

    def noop(m: Any) -> None:
        return None

    def each(fn: Callable[[Any], Any], items: list[Any]
             ) -> tuple[Callable[[list[Any]], None], list[Any]]:
        def loop(part: list[Any]) -> None:
            for x in part:
                fn(x)
        return loop, items

    def ev(m: Any) -> Any:
        return evaluate(DECISION, m)

    def ev_ids(m: Any) -> Any:
        r = evaluate(DECISION, m)
        return r.outcome, r.failed_rule_ids

    def ev_dict(m: Any) -> Any:
        return evaluate(DECISION, m).to_dict()

    def ev_failed(m: Any) -> Any:
        return [x.rule_id for x in evaluate(DECISION, m).failed]

    def ev_trace(m: Any) -> Any:
        return evaluate(DECISION, m).trace

    def ev_explain(m: Any) -> Any:
        return evaluate(DECISION, m).explain()

    def run1(m: Any) -> Any:
        return run(m, None)

    for prepare in (ev_dict, ev_failed, ev_trace, ev_explain):
        prepare(failing[0])  # plans and renderers are made on first use: not timed
    loops: dict[str, tuple[Callable[[list[Any]], None], list[Any]]] = {
        "floor: loop + one call to a no-op": each(noop, merchants),
        "(a) hand-written": each(hand, merchants),
        "run() fast path": each(run1, merchants),
        "evaluate()": each(ev, merchants),
        "evaluate() + outcome + failed_rule_ids  (b)": each(ev_ids, merchants),
        "evaluate() + to_dict()  (c)": each(ev_dict, merchants),
        "run() fast path, money always a float": each(run1, floats),
        "run() full path (str subclass)": each(run1, slow),
        "evaluate() full path": each(ev, slow),
        "(a) passing merchants": each(hand, passing),
        "(a) failing merchants": each(hand, failing),
        "(b) passing merchants": each(ev_ids, passing),
        "(b) failing merchants": each(ev_ids, failing),
        "(c) passing merchants": each(ev_dict, passing),
        "(c) failing merchants": each(ev_dict, failing),
        "(f) r.failed, failing merchants": each(ev_failed, failing),
        "(t) r.trace, passing merchants": each(ev_trace, passing),
        "(t) r.trace, failing merchants": each(ev_trace, failing),
        "(e) explain(), passing merchants": each(ev_explain, passing),
        "(e) explain(), failing merchants": each(ev_explain, failing),
    }
    if convert is not None:
        def conv1(m: Any) -> Any:
            return convert(m, None)
        loops["fact conversion alone (prologue + guard)"] = each(conv1, merchants)

    best = best_ns(loops, args.repeats)
    us = {k: best[k] / len(loops[k][1]) / 1000 for k in loops}

    print(f"merchants: {n} (seed {args.seed}): {len(passing)} pass, {len(failing)} fail")
    print(f"best of {args.repeats} rounds per chunk of 500, gc off, µs per evaluation "
          "(loop overhead included):")
    for k in loops:
        print(f"  {k:<48} {us[k]:7.2f}")

    floor = us["floor: loop + one call to a no-op"]
    b = us["evaluate() + outcome + failed_rule_ids  (b)"]
    print("\nbreakdown of (b), loop and call floor removed:")
    rows = []
    if convert is not None:
        conv = us["fact conversion alone (prologue + guard)"] - floor
        rows.append(("fact reading, validation, conversion", conv))
        rows.append(("rule evaluation + record tuple", us["run() fast path"] - floor - conv))
    else:
        rows.append(("run(): conversion + rules + record", us["run() fast path"] - floor))
    rows.append(("evaluate(): lookup, checks, Result", us["evaluate()"] - us["run() fast path"]))
    rows.append(("outcome + failed_rule_ids", b - us["evaluate()"]))
    total = sum(v for _, v in rows)
    for name, v in rows:
        print(f"  {name:<48} {v:7.2f}  {100 * v / total:5.1f}%")
    print(f"  {'(a) hand-written, floor removed':<48} "
          f"{us['(a) hand-written'] - floor:7.2f}")
    print("\non top of evaluate(), passing / failing merchants:")
    for label, key in (("to_dict()", "(c)"), ("r.trace", "(t) r.trace,"),
                       ("explain()", "(e) explain(),")):
        cost = [us[f"{key} {side} merchants"] - us[f"(b) {side} merchants"]
                for side in ("passing", "failing")]
        print(f"  {label:<12} {cost[0]:7.2f} / {cost[1]:7.2f} µs")
    print(f"  r.failed     {'-':>7} / "
          f"{us['(f) r.failed, failing merchants'] - us['(b) failing merchants']:7.2f} µs")
    print(f"full path: run() {us['run() full path (str subclass)']:.2f} µs vs fast path "
          f"{us['run() fast path']:.2f} µs")
    print(f"machine after: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
