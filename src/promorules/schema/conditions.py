"""Pipeline stage 2 (schema): the ``if`` conditions of the ruleset schema, as predicates.

The ruleset schema tells a rule, value or fact kind by ``if``/``then`` branches whose
conditions only ask which keys an object has and what constant a key holds (``required``,
``not``, ``anyOf``, ``properties`` with ``const``). jsonschema evaluates each such condition
by building a validator for it and collecting its errors, which is most of the cost of
validating a ruleset; here each condition becomes a plain predicate, made once per
condition, that gives the same answer. ``then``/``else`` are still validated by
jsonschema, so every error and message stays jsonschema's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["fast_if", "predicate"]

Predicate = Callable[[Any], bool]


def predicate(schema: Any) -> Predicate | None:
    """``instance -> bool``, true exactly when ``instance`` is valid against ``schema``;
    None when ``schema`` uses anything but ``required``, ``not``, ``anyOf`` and
    ``properties`` whose values are ``const`` strings."""
    if not isinstance(schema, dict):
        return None
    tests: list[Predicate] = []
    for key, value in schema.items():
        if key in ("description", "title", "$comment"):
            continue
        test = _keyword(key, value)
        if test is None:
            return None
        tests.append(test)
    return lambda instance: all(test(instance) for test in tests)


def _keyword(key: str, value: Any) -> Predicate | None:
    if key == "required" and isinstance(value, list):
        names = tuple(value)
        # like jsonschema: `required` says nothing about a value that is not an object
        return lambda x: not isinstance(x, dict) or all(n in x for n in names)
    if key == "not":
        inner = predicate(value)
        return None if inner is None else (lambda x: not inner(x))
    if key == "anyOf" and isinstance(value, list) and value:
        branches = [predicate(v) for v in value]
        if any(b is None for b in branches):
            return None
        ready = tuple(b for b in branches if b is not None)
        return lambda x: any(b(x) for b in ready)
    if key == "properties" and isinstance(value, dict):
        consts: dict[str, str] = {}
        for name, sub in value.items():
            if not (isinstance(sub, dict) and set(sub) == {"const"}
                    and isinstance(sub["const"], str)):
                return None
            consts[name] = sub["const"]
        # a string constant equals only that string (jsonschema's `equal` for strings)
        return lambda x: not isinstance(x, dict) or all(
            n not in x or (isinstance(x[n], str) and x[n] == c) for n, c in consts.items())
    return None


def fast_if(conditions: dict[int, tuple[Any, Predicate | None]]
            ) -> Callable[[Any, Any, Any, Any], Iterator[Any]]:
    """jsonschema's ``if`` keyword, with the condition answered by its predicate (made on
    first use and kept in ``conditions``, by the condition's identity) when it has one."""

    def if_(validator: Any, if_schema: Any, instance: Any, schema: Any) -> Iterator[Any]:
        known = conditions.get(id(if_schema))
        if known is None or known[0] is not if_schema:
            known = conditions[id(if_schema)] = (if_schema, predicate(if_schema))
        test = known[1]
        if test is not None:
            holds = test(instance)
        else:
            holds = validator.evolve(schema=if_schema).is_valid(instance)
        if holds:
            if "then" in schema:
                yield from validator.descend(instance, schema["then"], schema_path="then")
        elif "else" in schema:
            yield from validator.descend(instance, schema["else"], schema_path="else")

    return if_
