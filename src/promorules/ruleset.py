"""The public entry points: ``load`` / ``loads`` run the pipeline (YAML -> schema -> model
-> compiled decisions) once, and :class:`Ruleset` evaluates decisions many times.

A Ruleset is immutable after loading: its mappings are read-only views, its compiled
functions are pure, and evaluation keeps no state between calls, so one instance can be
shared by every thread of a service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .compiler import CompiledDecision, compile_ruleset
from .errors import FactError, PromorulesError, RulesetError, UnknownDecisionError
from .facts import FactType, suggest
from .loader import parse_yaml
from .schema import validate
from .text import Text
from .trace import Context, Result, make_result

if TYPE_CHECKING:
    from .ir import RulesetIR
    from .model import RulesetModel

__all__ = ["Ruleset", "check", "load", "loads"]


def _explain(*args: Any, **kwargs: Any) -> str:
    """Render a result as text: the renderer is imported on the first explanation, so that
    ``import promorules`` does not load it."""
    from .explain import explain

    return explain(*args, **kwargs)


class Ruleset:
    """A loaded, compiled ruleset. Create it with :func:`load` or :func:`loads`."""

    __slots__ = ("_compiled", "_context", "_decisions", "_digest", "_lint",
                 "_model", "_params", "_text", "_tz")

    _compiled: dict[str, CompiledDecision]
    _decisions: Mapping[str, CompiledDecision]
    _model: RulesetModel
    _params: Mapping[str, Any]
    _context: Context
    _lint: tuple[RulesetError, ...]
    _digest: str
    _text: str
    _tz: ZoneInfo

    def __init__(self, model: RulesetModel, compiled: Mapping[str, CompiledDecision],
                 lint: list[RulesetError] | tuple[RulesetError, ...] = (),
                 digest: str = "", text: str = "") -> None:
        init = object.__setattr__
        init(self, "_text", text)
        init(self, "_lint", tuple(lint))
        init(self, "_digest", digest)
        init(self, "_compiled", dict(compiled))
        init(self, "_decisions", MappingProxyType(self._compiled))
        init(self, "_params", MappingProxyType({n: p.value for n, p in model.params.items()}))
        init(self, "_tz", model.timezone)
        # what its results read: handed to each Result (it prepares traces on first use)
        init(self, "_context", Context(
            self._decisions, MappingProxyType(dict(model.facts)), self._params,
            model.timezone, model.calendar, model.id, model.version, digest, _explain))
        init(self, "_model", model)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_model"):
            raise AttributeError("a Ruleset is immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Ruleset is immutable")

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} {self.version}: {len(self._compiled)} decisions>"

    @property
    def id(self) -> str:
        return self._model.id

    @property
    def version(self) -> str:
        return self._model.version

    @property
    def title(self) -> Text:
        return self._model.title

    @property
    def timezone(self) -> str:
        return str(self._model.timezone.key)

    @property
    def source(self) -> str:
        """The file (or name given to ``loads``) the ruleset was read from."""
        return self._model.source_name

    @property
    def decisions(self) -> Mapping[str, CompiledDecision]:
        """Read-only mapping: decision id -> compiled decision."""
        return self._decisions

    @property
    def facts(self) -> Mapping[str, FactType]:
        """Read-only mapping: fact name -> its declared type and range."""
        return MappingProxyType(dict(self._model.facts))

    @property
    def params(self) -> Mapping[str, Any]:
        """Read-only mapping: parameter name -> value in force."""
        return self._params

    @property
    def text(self) -> str:
        """The YAML text the ruleset was loaded from (what ``digest`` is the digest of)."""
        return self._text

    @property
    def digest(self) -> str:
        """``sha256:`` and the hex digest of the ruleset's text: what exactly produced a
        result (recorded in every ``Result.to_dict()``)."""
        return self._digest

    @property
    def effective_from(self) -> dt.datetime | None:
        """When this version comes into force (None: always was)."""
        return self._model.effective_from

    @property
    def effective_until(self) -> dt.datetime | None:
        """The last instant this version is in force (None: open-ended)."""
        return self._model.effective_until

    def in_force(self, as_of: object = None) -> bool:
        """Whether this version is in force at ``as_of`` (default now)."""
        when = self._as_of(as_of)
        m = self._model
        until = m.last_instant
        return (m.effective_from is None or m.effective_from <= when) and (
            until is None or when <= until)

    @property
    def lint(self) -> tuple[RulesetError, ...]:
        """Warnings about the ruleset that do not stop it loading (``PR7xx``), e.g. a higher
        tier that is easier to reach than a lower one, a fact no decision uses, or a count
        added to an amount of money."""
        return self._lint

    @property
    def ir(self) -> RulesetIR:
        """The typed intermediate form of every decision (``decisions[d].ir`` is one)."""
        from .ir import RulesetIR
        return RulesetIR(id=self.id, version=self.version, timezone=self._model.timezone,
                         decisions=MappingProxyType({d: c.ir for d, c in self._compiled.items()
                                                     if c.ir is not None}))

    @property
    def model(self) -> RulesetModel:
        """The parsed ruleset (declarations, rules, sources), for tools."""
        return self._model

    def instant(self, as_of: object = None) -> dt.datetime:
        """The aware date-time ``as_of`` stands for in this ruleset, as ``evaluate`` reads it:
        an ISO string or a date-time (naive: in the ruleset's time zone), a date (its
        midnight), or None (now). Raises FactError (``PR608``) for anything else."""
        return self._as_of(as_of)

    def _as_of(self, as_of: object) -> dt.datetime:
        if as_of is None:
            return dt.datetime.now(self._tz)
        if isinstance(as_of, str):
            try:
                as_of = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
            except ValueError:
                raise FactError(f"as_of {as_of!r} is not an ISO date or date-time",
                                code="PR608", fact="as_of", value=as_of) from None
        if isinstance(as_of, dt.datetime):
            return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=self._tz)
        if isinstance(as_of, dt.date):
            return dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=self._tz)
        raise FactError(f"as_of must be a date-time, a date or an ISO string, not "
                        f"{type(as_of).__name__}", code="PR608", fact="as_of", value=as_of)

    def evaluate(self, decision: str, facts: Mapping[str, Any], as_of: object = None) -> Result:
        """Evaluate ``decision`` on ``facts`` (a JSON-like mapping) at ``as_of``.

        Raises FactError for invalid facts and UnknownDecisionError for an unknown decision.
        """
        try:
            compiled = self._compiled[decision]
        except (KeyError, TypeError):
            close = suggest(str(decision), self._compiled)
            raise UnknownDecisionError(
                f"ruleset '{self.id}' has no decision {decision!r}"
                + (f" (did you mean '{close}'?)" if close else "")
                + "; decisions: " + ", ".join(self._compiled)) from None
        if facts.__class__ is not dict and not isinstance(facts, Mapping):
            raise FactError(f"facts must be a mapping of fact names to values, not "
                            f"{type(facts).__name__}", code="PR600")
        when = self._as_of(as_of) if compiled.uses_time or as_of is not None else None
        try:
            record = compiled.run(facts, when)
        except PromorulesError:
            raise
        except RecursionError:
            raise FactError("facts are nested too deeply", code="PR600") from None
        except Exception as e:  # a bug in promorules: never let a raw exception escape
            raise PromorulesError(f"internal error evaluating '{decision}': {e!r}",
                                  code="PR900") from e
        return make_result(self._context, compiled, record, when)


    def evaluate_batch(self, decision: str, data: Any, as_of: object = None) -> Any:
        """Evaluate ``decision`` for every row of ``data`` on the embedded DuckDB engine.

        ``data`` is a ``pyarrow.Table``, a pandas or polars DataFrame, a list of fact
        mappings, or a ``.parquet``, ``.csv`` or ``.jsonl`` path; its columns are facts (a
        null or an absent column is a missing fact; other columns pass through). Returns a
        ``pyarrow.Table``: the input's columns, then ``outcome`` (pass, fail, unknown or
        invalid), ``failed``, ``missing``, ``value`` and ``error``, one row per input row in
        input order; each row as ``evaluate`` would answer it (docs/batch.md). ``as_of`` is
        one instant for the whole batch. Needs ``pip install 'promorules[batch]'``.

        A ``pyspark.sql.DataFrame`` gives a Spark DataFrame with the same added columns,
        computed lazily by Spark (:mod:`promorules.batch.spark`; ``promorules[spark]``).
        """
        batch = _batch()
        from .batch import spark  # never imports pyspark itself

        if spark.is_spark_frame(data):
            return spark.evaluate(self, decision, data, as_of)
        return batch.evaluate_batch(self, decision, data, as_of)

    def to_sql(self, decision: str, dialect: str = "duckdb", table: str = "facts",
               as_of: object = None, **options: Any) -> str:
        """One SQL ``SELECT`` evaluating ``decision`` over ``table`` (whose columns are
        facts) in ``dialect`` (``duckdb``, ``spark``, ``postgres`` or another sqlglot
        dialect), adding the columns ``evaluate_batch`` adds. Decisions using working days
        read the relation ``promorules_calendar`` (:func:`promorules.calendar_table`);
        text compared under ``match: chinese`` is looked up in ``promorules_zh_fold``
        (:func:`promorules.batch.fold_table`). ``options``: ``schema`` (a pyarrow.Schema of
        the table), ``keep`` (the columns kept before the results; default the facts).
        """
        return str(_batch().to_sql(self, decision, dialect, table, as_of, **options))


def _batch() -> Any:
    """The batch backend, imported on first use (an optional extra)."""
    try:
        from . import batch
    except ImportError as e:
        raise PromorulesError(f"batch evaluation needs the batch extra ({e.name} is not "
                              "installed): pip install 'promorules[batch]'",
                              code="PR829") from None
    return batch

def _compile(text: str, source: str, params: Mapping[str, object] | None,
             from_file: bool = False) -> Ruleset:
    doc = parse_yaml(text, source)
    problems = [*doc.errors, *validate(doc)]
    if len(problems) > len(doc.errors):
        raise _collect(problems)  # the later stages need a structurally valid document
    from .model import build_model  # the load pipeline's later stages: loaded on first use

    model, model_problems = build_model(doc, params)
    compiled, compile_problems, lints = compile_ruleset(model, doc, clean=not problems
                                                        and not model_problems,
                                                        from_file=from_file)
    problems += model_problems + compile_problems
    if problems:
        raise _collect(problems)
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Ruleset(model, compiled, lints, digest, text)


def _collect(problems: list[RulesetError]) -> RulesetError:
    problems.sort(key=lambda e: (e.line or 0, e.column or 0))
    return RulesetError.collect(problems)


def loads(text: str, source: str = "<string>", params: Mapping[str, object] | None = None
          ) -> Ruleset:
    """Load a ruleset from YAML text. Raises RulesetError listing every problem."""
    return _load_text(text, source, params)


def _load_text(text: str, source: str, params: Mapping[str, object] | None,
               from_file: bool = False) -> Ruleset:
    if not isinstance(text, str):
        raise RulesetError(f"ruleset text must be a str, not {type(text).__name__}",
                           code="PR100", source=source)
    if params is not None and not isinstance(params, Mapping):
        raise RulesetError("params must be a mapping of parameter names to values",
                           code="PR500", source=source)
    try:
        return _compile(text, source, params, from_file)
    except PromorulesError:
        raise
    except RecursionError:  # every stage bounds its input: this is a last resort
        raise RulesetError("the ruleset is nested too deeply to process", code="PR105",
                           source=source) from None
    except Exception as e:  # a bug in promorules: reported as one, never a raw exception
        raise RulesetError(f"internal error loading the ruleset: {e!r}; please report it",
                           code="PR900", source=source) from e


def _read(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read(4_000_001)
    except (OSError, ValueError) as e:  # ValueError: a NUL character in the path
        raise RulesetError(f"cannot read ruleset: {getattr(e, 'strerror', None) or e}",
                           code="PR100", source=name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RulesetError(f"ruleset is not UTF-8 text ({e.reason} at byte {e.start})",
                           code="PR100", source=name) from None


def load(path: str | os.PathLike[str], params: Mapping[str, object] | None = None) -> Ruleset:
    """Load a ruleset file. Raises RulesetError listing every problem."""
    return _load_text(_read(path), os.fspath(path), params, from_file=True)


def check(path: str | os.PathLike[str], params: Mapping[str, object] | None = None
          ) -> list[RulesetError]:
    """Every problem of a ruleset file (empty when it is valid). Lint warnings are in
    ``load(path).lint``; ``promorules check`` prints both."""
    try:
        load(path, params)
    except RulesetError as e:
        return list(e.errors)
    return []
