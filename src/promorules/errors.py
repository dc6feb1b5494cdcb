"""Error classes: the only exceptions that leave promorules.

Every error carries a stable ``code`` (documented in docs/errors.md), a message and, where
it points into a ruleset file, the ``source`` file name, 1-based ``line`` and ``column`` and
the YAML ``path``. Error classes also subclass the builtin a caller would naturally catch
(``ValueError``, ``LookupError``), as attrs and jsonschema do.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "FactError",
    "PromorulesError",
    "RulesetError",
    "UnknownDecisionError",
]


class PromorulesError(Exception):
    """Base class of every error raised by promorules."""

    code: str = "PR000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class RulesetError(PromorulesError, ValueError):
    """An invalid ruleset: YAML syntax, schema, reference, expression or semantic error.

    ``errors`` holds every problem found (``promorules check`` prints them all); the
    attributes of the error itself describe the first one.
    """

    code = "PR200"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        source: str = "<string>",
        line: int | None = None,
        column: int | None = None,
        path: Sequence[str | int] = (),
        suggestion: str | None = None,
        errors: Sequence[RulesetError] | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.source = source
        self.line = line
        self.column = column
        self.path: tuple[str | int, ...] = tuple(path)
        self.suggestion = suggestion
        self.errors: tuple[RulesetError, ...] = tuple(errors) if errors else (self,)

    @classmethod
    def collect(cls, errors: Sequence[RulesetError]) -> RulesetError:
        """One error standing for many: the first, with all of them in ``errors``."""
        first = errors[0]
        more = len(errors) - 1
        message = first.message + (f" (and {more} more error{'s' * (more > 1)})" if more else "")
        return cls(
            message,
            code=first.code,
            source=first.source,
            line=first.line,
            column=first.column,
            path=first.path,
            suggestion=first.suggestion,
            errors=errors,
        )

    @property
    def yaml_path(self) -> str:
        """The YAML path as text, e.g. ``decisions.registration.all[2].check``."""
        return _format_path(self.path)

    def format(self) -> str:
        """``file:line:column: CODE message`` as compilers and OPA print it."""
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.code} {self.message}"
        if self.path:
            text += f" (at {self.yaml_path})"
        return text

    def __str__(self) -> str:
        return "\n".join(e.format() for e in self.errors) if len(self.errors) > 1 else self.format()


class FactError(PromorulesError, ValueError):
    """Bad facts: wrong type, invalid date, NaN/infinite, out of range, unknown enum value.

    ``fact`` names the offending fact (None when the facts as a whole are bad) and
    ``expected`` says what was expected. ``line`` and ``column`` (1-based) locate the
    problem in a JSON facts text when it is one of syntax (see
    :func:`promorules.facts.read_json_facts`); None otherwise.
    """

    code = "PR600"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fact: str | None = None,
        value: object = None,
        expected: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.fact = fact
        self.value = value
        self.expected = expected
        self.line = line
        self.column = column


class UnknownDecisionError(PromorulesError, LookupError):
    """``evaluate`` was asked for a decision the ruleset does not define."""

    code = "PR310"
