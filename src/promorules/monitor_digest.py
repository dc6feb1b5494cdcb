"""Continuous monitoring, saved state: the integrity digests of a monitor's saved state.

A saved state (the JSON export of ``Monitor.save()``, or the rows of a SQLite state store)
carries HMAC-SHA256 digests: one per entity row, over the entity id and its saved data,
and one for the whole state, over its header (format, ruleset, decision, window), the
number of entities and the XOR of the row digests. Editing a row (clearing a
``disqualified_at``), deleting one or adding one without recomputing the digests is
detected on restore (``PR803``).

The HMAC key is either a **secret** the operator supplies (``key=``, ``--state-key FILE``):
then only a holder of the key can produce a state that verifies; or, without one, a key
derived from the ruleset id and the decision, which is not a secret: the digest is then a
checksum that detects hand edits and accidental damage (tamper-evident), not a deliberate
forgery by someone who reads this module (not tamper-proof). docs/monitoring.md says so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from .errors import PromorulesError

__all__ = [
    "ALGORITHM",
    "FORMAT",
    "LEGACY_FORMAT",
    "check_key",
    "head_digest",
    "header_of",
    "row_digest",
    "seal",
    "state_key",
    "verify",
    "xor_digests",
]

ALGORITHM = "hmac-sha256"
_EMPTY = "0" * 64


def canonical(data: Any) -> bytes:
    """The one byte string a JSON value hashes as (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def state_key(ruleset_id: str, decision: str, secret: bytes | None = None) -> bytes:
    """The HMAC key: ``secret`` when given, else one derived from what the state is for
    (not a secret: a checksum, see the module docstring)."""
    if secret is not None:
        return b"promorules.monitor.secret\0" + secret
    return canonical(["promorules.monitor.checksum", ruleset_id, decision])


def row_digest(key: bytes, entity_id: str, data: Mapping[str, Any]) -> str:
    """The digest of one entity's saved data."""
    return hmac.new(key, canonical([entity_id, data]), hashlib.sha256).hexdigest()


def xor_digests(a: str, b: str) -> str:
    """Combine (or, applied again, remove) a row digest: the XOR of the row digests stands
    for the set of rows, whatever their order, and is updated one row at a time."""
    return f"{int(a, 16) ^ int(b, 16):064x}"


def head_digest(key: bytes, header: Mapping[str, Any], count: int, rows: str) -> str:
    """The digest of the whole state: ``header``, the number of rows and their XOR."""
    return hmac.new(key, canonical([header, count, rows]), hashlib.sha256).hexdigest()


def empty_rows() -> str:
    """The XOR of no rows."""
    return _EMPTY


FORMAT = "promorules.monitor/2"
LEGACY_FORMAT = "promorules.monitor/1"  # before integrity digests: restored with a note


def _digest_of(header: Mapping[str, Any], entities: Mapping[str, Any], key: bytes) -> str:
    rows = empty_rows()
    for eid, data in entities.items():
        rows = xor_digests(rows, row_digest(key, eid, data))
    return head_digest(key, header, len(entities), rows)


def header_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a saved state the head digest covers besides the rows."""
    return {k: data.get(k) for k in ("format", "ruleset", "decision", "window")}


def seal(data: Mapping[str, Any], secret: bytes | None = None) -> dict[str, Any]:
    """The ``integrity`` entry of a saved state ``data`` (format, ruleset, decision,
    window, entities)."""
    key = state_key(data["ruleset"]["id"], data["decision"], secret)
    return {"algorithm": ALGORITHM, "keyed": secret is not None,
            "digest": _digest_of(header_of(data), data["entities"], key)}


def check_key(integrity: Any, secret: bytes | None) -> None:
    """``PR805`` when a state's ``integrity`` entry was keyed with a secret and none is
    given, or the other way round."""
    keyed = isinstance(integrity, Mapping) and integrity.get("keyed") is True
    if keyed and secret is None:
        raise PromorulesError("the state was saved with a secret key: give the same key to "
                              "restore it", code="PR805")
    if secret is not None and not keyed:
        raise PromorulesError("the state was saved without a secret key, so it cannot be "
                              "checked against the key given", code="PR805")


def verify(data: Mapping[str, Any], secret: bytes | None = None) -> str | None:
    """Check the ``integrity`` entry of a saved state whose ``format`` is :data:`FORMAT`
    (or :data:`LEGACY_FORMAT`: accepted without a key, and a note returned). Raises
    ``PromorulesError`` ``PR803`` when the state does not match its digest, ``PR805`` when
    the key given and the key it was saved with disagree."""
    if data.get("format") == LEGACY_FORMAT:
        if secret is not None:
            raise PromorulesError("the saved state has no integrity digest (saved by an older "
                                  "promorules), so it cannot be checked against the key",
                                  code="PR805")
        return ("the state was saved without an integrity digest (format "
                f"{LEGACY_FORMAT}); it was not verified, and gets one when saved again")
    integrity = data.get("integrity")
    if not isinstance(integrity, Mapping) or integrity.get("algorithm") != ALGORITHM \
            or not isinstance(integrity.get("digest"), str):
        raise PromorulesError(f"the saved state has no valid 'integrity' entry "
                              f"({ALGORITHM} digest): it was changed outside promorules",
                              code="PR803")
    check_key(integrity, secret)
    rs = data.get("ruleset")
    entities = data.get("entities")
    if not isinstance(rs, Mapping) or not isinstance(entities, Mapping) \
            or not isinstance(data.get("decision"), str):
        return None  # the field checks of restore report it (PR800)
    key = state_key(str(rs.get("id")), str(data["decision"]), secret)
    if not hmac.compare_digest(_digest_of(header_of(data), entities, key),
                               str(integrity["digest"])):
        raise PromorulesError("the saved state does not match its integrity digest: it was "
                              "changed outside promorules (a hand edit, or damage); refusing "
                              "to restore it", code="PR803")
    return None
