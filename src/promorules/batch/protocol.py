"""Batch backend: what it reads from a loaded ruleset (a structural type, so that the
backend, which ``Ruleset`` imports on first use, does not import ``Ruleset`` back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from ..compiler import CompiledDecision
from ..facts import FactType

__all__ = ["Rules"]


class Rules(Protocol):
    """A loaded ruleset, as :class:`promorules.Ruleset` is."""

    @property
    def id(self) -> str: ...

    @property
    def facts(self) -> Mapping[str, FactType]: ...

    @property
    def decisions(self) -> Mapping[str, CompiledDecision]: ...

    @property
    def ir(self) -> Any: ...

    @property
    def model(self) -> Any: ...

    def instant(self, as_of: object = None) -> dt.datetime: ...

    def evaluate(self, decision: str, facts: Mapping[str, Any], as_of: object = None) -> Any: ...
