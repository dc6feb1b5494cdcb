"""Property-based API tests from ``/openapi.json`` (schemathesis): whatever the generated
request, no answer is a 500, and every answer (status, content type, body) is the one the
OpenAPI document declares. The default run is small (a few seconds); the slow profile runs
many more examples, valid and invalid."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from promorules.service import create_app

from .conftest import ROOT

# the shipped rulesets, read only (nothing here changes them)
APP = create_app(ROOT / "rulesets")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# Every check but one: "a schema-valid request is accepted" does not hold by design, since
# the schema of `facts` is "an object" and a 422 names a fact of the wrong type or range.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=10, **SETTINGS)  # type: ignore[arg-type]
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
def test_api_conforms_to_its_openapi_at_length(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)
