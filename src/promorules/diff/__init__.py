"""What changed between two versions of a ruleset, and what it changes for real facts.

    promorules diff OLD.yaml NEW.yaml [--facts records.jsonl] [--json]

:func:`semantic_diff` compares the parsed rulesets (declarations from the model, decisions
as their typed IR), not their text: see :mod:`.semantic`. :func:`replay` runs recorded
facts through both rulesets and counts the records whose outcome or value changes:
see :mod:`.replay`. :func:`format_changes` and :func:`format_replay` write both as text.
:func:`required_bump` says which version bump the changes require (the rule is written
down once, in :mod:`.bump`), and :func:`check_bump` fails when the new version is too small.
"""

from __future__ import annotations

from .bump import BumpReport, check_bump, format_bump, required_bump
from .changes import Change
from .format import format_changes, format_replay
from .replay import (
    DecisionReplay,
    ReplayExample,
    ReplayReport,
    read_records,
    replay,
    replay_records,
)
from .semantic import semantic_diff

__all__ = [
    "BumpReport",
    "Change",
    "DecisionReplay",
    "ReplayExample",
    "ReplayReport",
    "check_bump",
    "format_bump",
    "format_changes",
    "format_replay",
    "read_records",
    "replay",
    "replay_records",
    "required_bump",
    "semantic_diff",
]
