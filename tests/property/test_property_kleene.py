"""Three-valued (Kleene) logic over partial facts.

- Every group node of a trace comes out as the Kleene combination of its children
  (all / any / not; not-applicable children and warning rules ignored).
- A reference three-valued evaluator written here, independent of the engine, agrees with
  the engine on every rule of the shipped 1688 ruleset and on random small inline rulesets
  (with ``applies_when``, ``severity: warning`` and decision references).
- Unknown exactly when no branch decides: with every fact present the outcome is never
  unknown; when it is unknown, ``missing`` is non-empty and lists only absent facts.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import opencc
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from prop_support import (
    AS_OF,
    BANNED,
    INDUSTRIES,
    PASSFAIL,
    REMOTE,
    RS,
    absent,
    as_decimal,
    facts_read,
    partial_facts,
    walk_with_parent,
)

import promorules

PASS, FAIL, UNKNOWN, NA = "pass", "fail", "unknown", "not_applicable"
Outcome = str
Tri = bool | None  # True / False / None (unknown)


def to_outcome(v: Tri) -> Outcome:
    return {True: PASS, False: FAIL, None: UNKNOWN}[v]


def kleene_all(outcomes: list[Outcome]) -> Outcome:
    live = [o for o in outcomes if o != NA]
    if FAIL in live:
        return FAIL
    return UNKNOWN if UNKNOWN in live else PASS


def kleene_any(outcomes: list[Outcome]) -> Outcome:
    live = [o for o in outcomes if o != NA]
    if PASS in live:
        return PASS
    return UNKNOWN if UNKNOWN in live else FAIL


def kleene_not(outcome: Outcome) -> Outcome:
    return {PASS: FAIL, FAIL: PASS, UNKNOWN: UNKNOWN, NA: NA}[outcome]


def combine(kind: str, outcomes: list[Outcome]) -> Outcome:
    if kind == "all":
        return kleene_all(outcomes)
    if kind == "any":
        return kleene_any(outcomes)
    assert kind == "not" and len(outcomes) == 1
    return kleene_not(outcomes[0])


def contribution(node: Any) -> Outcome:
    """What a child contributes to its parent: warnings never decide."""
    return NA if node.severity == "warning" else str(node.outcome)


def check_groups_are_kleene(rs: promorules.Ruleset, trace: Any,
                            conditional: frozenset[str] = frozenset()) -> None:
    """Every group node of ``trace`` equals the Kleene combination of its children.

    ``conditional``: ids of rules with an ``applies_when``, which may also be unknown
    because their condition is."""
    for node, _parent in walk_with_parent(trace):
        outcome = str(node.outcome)
        if outcome == NA or not node.children:
            continue
        if node.rule_id in conditional and outcome == UNKNOWN:
            continue
        # traces of decisions read inside expressions are context, not rules
        kids = [contribution(c) for c in node.children if c.kind != "reference"]
        if node.kind in ("all", "any", "not"):
            # a group rule, or the root of a decision (which keeps its all/any/not kind)
            expected = combine(node.kind, kids)
            if node.decision is not None and expected == NA:
                expected = PASS  # a decision where nothing applies passes
            assert outcome == expected, (node.rule_id, outcome, kids)
            if node.decision is not None:
                assert rs.decisions[node.decision].model.rule.kind == node.kind
        elif node.kind == "decision":
            # a `decision:` rule: the referenced decision's outcome, its trace as the child
            (sub,) = node.children
            assert sub.decision == node.decision, node.rule_id
            assert outcome == str(sub.outcome), node.rule_id
    assert str(trace.outcome) in (PASS, FAIL, UNKNOWN)


# -- a reference evaluator for the shipped 1688 ruleset ---------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def num(facts: Mapping[str, Any], name: str) -> Decimal | None:
    v = facts.get(name)
    return None if v is None else as_decimal(v)


def cmp(name: str, op: str, t: Decimal | int) -> Callable[[Mapping[str, Any]], Tri]:
    def f(facts: Mapping[str, Any]) -> Tri:
        x = num(facts, name)
        if x is None:
            return None
        return {"<": x < t, "<=": x <= t, ">=": x >= t}[op]
    return f


def is_true(name: str) -> Callable[[Mapping[str, Any]], Tri]:
    return lambda facts: facts.get(name)


def is_false(name: str) -> Callable[[Mapping[str, Any]], Tri]:
    return lambda facts: None if facts.get(name) is None else not facts[name]


def member(name: str, values: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Tri]:
    return lambda facts: None if facts.get(name) is None else facts[name] in values


_T2S = opencc.OpenCC("t2s")


@functools.cache
def chinese(text: str) -> str:
    """``match: chinese`` as the format states it: NFKC, then OpenCC t2s."""
    return _T2S.convert(unicodedata.normalize("NFKC", text))


def member_chinese(name: str, values: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Tri]:
    folded = {chinese(v) for v in values}
    return lambda facts: None if facts.get(name) is None else chinese(facts[name]) in folded


def is_false_or_default(name: str) -> Callable[[Mapping[str, Any]], Tri]:
    """A boolean fact with ``default: false``: not sent reads as false."""
    return lambda facts: not (facts.get(name) or False)


def level_at_least(name: str, scale: tuple[str, ...], floor: str
                   ) -> Callable[[Mapping[str, Any]], Tri]:
    return lambda facts: None if facts.get(name) is None else (
        scale.index(facts[name]) >= scale.index(floor))


def price_ok(name: str) -> Callable[[Mapping[str, Any]], Tri]:
    def f(facts: Mapping[str, Any]) -> Tri:
        price, market = num(facts, name), num(facts, "market_price")
        if price is None or market is None:
            return None
        return price <= Decimal("0.95") * market
    return f


def status_ok(facts: Mapping[str, Any]) -> Tri:
    active = facts.get("chengxintong_active")
    typ = member("chengxintong_type", ("enterprise", "individual"))(facts)
    if active is False or typ is False:
        return False
    return None if active is None or typ is None else True


def title_ok(facts: Mapping[str, Any]) -> Tri:
    title = facts.get("title")
    return None if title is None else not any(chinese(w) in chinese(title) for w in BANNED)


# "until 2024-03-05 23:59:59" covers that whole second: the window ends before 00:00:00
WINDOW = (dt.datetime(2023, 2, 23, tzinfo=SHANGHAI),
          dt.datetime(2024, 3, 6, tzinfo=SHANGHAI))


def in_window(facts: Mapping[str, Any]) -> Tri:
    raw = facts.get("submitted_at")
    if raw is None:
        return None
    moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return WINDOW[0] <= moment < WINDOW[1]


MEDALS = ("none", "A", "AA", "AAA", "AAAA", "AAAAA")
LEVELS = ("L0", "L1", "L2", "L3", "L4", "L5", "L6")

# (kind, id, children | check function | referenced decision)
ORACLE: dict[str, tuple[Any, ...]] = {
    "yanxuan_entry": ("all", "yanxuan_entry", [
        ("check", "pickup_rate", cmp("pickup_rate_48h_30d", ">=", 90)),
        ("check", "growth_score", cmp("growth_score", ">=", 60)),
        ("any", "store_level_or_identity", [
            ("check", "chengxintong_level", level_at_least("chengxintong_level", LEVELS, "L2")),
            ("check", "merchant_identity", member("merchant_identity",
                                                  ("power_merchant", "super_factory"))),
        ]),
    ]),
    "merchant_eligibility": ("all", "merchant_eligibility", [
        ("check", "main_industry", member_chinese("main_industry", INDUSTRIES)),
        ("check", "trade_medal", level_at_least("trade_medal_level", MEDALS, "A")),
        ("check", "chengxintong", is_true("chengxintong_active")),
        ("check", "alipay_real_name", is_true("alipay_real_name_verified")),
        ("check", "buyer_protection", is_true("buyer_protection_enabled")),
        ("check", "deposit", cmp("buyer_protection_deposit", ">=", 3000)),
        ("check", "chengxintong_status", status_ok),
        ("check", "fake_trade", is_false("serious_fake_trade_3m")),
        ("check", "fake_trade_history", is_false_or_default("serious_fake_trade_history")),
        ("all", "violation_record", [
            ("check", "violation_points", cmp("violation_points_year", "<", 36)),
            ("check", "ip_infringement", is_false("serious_ip_infringement")),
        ]),
        ("check", "store_competitiveness", is_true("store_competitiveness_ok")),
        ("check", "prohibited_info", cmp("prohibited_info_points", "<", 24)),
        ("check", "commercial_compliance", is_false("commercial_compliance_violation")),
        ("check", "infringing_listing", is_false("infringing_listing_penalty")),
        ("check", "court_dishonesty", is_false("court_dishonest_record")),
        ("check", "finance_overdue", is_false("finance_serious_overdue")),
    ]),
    "product_eligibility": ("all", "product_eligibility", [
        ("check", "yanxuan_product", is_true("is_yanxuan")),
        ("check", "industry", member_chinese("industry", INDUSTRIES)),
        ("check", "alipay_guaranteed_trade", is_true("alipay_guaranteed_trade")),
        ("check", "min_order_qty", cmp("min_order_qty", "<=", 2)),
        ("check", "free_shipping", is_true("free_shipping")),
        ("check", "price_pc", price_ok("activity_price_pc")),
        ("check", "price_mobile", price_ok("activity_price_mobile")),
        ("check", "experience_score", cmp("experience_score_30d", ">=", 2)),
        ("check", "dispute_score", cmp("dispute_score_30d", ">=", 4)),
        ("check", "title_words", title_ok),
    ]),
    "registration": ("all", "registration", [
        ("decision", "merchant", "merchant_eligibility"),
        ("decision", "product", "product_eligibility"),
        ("check", "registration_window", in_window),
    ]),
}


def oracle_tree(spec: tuple[Any, ...], facts: Mapping[str, Any]) -> tuple[str, Outcome, list]:
    """(id, outcome, children) mirroring the expected trace."""
    kind, rid, body = spec
    if kind == "check":
        return rid, to_outcome(body(facts)), []
    if kind == "decision":
        sub = oracle_tree(ORACLE[body], facts)
        return rid, sub[1], [sub]
    children = [oracle_tree(c, facts) for c in body]
    return rid, combine(kind, [c[1] for c in children]), children


def assert_matches_oracle(node: Any, expected: tuple[str, Outcome, list]) -> None:
    rid, outcome, children = expected
    assert node.rule_id == rid
    assert str(node.outcome) == outcome, (rid, str(node.outcome), outcome, dict(node.actual))
    assert len(node.children) == len(children), rid
    for child, want in zip(node.children, children, strict=True):
        assert_matches_oracle(child, want)


def leaf_ids(tree: tuple[str, Outcome, list], outcome: Outcome) -> list[str]:
    rid, o, children = tree
    if o != outcome:
        return []
    if not children:
        return [rid]
    return [x for c in children for x in leaf_ids(c, outcome)]


@st.composite
def decision_and_facts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    decision = draw(st.sampled_from(PASSFAIL))
    return decision, draw(partial_facts(facts_read(decision)))


@given(decision_and_facts())
def test_shipped_ruleset_agrees_with_reference_evaluator(case: tuple[str, dict[str, Any]]
                                                        ) -> None:
    decision, facts = case
    result = RS.evaluate(decision, facts, as_of=AS_OF)
    expected = oracle_tree(ORACLE[decision], facts)
    assert str(result.outcome) == expected[1]
    assert result.passed == (expected[1] == PASS)
    assert_matches_oracle(result.trace, expected)
    check_groups_are_kleene(RS, result.trace)
    # failed leaves, on both the trace and the fast path
    want_failed = leaf_ids(expected, FAIL) if expected[1] == FAIL else []
    assert [r.rule_id for r in result.failed] == want_failed
    assert result.failed_rule_ids == tuple(want_failed)
    assert all(str(r.outcome) == FAIL for r in result.failed)


@given(decision_and_facts())
def test_unknown_only_for_missing_facts(case: tuple[str, dict[str, Any]]) -> None:
    decision, facts = case
    result = RS.evaluate(decision, facts, as_of=AS_OF)
    read = facts_read(decision)
    missing = set(result.missing)
    # only facts that were needed and absent are reported missing
    assert missing <= {n for n in read if absent(facts, n)}
    assert len(result.missing) == len(missing)  # no duplicates
    if all(not absent(facts, n) for n in read):
        assert result.outcome != UNKNOWN
        assert result.missing == ()
        assert result.unknown == ()
    if result.outcome == UNKNOWN:
        assert result.missing, "an unknown outcome must name the facts it lacks"
        assert result.unknown
        assert result.failed == ()
    # every unknown leaf reads at least one absent fact
    for node in result.unknown:
        assert any(absent(facts, n) for n in node.facts), node.rule_id
    # rules whose facts are all present are never unknown
    for node in result.trace.walk():
        if node.kind == "check" and node.facts and all(not absent(facts, n)
                                                       for n in node.facts):
            assert node.outcome != UNKNOWN, node.rule_id


@given(st.data())
def test_value_decisions_unknown_exactly_when_inputs_missing(data: st.DataObject) -> None:
    names = (*facts_read("benefits"), "destination_region", "submitted_at")
    facts = data.draw(partial_facts(names))
    # free_shipping_required: destination_country not sent (default CN), so
    # not (destination_region in remote_regions), matched in either Chinese script
    r = RS.evaluate("free_shipping_required", facts, as_of=AS_OF)
    region = facts.get("destination_region")
    if region is None:
        assert (str(r.outcome), r.value, r.missing) == (UNKNOWN, None,
                                                        ("destination_region",))
    else:
        assert (str(r.outcome), r.value) == (PASS, not member_chinese("r", REMOTE)({"r": region}))
        assert r.missing == ()
    # review_due: unknown exactly when submitted_at is absent
    r = RS.evaluate("review_due", facts, as_of=AS_OF)
    if facts.get("submitted_at") is None:
        assert (str(r.outcome), r.value, r.missing) == (UNKNOWN, None, ("submitted_at",))
    else:
        assert str(r.outcome) == PASS and isinstance(r.value, dt.date)
    # benefits: unknown when registration is unknown, or it passes and has_plus_price
    # is absent
    reg = oracle_tree(ORACLE["registration"], facts)[1]
    r = RS.evaluate("benefits", facts, as_of=AS_OF)
    plus = facts.get("has_plus_price")
    if reg == UNKNOWN or (reg == PASS and plus is None):
        assert str(r.outcome) == UNKNOWN and r.value is None
        assert r.missing
        assert all(absent(facts, n) for n in r.missing)
    else:
        assert str(r.outcome) == PASS
        base = ["yanxuan_badge", "quality_main_image_chance", "search_recommend_boost",
                "venue_exposure", "channel_priority", "plus_member_support"]
        assert r.value == ([] if reg == FAIL else base + (["plus_red_packet"] if plus else []))
        # (facts left unknown under a registration that failed anyway may be listed)
        assert all(absent(facts, n) for n in r.missing)


# -- random inline rulesets ------------------------------------------------------------

BOOLS = ("b0", "b1", "b2", "b3")
NUMS = ("n0", "n1", "n2")

# expression text -> reference function over the raw facts
EXPRESSIONS: dict[str, Callable[[Mapping[str, Any]], Tri]] = {}


def _expr(text: str) -> Callable[[Callable[[Mapping[str, Any]], Tri]], None]:
    def register(fn: Callable[[Mapping[str, Any]], Tri]) -> None:
        EXPRESSIONS[text] = fn
    return register


def _kand(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _kor(a: Tri, b: Tri) -> Tri:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _n(f: Mapping[str, Any], name: str) -> int | None:
    return f.get(name)


for _b in BOOLS:
    EXPRESSIONS[_b] = lambda f, b=_b: f.get(b)
    EXPRESSIONS[f"not {_b}"] = lambda f, b=_b: None if f.get(b) is None else not f[b]
for _name in NUMS:
    for _op, _t in ((">=", 50), ("<", 30), (">", 10), ("<=", 70)):
        EXPRESSIONS[f"{_name} {_op} {_t}"] = (
            lambda f, n=_name, op=_op, t=_t: None if f.get(n) is None else
            {">=": f[n] >= t, "<": f[n] < t, ">": f[n] > t, "<=": f[n] <= t}[op])
EXPRESSIONS["b0 and n1 > 10"] = lambda f: _kand(f.get("b0"), EXPRESSIONS["n1 > 10"](f))
EXPRESSIONS["b2 or b3"] = lambda f: _kor(f.get("b2"), f.get("b3"))
EXPRESSIONS["n0 >= n1"] = lambda f: None if f.get("n0") is None or f.get("n1") is None \
    else f["n0"] >= f["n1"]
EXPRESSION_TEXTS = tuple(EXPRESSIONS)


@st.composite
def rule_tree(draw: st.DrawFn, depth: int, counter: list[int], allow_ref: bool,
              under_not: bool = False) -> dict[str, Any]:
    counter[0] += 1
    rid = f"r{counter[0]}"
    rule: dict[str, Any] = {"id": rid, "description": {"en": f"rule {rid}", "zh": f"規則{rid}"},
                            "source": "D §1"}
    choices = ["check", "check"]
    if depth > 0:
        choices += ["all", "any", "not"]
    if allow_ref:
        choices.append("decision")
    kind = draw(st.sampled_from(choices))
    if kind == "check":
        rule["check"] = draw(st.sampled_from(EXPRESSION_TEXTS))
    elif kind == "decision":
        rule["decision"] = "helper"
    elif kind == "not":
        rule["not"] = draw(rule_tree(depth - 1, counter, allow_ref, under_not=True))
    else:
        n = draw(st.integers(1, 3))
        rule[kind] = [draw(rule_tree(depth - 1, counter, allow_ref)) for _ in range(n)]
    if draw(st.integers(0, 4)) == 0:
        rule["applies_when"] = draw(st.sampled_from(EXPRESSION_TEXTS))
    # (a warning directly under `not` is left out: `not` of a rule that never decides is
    # meaningless, and the engine then shows the warning as not applicable)
    if not under_not and draw(st.integers(0, 6)) == 0:
        rule["severity"] = "warning"
    return rule


@st.composite
def decision_body(draw: st.DrawFn, allow_ref: bool) -> dict[str, Any]:
    counter = [0] if not allow_ref else [100]
    kind = draw(st.sampled_from(("all", "any", "not")))
    if kind == "not":
        body: Any = draw(rule_tree(2, counter, allow_ref, under_not=True))
    else:
        body = [draw(rule_tree(2, counter, allow_ref)) for _ in range(draw(st.integers(1, 3)))]
    return {"description": {"en": "decision", "zh": "決定"}, "source": "D §1", kind: body}


@st.composite
def inline_ruleset(draw: st.DrawFn) -> dict[str, Any]:
    facts: dict[str, Any] = {b: {"type": "boolean"} for b in BOOLS}
    facts.update({n: {"type": "integer", "min": 0, "max": 100} for n in NUMS})
    return {
        "id": "prop_inline",
        "version": "1.0.0",
        "title": {"en": "Inline", "zh": "內聯"},
        "timezone": "Asia/Shanghai",
        "sources": {"D": {"file": "d.txt", "title": "d"}},
        "facts": facts,
        "decisions": {"helper": draw(decision_body(False)), "top": draw(decision_body(True))},
    }


@st.composite
def inline_facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in BOOLS:
        v = draw(st.sampled_from((True, False, None, "absent")))
        if v != "absent":
            out[b] = v
    for n in NUMS:
        v = draw(st.one_of(st.none(), st.just("absent"),
                           st.sampled_from((10, 11, 29, 30, 50, 70, 71)), st.integers(0, 100)))
        if v != "absent":
            out[n] = v
    return out


class Ref(NamedTuple):
    """A node of the expected trace."""

    outcome: Outcome
    children: list[Ref]
    is_reference: bool = False  # a `decision:` rule (shows no sub-trace when not applicable)


def dead(node: Ref) -> Ref:
    """A node below a not-applicable rule: not applicable, and so is all below it."""
    if node.is_reference:
        return Ref(NA, [], True)
    return Ref(NA, [dead(c) for c in node.children])


def ref_rule(rule: Mapping[str, Any], facts: Mapping[str, Any], decisions: Mapping[str, Any]
             ) -> Ref:
    """The expected trace node of a rule."""
    when = rule.get("applies_when")
    if "check" in rule:
        node = Ref(to_outcome(EXPRESSIONS[rule["check"]](facts)), [])
    elif "decision" in rule:
        sub = ref_decision(rule["decision"], facts, decisions)
        node = Ref(sub.outcome, [sub], True)
    else:
        kind = next(k for k in ("all", "any", "not") if k in rule)
        subs = rule[kind] if kind != "not" else [rule["not"]]
        children = [ref_rule(c, facts, decisions) for c in subs]
        outcome = combine(kind, [NA if r.get("severity") == "warning" else c.outcome
                                 for c, r in zip(children, subs, strict=True)])
        node = Ref(outcome, children)
    if when is not None:
        w = EXPRESSIONS[when](facts)
        if w is False:
            node = Ref(NA, node.children, node.is_reference)
        elif w is None:
            node = Ref(UNKNOWN, node.children, node.is_reference)
    return dead(node) if node.outcome == NA else node


def ref_decision(did: str, facts: Mapping[str, Any], decisions: Mapping[str, Any]) -> Ref:
    d = decisions[did]
    kind = next(k for k in ("all", "any", "not") if k in d)
    node = ref_rule({"id": did, kind: d[kind]}, facts, decisions)
    # a decision is never "not applicable": when nothing in it applies it passes
    return Ref(PASS, node.children, node.is_reference) if node.outcome == NA else node


def conditional_ids(doc: Mapping[str, Any]) -> frozenset[str]:
    out: set[str] = set()

    def visit(rule: Any) -> None:
        if isinstance(rule, list):
            for r in rule:
                visit(r)
        elif isinstance(rule, dict):
            if "applies_when" in rule:
                out.add(rule["id"])
            for k in ("all", "any", "not"):
                if k in rule:
                    visit(rule[k])

    for d in doc["decisions"].values():
        visit(d)
    return frozenset(out)


def assert_inline_matches(node: Any, expected: Ref, path: str) -> None:
    outcome, children, _ = expected
    assert str(node.outcome) == outcome, (path, node.rule_id, str(node.outcome), outcome)
    assert len(node.children) == len(children), (path, node.rule_id)
    for child, want in zip(node.children, children, strict=True):
        assert_inline_matches(child, want, f"{path}/{child.rule_id}")


# Each example loads a generated ruleset (about 50 ms): the default run tries a quarter of
# the profile's examples, the slow profile (-m slow) eight times as many.
INLINE = given(doc=inline_ruleset(), facts=st.lists(inline_facts(), min_size=1, max_size=4))


@settings(max_examples=max(10, settings().max_examples // 4))
@INLINE
def test_inline_rulesets_agree_with_reference_evaluator(doc: dict[str, Any],
                                                        facts: list[dict[str, Any]]) -> None:
    inline_agrees(doc, facts)


@pytest.mark.slow
@settings(max_examples=settings().max_examples * 2)
@INLINE
def test_inline_rulesets_agree_with_reference_evaluator_long(doc: dict[str, Any],
                                                             facts: list[dict[str, Any]]
                                                             ) -> None:
    inline_agrees(doc, facts)


def inline_agrees(doc: dict[str, Any], facts: list[dict[str, Any]]) -> None:
    """The generated ruleset ``doc`` agrees with the reference evaluator on every facts."""
    rs = promorules.loads(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                          source="inline.yaml")
    for f in facts:
        for did in ("helper", "top"):
            result = rs.evaluate(did, f)
            expected = ref_decision(did, f, doc["decisions"])
            outcome = expected.outcome
            if outcome == NA:
                # nothing in the decision applies (a root `not` of a not-applicable rule):
                # a decision still comes out pass or fail, never "not applicable"; nothing
                # is missing
                assert str(result.outcome) in (PASS, FAIL), (did, f)
                assert result.missing == ()
            else:
                assert str(result.outcome) == outcome, (did, f)
                assert str(result.trace.outcome) == outcome
                assert_inline_matches(result.trace, expected, did)
                check_groups_are_kleene(rs, result.trace, conditional_ids(doc))
            if all(f.get(n) is not None for n in (*BOOLS, *NUMS)):
                assert result.outcome != UNKNOWN
            if result.outcome == UNKNOWN:
                assert result.missing
            assert all(f.get(n) is None for n in result.missing)
            # a failed decision names the rules that made it fail (both ways of asking)
            if result.outcome == FAIL:
                assert result.failed, (did, f)
            assert [r.rule_id for r in result.failed] == list(result.failed_rule_ids)


# -- explicit shapes (minimal cases the random search above found) -----------------------

def _rule(rid: str, **body: Any) -> dict[str, Any]:
    return {"id": rid, "description": {"en": rid, "zh": rid}, "source": "D §1", **body}


def _ruleset(top: dict[str, Any]) -> promorules.Ruleset:
    doc = {
        "id": "shapes", "version": "1.0.0", "title": {"en": "Shapes", "zh": "形狀"},
        "timezone": "Asia/Shanghai", "sources": {"D": {"file": "d.txt", "title": "d"}},
        "facts": {"b0": {"type": "boolean"}, "b1": {"type": "boolean"}},
        "decisions": {"top": {"description": {"en": "top", "zh": "top"}, "source": "D §1",
                              **top}},
    }
    return promorules.loads(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                            source="shapes.yaml")


def _outcomes(result: promorules.Result) -> dict[str, str]:
    return {n.rule_id: str(n.outcome) for n in result.trace.walk()}


def test_any_with_a_not_over_an_inapplicable_rule_is_decided_by_its_other_branch() -> None:
    # grp = any(r3, not r2) where r2 does not apply: grp is r3 (fail), so top fails.
    rs = _ruleset({"all": [
        _rule("grp", any=[_rule("r3", check="b0"),
                          _rule("r1", **{"not": _rule("r2", check="b0", applies_when="b1")})]),
        _rule("r4", check="not b0"),
    ]})
    result = rs.evaluate("top", {"b0": False, "b1": False})
    assert _outcomes(result) == {"top": FAIL, "grp": FAIL, "r3": FAIL, "r1": NA, "r2": NA,
                                 "r4": PASS}
    assert str(result.outcome) == FAIL
    assert [r.rule_id for r in result.failed] == ["r3"]


def test_not_of_a_not_over_an_inapplicable_rule_is_not_applicable() -> None:
    # r101 = not (not r103) with r103 not applicable: nothing applies, top (all) passes.
    rs = _ruleset({"all": [
        _rule("r101", **{"not": _rule("r102", **{"not": _rule("r103", check="b0",
                                                              applies_when="not b0")})}),
    ]})
    result = rs.evaluate("top", {"b0": True})
    assert _outcomes(result) == {"top": PASS, "r101": NA, "r102": NA, "r103": NA}
    assert str(result.outcome) == PASS


def test_a_decision_that_is_a_not_of_an_inapplicable_rule_still_evaluates() -> None:
    # The root `not` of a rule that does not apply: the decision must come out pass or fail
    # (nothing applies, nothing is missing), not raise.
    rs = _ruleset({"not": _rule("r1", check="b0", applies_when="b1")})
    for facts in ({"b0": True, "b1": False}, {"b0": False, "b1": False}):
        result = rs.evaluate("top", facts)
        assert str(result.outcome) in (PASS, FAIL)
        assert result.missing == ()
        assert result.to_dict()["outcome"] == str(result.outcome)
        result.explain()


def test_a_failed_any_with_no_applicable_branch_names_a_failed_rule() -> None:
    # `any` fails when no branch applies (format.md); the failure must still be explained.
    rs = _ruleset({"any": [_rule("r1", check="b0", applies_when="b1")]})
    result = rs.evaluate("top", {"b0": True, "b1": False})
    assert str(result.outcome) == FAIL
    assert result.failed, "a failed decision lists what failed"
    assert [r.rule_id for r in result.failed] == list(result.failed_rule_ids)
    assert result.to_dict()["failed"] == list(result.failed_rule_ids)
