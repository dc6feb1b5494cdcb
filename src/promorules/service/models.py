"""The service's declared request and response bodies (pydantic), from which FastAPI
generates ``/openapi.json``.

The evaluate endpoint reads its body with promorules' own strict JSON reader (exact
numbers; repeated keys, NaN and deep nesting refused) and answers with JSON serialised once;
these models describe both for OpenAPI, and :data:`EVALUATE_REQUEST_BODY` is its declared
request body.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EVALUATE_REQUEST_BODY",
    "EvaluateRequest",
    "EvaluateResponse",
    "Health",
    "Problem",
    "RulesetInfo",
    "RulesetList",
    "RulesetVersion",
]

Lang = Literal["en", "zh", "zh-Hans", "zh-Hant"]


class EvaluateRequest(BaseModel):
    """The body of ``POST /v1/rulesets/{ruleset_id}/decisions/{decision_id}/evaluate``."""

    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Any] = Field(
        description="Fact names to values. Money and other exact numbers may be sent as "
                    "JSON numbers (read exactly, never as floats) or decimal strings.")
    as_of: str | None = Field(
        default=None, description="ISO date or date-time the decision is evaluated at, "
                                  "and picks the ruleset version in force (default: now). "
                                  "A naive date-time is read in the ruleset's time zone.")
    lang: Lang = Field(default="en", description="Language of the explanation.")
    explain: bool = Field(
        default=True, description="Whether to include the explanation text. Send false "
                                  "for the fastest answer (the explanation is then null).")


EVALUATE_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": EvaluateRequest.model_json_schema()}},
    }
}


class EvaluateResponse(BaseModel):
    """A result: ``Result.to_dict()`` and its explanation."""

    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str = Field(description="sha256: and the hex digest of the ruleset text.")
    decision: str
    outcome: Literal["pass", "fail", "unknown"]
    value: Any = Field(description="The computed value; null for a pass/fail decision.")
    as_of: str | None = Field(description="The instant evaluated at (ISO 8601).")
    failed: list[str] = Field(description="Ids of the failed rules, in rule order.")
    missing: list[str] = Field(description="Facts needed and not sent (unknown outcome).")
    warnings: list[str]
    params: dict[str, str] = Field(description="Parameter values in force, as decimal text.")
    trace: dict[str, Any] = Field(description="The whole evaluation as a tree of rules.")
    defaults: dict[str, Any] | None = Field(
        default=None, description="Facts not sent that took their declared default.")
    explanation: str | None = Field(description="The explanation in the language asked "
                                                "for; null when explain is false.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str = Field(description="What went wrong, for a person.")
    code: str | None = Field(default=None, description="The promorules error code (PRnnn).")
    fact: str | None = Field(default=None, description="The offending fact, for a 422.")
    expected: str | None = Field(default=None, description="What the fact should be.")
    line: int | None = Field(default=None, description="Line in the JSON body, if known.")
    column: int | None = Field(default=None, description="Column in the JSON body.")


class Health(BaseModel):
    """``GET /healthz``."""

    status: Literal["ok"]


class RulesetVersion(BaseModel):
    """One loaded version of a ruleset."""

    version: str
    digest: str
    title: dict[str, str] = Field(description="The title in English and Chinese.")
    effective_from: str | None
    effective_until: str | None
    in_force: bool = Field(description="Whether this version is in force now.")
    decisions: list[str]
    source: str = Field(description="The file name, relative to the rulesets directory.")


class RulesetInfo(BaseModel):
    """A ruleset id and its versions, oldest first."""

    id: str
    versions: list[RulesetVersion]


class RulesetList(BaseModel):
    """``GET /v1/rulesets``."""

    rulesets: list[RulesetInfo]
