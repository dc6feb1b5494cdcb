"""Benchmark: `merchant_eligibility` of rulesets/1688_spring.yaml against a hand-written
plain-Python function, on the same generated merchants.

    .venv/bin/python benchmarks/bench_merchant_eligibility.py [--n N] [--seed S] [--repeats R]

Measures, in one run, each through the public API as a user calls it, after
``evaluate()``:

  (a) a hand-written function returning the list of failed rule ids (the baseline);
  (b) ``outcome`` and ``failed_rule_ids`` (the fast path);
  (f) ``[x.rule_id for x in r.failed]`` (the contract's own way to ask);
  (c) ``to_dict()``;
  (t) ``r.trace``;
  (e) ``explain()``.

Targets (issue 9), as ratios to (a): (b) 3x, (f) 4x, (c) 15x, (t) 20x, (e) 40x; fact
validation and conversion included. Before timing, every merchant is checked to give the
same outcome and the same failed ids, in the same order, on (a), (b), (f) and (c); a
disagreement aborts the run (it is a bug in one of them). Timings never gate anything: this
is a script, not a test.

The merchants are JSON-like dicts as a service receives them (passed through
``json.loads(json.dumps(...))``, so every value has exactly a JSON type): money mostly as a
decimal string ("3000.00"), sometimes as a JSON number; ordinals and enums as strings;
booleans; integer points. Each of the 15 independent requirements is violated by about 2%
of the merchants, independently. The leaf rule ``chengxintong_status``
(``chengxintong_active and chengxintong_type in [enterprise, individual]``) fails exactly
when ``chengxintong`` does: the enum admits only those two types, so no valid merchant can
fail it any other way. The merchants do not send ``serious_fake_trade_history`` (a fact
added in 1688_spring 2.1.0 with a declared default, as an existing caller would not), so
``fake_trade_history`` never fails; the hand-written function reads it with the same
default. The hand-written function compares ``main_industry`` as written, where the
ruleset matches it in either Chinese script (``match: chinese``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import promorules

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "rulesets" / "1688_spring.yaml"
DECISION = "merchant_eligibility"
VIOLATION_RATE = 0.02
# (label, what is timed after evaluate(), target ratio to (a))
ROWS = (
    ("b", "outcome + failed_rule_ids", 3.0),
    ("f", "[x.rule_id for x in r.failed]", 4.0),
    ("c", "to_dict()", 15.0),
    ("t", "r.trace", 20.0),
    ("e", "explain()", 40.0),
)

# the 17 leaf rules of merchant_eligibility, in rule order (the order of failed_rule_ids)
LEAF_RULES = (
    "main_industry", "trade_medal", "chengxintong", "alipay_real_name", "buyer_protection",
    "deposit", "chengxintong_status", "fake_trade", "fake_trade_history", "violation_points",
    "ip_infringement",
    "store_competitiveness", "prohibited_info", "commercial_compliance", "infringing_listing",
    "court_dishonesty", "finance_overdue",
)

MEDALS = ("none", "A", "AA", "AAA", "AAAA", "AAAAA")
# Not in §四.1's list. The last is the list's heading, which is not an industry name.
OTHER_INDUSTRIES = ("房地產", "金融服務", "其他", "全類目(消費品+工業品)")


# -- the merchants ---------------------------------------------------------------------


def _money(rng: random.Random, cents: int) -> Any:
    """An amount as a service sends it: a decimal string most of the time, sometimes a
    JSON number (an integer when whole, else a float)."""
    if rng.random() < 0.85:
        return f"{cents // 100}.{cents % 100:02d}"
    return cents // 100 if cents % 100 == 0 else cents / 100


def generate(n: int, seed: int, industries: Iterable[str]) -> list[dict[str, Any]]:
    """``n`` merchants, deterministic for ``seed``."""
    rng = random.Random(seed)
    names = sorted(industries)

    def bad() -> bool:
        return rng.random() < VIOLATION_RATE

    merchants = []
    for _ in range(n):
        if bad():
            deposit = 299999 if rng.random() < 0.3 else rng.randrange(0, 300000)
        else:
            deposit = 300000 if rng.random() < 0.05 else rng.randrange(300000, 5000000)
        m = {
            "main_industry": rng.choice(OTHER_INDUSTRIES) if bad() else rng.choice(names),
            "trade_medal_level": "none" if bad() else rng.choice(MEDALS[1:]),
            "chengxintong_active": not bad(),
            "chengxintong_type": rng.choice(("enterprise", "individual")),
            "alipay_real_name_verified": not bad(),
            "buyer_protection_enabled": not bad(),
            "buyer_protection_deposit": _money(rng, deposit),
            "serious_fake_trade_3m": bad(),
            "violation_points_year": rng.randint(36, 60) if bad() else rng.randint(0, 35),
            "serious_ip_infringement": bad(),
            "store_competitiveness_ok": not bad(),
            "prohibited_info_points": rng.randint(24, 48) if bad() else (
                0 if rng.random() < 0.6 else rng.randint(1, 23)),
            "commercial_compliance_violation": bad(),
            "infringing_listing_penalty": bad(),
            "court_dishonest_record": bad(),
            "finance_serious_overdue": bad(),
        }
        merchants.append(m)
    # exactly the JSON types a service would see after parsing a request body
    loaded: list[dict[str, Any]] = json.loads(json.dumps(merchants, ensure_ascii=False))
    return loaded


# -- (a) the hand-written baseline -----------------------------------------------------


def make_hand_written(industries: Iterable[str]) -> Callable[[dict[str, Any]], list[str]]:
    """What a careful engineer writes by hand: Decimal for money, ordinal positions from
    a dict, the industry list as a frozenset. No type validation beyond the conversions."""
    industry_set = frozenset(industries)
    medal_pos = {name: i for i, name in enumerate(MEDALS)}
    medal_a = medal_pos["A"]
    cxt_types = frozenset(("enterprise", "individual"))
    min_deposit = Decimal(3000)

    def failed_conditions(m: dict[str, Any]) -> list[str]:
        failed = []
        if m["main_industry"] not in industry_set:
            failed.append("main_industry")
        if medal_pos[m["trade_medal_level"]] < medal_a:
            failed.append("trade_medal")
        active = m["chengxintong_active"]
        if not active:
            failed.append("chengxintong")
        if not m["alipay_real_name_verified"]:
            failed.append("alipay_real_name")
        if not m["buyer_protection_enabled"]:
            failed.append("buyer_protection")
        if Decimal(str(m["buyer_protection_deposit"])) < min_deposit:
            failed.append("deposit")
        if not (active and m["chengxintong_type"] in cxt_types):
            failed.append("chengxintong_status")
        if m["serious_fake_trade_3m"]:
            failed.append("fake_trade")
        # 備注3, a fact callers may leave out (the ruleset's default: false)
        if m.get("serious_fake_trade_history", False):
            failed.append("fake_trade_history")
        if not m["violation_points_year"] < 36:
            failed.append("violation_points")
        if m["serious_ip_infringement"]:
            failed.append("ip_infringement")
        if not m["store_competitiveness_ok"]:
            failed.append("store_competitiveness")
        if not m["prohibited_info_points"] < 24:
            failed.append("prohibited_info")
        if m["commercial_compliance_violation"]:
            failed.append("commercial_compliance")
        if m["infringing_listing_penalty"]:
            failed.append("infringing_listing")
        if m["court_dishonest_record"]:
            failed.append("court_dishonesty")
        if m["finance_serious_overdue"]:
            failed.append("finance_overdue")
        return failed

    return failed_conditions


# -- helpers shared with bench_breakdown.py ---------------------------------------------


def setup(n: int, seed: int) -> tuple[promorules.Ruleset, list[dict[str, Any]],
                                      Callable[[dict[str, Any]], list[str]]]:
    rs = promorules.load(RULESET)
    industries = rs.model.lists["industries"].items
    return rs, generate(n, seed, industries), make_hand_written(industries)


def verify(rs: promorules.Ruleset, merchants: list[dict[str, Any]],
           hand: Callable[[dict[str, Any]], list[str]]) -> None:
    """(a), (b), (f) and (c) agree on every merchant, or the run aborts."""
    bad = []
    for k, m in enumerate(merchants):
        expected = hand(m)
        outcome = "fail" if expected else "pass"
        r = rs.evaluate(DECISION, m)
        d = r.to_dict()
        if (r.outcome != outcome or list(r.failed_rule_ids) != expected
                or [x.rule_id for x in r.failed] != expected
                or d["outcome"] != outcome or d["failed"] != expected):
            bad.append((k, m, expected, r.outcome, r.failed_rule_ids, d["failed"]))
    if bad:
        print(f"ABORT: (a) and promorules disagree on {len(bad)} of {len(merchants)} "
              "merchants (a bug in one of them):", file=sys.stderr)
        for k, m, expected, outcome, ids, dict_ids in bad[:5]:
            print(f"  merchant #{k}: {json.dumps(m, ensure_ascii=False)}\n"
                  f"    (a) failed {expected}\n"
                  f"    (b) outcome {outcome}, failed_rule_ids {list(ids)}\n"
                  f"    (c) to_dict()['failed'] {dict_ids}", file=sys.stderr)
        sys.exit(1)


def best_ns(loops: dict[str, tuple[Callable[[list[Any]], None], list[Any]]], repeats: int,
            chunk: int = 500) -> dict[str, int]:
    """Wall time (ns) of each ``loop(items)`` over all its items.

    The items are timed in chunks of ``chunk``, every chunk ``repeats`` times, and the best
    time of each chunk is summed: a burst of load from another process spoils a few chunks
    of one round, not the figure. Within a round the loops take turns chunk by chunk, so
    that what is compared was timed moments apart. The garbage collector is off while
    timing (and a collection is run before each round)."""
    parts = {name: [items[i:i + chunk] for i in range(0, len(items), chunk)]
             for name, (_, items) in loops.items()}
    rounds = max(len(p) for p in parts.values())
    best: dict[tuple[str, int], int] = {}
    clock = time.perf_counter_ns
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            for k in range(rounds):
                for name, (loop, _) in loops.items():
                    if k >= len(parts[name]):
                        continue
                    part = parts[name][k]
                    t0 = clock()
                    loop(part)
                    elapsed = clock() - t0
                    key = (name, k)
                    best[key] = min(best.get(key, elapsed), elapsed)
        finally:
            gc.enable()
    totals = dict.fromkeys(loops, 0)
    for (name, _), ns in best.items():
        totals[name] += ns
    return totals


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.machine()}, "
            f"load average {load}")


# -- the benchmark ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="merchants (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--repeats", type=int, default=7, help="timing rounds (default 7)")
    args = ap.parse_args(argv)

    print(f"machine: {machine()}")
    rs, merchants, hand = setup(args.n, args.seed)
    n = len(merchants)

    counts = dict.fromkeys(LEAF_RULES, 0)
    failing = 0
    for m in merchants:
        ids = hand(m)
        failing += bool(ids)
        for i in ids:
            counts[i] += 1
    print(f"merchants: {n} (seed {args.seed}), failing {100 * failing / n:.1f}%")
    print("failing share per rule: " + ", ".join(
        f"{i} {100 * c / n:.1f}%" for i, c in counts.items()))

    verify(rs, merchants, hand)
    print("verified: (a), (b), (f) and (c) give the same outcome and failed ids on every "
          "merchant")

    evaluate = rs.evaluate
    calls: dict[str, Callable[[Any], Any]] = {
        "b": lambda r: (r.outcome, r.failed_rule_ids),
        "f": lambda r: [x.rule_id for x in r.failed],
        "c": lambda r: r.to_dict(),
        "t": lambda r: r.trace,
        "e": lambda r: r.explain(),
    }

    def loop_a(items: list[Any]) -> None:
        f = hand
        for m in items:
            f(m)

    def loop_evaluate(items: list[Any]) -> None:
        ev = evaluate
        for m in items:
            ev(DECISION, m)

    def timed(call: Callable[[Any], Any]) -> Callable[[list[Any]], None]:
        def loop(items: list[Any]) -> None:
            ev = evaluate
            for m in items:
                call(ev(DECISION, m))
        return loop

    for call in calls.values():  # plans and renderers are prepared on first use: not timed
        call(evaluate(DECISION, merchants[0]))
    loops = {"a": (loop_a, merchants), "evaluate": (loop_evaluate, merchants)}
    loops.update({k: (timed(call), merchants) for k, call in calls.items()})
    t = best_ns(loops, args.repeats)
    us = {k: v / n / 1000 for k, v in t.items()}

    print(f"\nbest of {args.repeats} rounds per chunk of 500, gc off, per evaluation:")
    print(f"  (a) hand-written, list of failed ids           {us['a']:8.2f} µs")
    over = False
    for key, label, target in ROWS:
        ratio = us[key] / us["a"]
        over = over or ratio > target
        verdict = "PASS" if ratio <= target else "OVER"
        print(f"  ({key}) evaluate + {label:<32} {us[key]:8.2f} µs   "
              f"({key})/(a) = {ratio:6.2f}x  target {target:g}x  {verdict}")
    print("breakdown (on top of evaluate()):")
    print(f"      evaluate() alone                           {us['evaluate']:8.2f} µs")
    for key, label, _ in ROWS:
        print(f"  ({key}) + {label:<40} {us[key] - us['evaluate']:8.2f} µs")
    if over:
        print("over a target: benchmarks/bench_breakdown.py splits the time further")
    print(f"machine after: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
