"""A pass/fail decision compiled into a durable_rules ruleset: an independent oracle for
the native engine, and a bridge to a streaming rules engine.

    >>> from promorules.backends import durable
    >>> dd = durable.compile(rs, "merchant_eligibility")
    >>> dd.evaluate(facts)
    'pass'

Three-valued logic is encoded with two durable conditions per rule node, T (it passes)
and F (it fails), plus N (not applicable) for rules that can be skipped; a rule node whose
conditions both fail to match is unknown. Each rule id becomes the name of durable rules:
``<id>`` fires when the rule passes, ``<id>:fail`` when it fails and ``<id>:na`` when it is
not applicable. The decision's outcome is ``pass`` when the root rule (named by the
decision id) fires, ``fail`` when ``<decision>:fail`` fires, ``unknown`` otherwise.

Facts are validated and converted by the ruleset's fact types, then posted as one JSON
fact: numbers and money as integers scaled by 10**6 (exact: ``2999.99`` is
``2999990000``), ordinals as their position, dates as day numbers, date-times as UTC
microseconds. Two things are computed in Python before posting, because durable_rules
cannot compute them exactly: arithmetic (``0.95 * market_price``, durable computes in
floating point and only on the right of a comparison) and ``contains_any`` (durable's
regular expressions have no negation). See docs/durable-backend.md.

The translation is a visitor over the typed IR (:mod:`.translate`), built from the
conditions and encodings of :mod:`.conditions`. durable_rules is imported lazily:
importing promorules never imports it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ... import ir
from ...errors import FactError, PromorulesError
from ...facts import FactType
from .conditions import MARKER, SCALE, Cond, encode, or_, split
from .translate import Derived, Translator, Unsupported, fact_field, len_field

if TYPE_CHECKING:
    from ...ruleset import Ruleset

__all__ = ["SCALE", "DurableDecision", "compile"]


def _engine() -> Any:
    try:
        from durable import engine  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as e:
        raise PromorulesError(
            "the durable backend needs durable-rules, which is not installed: "
            "pip install 'promorules[durable]'", code="PR810") from e
    return engine


class DurableDecision:
    """One pass/fail decision registered as a durable_rules ruleset of its own."""

    def __init__(self, name: str, decision: str, rules: Mapping[str, Cond],
                 facts: Mapping[str, FactType], derived: Sequence[Derived],
                 timezone: dt.tzinfo) -> None:
        engine = _engine()
        self.name = name
        self.decision = decision
        self._types = dict(facts)
        self._facts = tuple(sorted(facts))
        self._derived = tuple(derived)
        self._timezone = timezone
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._fired: list[str] = []
        self.definition: dict[str, dict[str, Any]] = {}
        self._logical: dict[str, str] = {}  # durable rule name -> rule name (<id>[:fail|:na])
        for rule_name, cond in rules.items():
            for k, part in enumerate(split(cond)):
                durable_name = rule_name if k == 0 else f"{rule_name}#{k + 1}"
                self.definition[durable_name] = {"all": [{"m": part}]}
                self._logical[durable_name] = rule_name
        actions = {n: {**d, "run": self._action(self._logical[n])}
                   for n, d in self.definition.items()}
        self._engine = engine
        try:
            self._ruleset = engine.Ruleset(name, None, actions)
        except Exception as e:  # durable_rules_engine.error: its network size limits
            raise PromorulesError(
                f"not supported by the durable backend: decision '{decision}' is too large "
                f"for durable_rules ({e})", code="PR811") from None

    def _action(self, rule_name: str) -> Callable[[Any], None]:
        def run(c: Any) -> None:
            self._fired.append(rule_name)
        return run

    @property
    def rule_names(self) -> tuple[str, ...]:
        """The rule names: ``<id>``, ``<id>:fail``, ``<id>:na`` (a large condition is split
        into durable rules ``<name>``, ``<name>#2``, ...: see ``definition``)."""
        return tuple(dict.fromkeys(self._logical.values()))

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the decision reads."""
        return self._facts

    def message(self, facts: Mapping[str, Any], as_of: Any = None) -> dict[str, Any]:
        """The JSON fact posted for ``facts`` (validated by the ruleset's fact types);
        ``today`` (for date spans) is the date of ``as_of`` in the ruleset's time zone."""
        if not isinstance(facts, Mapping):
            raise FactError(f"facts must be a mapping of fact names to values, not "
                            f"{type(facts).__name__}", code="PR600")
        converted: dict[str, Any] = {"today": self._today(as_of)}
        msg: dict[str, Any] = {MARKER: 1}
        for name in self._facts:
            ft = self._types[name]
            raw = facts.get(name)
            value = ft.convert(ft.default if raw is None else raw)
            if value is None:
                continue
            converted[name] = value
            ty = ir.fact_ty(ft)
            msg[fact_field(name)] = encode(ty, value, f"fact '{name}'")
            if ty.kind == ir.TyKind.LIST:
                msg[len_field(name)] = len(value)
        for d in self._derived:
            if all(f in converted for f in d.facts):
                msg[d.field] = d.compute(converted)
        return msg

    def _today(self, as_of: Any) -> dt.date:
        if as_of is None:
            return dt.datetime.now(self._timezone).date()
        if isinstance(as_of, str):
            try:
                as_of = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
            except ValueError:
                raise FactError(f"as_of {as_of!r} is not an ISO date or date-time",
                                code="PR608", fact="as_of") from None
        if isinstance(as_of, dt.datetime):
            moment: dt.datetime = as_of
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self._timezone)
            return moment.astimezone(self._timezone).date()
        if isinstance(as_of, dt.date):
            return as_of
        raise FactError("as_of must be a date-time, a date or an ISO string", code="PR608",
                        fact="as_of")

    def fired(self, facts: Mapping[str, Any], as_of: Any = None) -> tuple[str, ...]:
        """The names of the durable rules that fire on ``facts`` at ``as_of``."""
        msg = self.message(facts, as_of)
        engine = self._engine
        errors: list[BaseException] = []

        def done(error: BaseException | None, state: Any) -> None:
            if error is not None:
                errors.append(error)

        with self._lock:
            msg["sid"] = "0"
            msg["_n"] = next(self._counter)  # never the same fact twice
            self._fired = []
            try:
                handle = self._ruleset.assert_fact(msg)
            except engine.MessageNotHandledException:
                return ()  # no rule matched (durable does not keep the fact)
            try:
                self._ruleset.do_actions(handle, done)
            finally:
                with contextlib.suppress(engine.MessageNotHandledException):
                    self._ruleset.retract_fact(msg)
            fired = tuple(self._fired)
        if errors:  # pragma: no cover - our actions only record their name
            raise PromorulesError(f"durable_rules failed: {errors[0]!r}", code="PR900")
        return fired

    def evaluate(self, facts: Mapping[str, Any], as_of: Any = None) -> str:
        """``"pass"``, ``"fail"`` or ``"unknown"``; ``as_of`` (default now) is the instant
        rules reading ``today`` use."""
        fired = self.fired(facts, as_of)
        if self.decision in fired:
            return "pass"
        if f"{self.decision}:fail" in fired:
            return "fail"
        return "unknown"

    def rule_outcomes(self, facts: Mapping[str, Any], as_of: Any = None) -> dict[str, str]:
        """Each rule id of the decision's own tree: pass, fail, not_applicable or unknown."""
        fired = set(self.fired(facts, as_of))
        out: dict[str, str] = {}
        for name in self.rule_names:
            rid = name.split(":", 1)[0]
            if rid in out:
                continue
            out[rid] = ("pass" if rid in fired else "fail" if f"{rid}:fail" in fired
                        else "not_applicable" if f"{rid}:na" in fired else "unknown")
        return out

    def __repr__(self) -> str:
        return f"<DurableDecision {self.name}: {len(self.definition)} durable rules>"


def compile(ruleset: Ruleset, decision: str) -> DurableDecision:
    """Compile a pass/fail ``decision`` of ``ruleset`` into a durable_rules ruleset.

    Raises PromorulesError (``PR810``) when durable-rules is not installed and
    (``PR811``) when the decision uses something the backend does not support.
    """
    _engine()
    checked = ruleset.ir
    dec = checked.decisions.get(decision)
    if dec is None:
        raise PromorulesError(f"ruleset '{checked.id}' has no decision {decision!r}",
                              code="PR811")
    translator = Translator(checked.decisions)
    try:
        if dec.kind != ir.DecisionKind.PASSFAIL or dec.rule is None:
            raise Unsupported(f"value decisions ('{decision}' computes a value)")
        translator.register = True
        t, _, n = translator.rule(dec.rule)
    except Unsupported as e:
        raise PromorulesError(f"not supported by the durable backend: {e} "
                              f"(decision '{decision}' of '{checked.id}')",
                              code="PR811") from None
    # a decision is never not applicable: when nothing in it applies, it passes
    translator.rules[dec.rule.id] = or_(t, n)
    translator.rules.pop(f"{dec.rule.id}:na", None)
    name = f"{checked.id}_{decision}_{uuid.uuid4().hex[:8]}"
    return DurableDecision(name, decision, translator.rules, translator.facts,
                           translator.derived, checked.timezone)
