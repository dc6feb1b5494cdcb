"""Pipeline stage 4b (code generation): the names of generated code.

Generated code reads like the ruleset: a fact's variable is the fact's name, a parameter
is ``PARAM_gmv_floor_usd``, a list ``LIST_industries``, a rule's value ``rule_deposit``.
Every name is made a valid identifier (``[A-Za-z0-9_]`` only, never a keyword, a builtin
or a runtime name) and unique in its function. Every value lives in the namespace under
such a name; the text of the ruleset is never pasted into the source.
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import keyword
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .pyast import name

__all__ = ["Names", "identifier"]

_BAD = re.compile(r"[^A-Za-z0-9_]")
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    n for n in dir(builtins) if not n.startswith("_"))


def identifier(text: str) -> str:
    """``text`` as an identifier: odd characters become ``_``, and a leading digit, a
    keyword or a builtin's name gets a trailing ``_``."""
    out = _BAD.sub("_", text) or "_"
    if out[0].isdigit():
        out = "_" + out
    if out in _RESERVED:
        out += "_"
    return out


def value_words(value: Any) -> str:
    """A constant's value as words of an identifier: ``3000``, ``0_035``, ``neg_5``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, Decimal, float)):
        text = str(value)
        return ("neg_" + text[1:] if text.startswith("-") else text).replace(".", "_")
    if isinstance(value, (dt.date, dt.datetime)):
        return re.sub(r"\W", "_", value.isoformat()[:16])
    if isinstance(value, str) and len(value) <= 24:
        return value
    return ""


class Names:
    """Unique identifiers of one generated module, and its namespace of constants."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.ns = namespace
        self.used: set[str] = set(namespace)
        self._consts: dict[tuple[str, type, Any], str] = {}

    def fresh(self, hint: str) -> str:
        """A new unique identifier made from ``hint``."""
        base = identifier(hint)
        out, n = base, 1
        while out in self.used:
            n += 1
            out = f"{base}_{n}"
        self.used.add(out)
        return out

    def reserve(self, names: Iterable[str]) -> None:
        self.used.update(names)

    def const(self, value: Any, hint: str) -> ast.Name:
        """A namespace constant holding ``value``, named from ``hint`` (one name per
        equal value and hint)."""
        try:
            key: tuple[str, type, Any] | None = (hint, type(value), value)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._consts:
            return name(self._consts[key])
        ident = self.fresh(hint)
        self.ns[ident] = value
        if key is not None:
            self._consts[key] = ident
        return name(ident)

    def value(self, value: Any) -> ast.Name:
        """A literal's constant, named by what it is: ``CONST_3000``, ``TEXT_vip``."""
        words = value_words(value)
        if isinstance(value, str):
            prefix = "TEXT"
        elif isinstance(value, (dt.date, dt.datetime)):
            prefix = "DATE"
        elif isinstance(value, tuple):
            prefix = "ITEMS"
        elif isinstance(value, frozenset):
            prefix = "SET"
        else:
            prefix = "CONST"
        return self.const(value, f"{prefix}_{words}" if words else prefix)
