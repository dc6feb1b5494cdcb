"""The service's Prometheus metrics, in a registry of each app's own (never the process's
global one, so that several apps in one process, as in tests, keep separate counts)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "ServiceMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServiceMetrics:
    """Counters and histograms of the evaluate endpoint, by ruleset and decision."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "promorules_requests", "Evaluate requests, by ruleset, decision and HTTP status.",
            ["ruleset", "decision", "status"], registry=self.registry)
        self.latency = Histogram(
            "promorules_request_seconds", "Evaluate request latency (body read to answer), "
            "by ruleset and decision.", ["ruleset", "decision"], buckets=_BUCKETS,
            registry=self.registry)
        self.evaluation = Histogram(
            "promorules_evaluation_seconds", "Time spent evaluating (and serialising the "
            "result), by ruleset and decision.", ["ruleset", "decision"], buckets=_BUCKETS,
            registry=self.registry)
        self.outcomes = Counter(
            "promorules_outcomes", "Decision outcomes, by ruleset, decision and outcome.",
            ["ruleset", "decision", "outcome"], registry=self.registry)
        self.reloads = Counter(
            "promorules_reloads", "Reloads of the rulesets directory: applied, or rejected "
            "because a file is invalid (the old set keeps serving).", ["result"],
            registry=self.registry)
        self._children: dict[tuple[str, str, int, str | None], tuple[Any, ...]] = {}

    def request(self, ruleset: str, decision: str, status: int, seconds: float | None,
                evaluation: float | None = None, outcome: str | None = None) -> None:
        """Count one evaluate request (``seconds``: its latency, None when its ruleset and
        decision are unknown; ``evaluation`` and ``outcome`` when it was evaluated)."""
        if not ruleset:  # an unknown ruleset or decision: counted, nothing else
            self.requests.labels("", "", str(status)).inc()
            return
        key = (ruleset, decision, status, outcome)
        children = self._children.get(key)
        if children is None:  # label lookups take a lock: done once per combination
            children = self._children[key] = (
                self.requests.labels(ruleset, decision, str(status)),
                self.latency.labels(ruleset, decision),
                self.evaluation.labels(ruleset, decision),
                self.outcomes.labels(ruleset, decision, outcome) if outcome else None)
        requests, latency, evaluated, outcomes = children
        requests.inc()
        if seconds is not None:
            latency.observe(seconds)
        if evaluation is not None:
            evaluated.observe(evaluation)
        if outcomes is not None:
            outcomes.inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
