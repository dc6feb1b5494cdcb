"""A testing kit for ruleset authors: Hypothesis strategies of valid facts, the explicit
boundary cases of every threshold, and :func:`check_ruleset`, which fuzzes every decision of
a ruleset against the engine's generic guarantees.

A consumer of the typed IR (pipeline stage 4a): thresholds, the facts to draw and the
meaning of each rule come from ``ruleset.decisions[d].ir``. Modules: :mod:`.walk` (walks
over the IR), :mod:`.thresholds` (thresholds and boundaries), :mod:`.strategies` (the
Hypothesis strategies) and :mod:`.checks` (the generic properties).

Needs Hypothesis (``pip install promorules[test]``)::

    from hypothesis import given
    from promorules.testing import boundaries, check_ruleset, facts

    rs = promorules.load("rulesets/1688_spring.yaml")

    @given(facts(rs, "merchant_eligibility"))
    def test_never_raises(f):
        rs.evaluate("merchant_eligibility", f, as_of="2024-03-01")

    def test_generic_properties():
        check_ruleset(rs)

See docs/testing-kit.md.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401  (the submodules need it: say so before they fail)
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("promorules.testing needs Hypothesis: pip install 'promorules[test]'"
                      ) from e

from .checks import check_case, check_ruleset
from .strategies import as_of_strategy, facts
from .thresholds import Boundary, Threshold, boundaries, thresholds

__all__ = ["Boundary", "Threshold", "as_of_strategy", "boundaries", "check_case",
           "check_ruleset", "facts", "thresholds"]
