"""The HTTP API of ``promorules serve`` (docs/service.md), through the Starlette test
client: every endpoint, every error status as problem+json, and answers equal to what
``Ruleset.evaluate`` (the oracle) gives."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import promorules
from promorules.facts import read_json_facts
from promorules.service import app as service_app
from promorules.service import create_app

from .conftest import AS_OF, EVALUATE, MERCHANT, ROOT


def merchant(name: str = "merchant_ok") -> dict[str, object]:
    return json.loads((ROOT / "examples" / "1688_spring" / f"{name}.json").read_text("utf-8"))


def problem(response: object, status: int) -> dict[str, object]:
    """The problem+json body of ``response``, checked to be one of ``status``."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    assert "Traceback" not in json.dumps(body)
    return body


# -- answers ------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_rulesets_lists_every_version_and_its_decisions(client: TestClient,
                                                        spring: promorules.Ruleset) -> None:
    body = client.get("/v1/rulesets").json()
    by_id = {r["id"]: r for r in body["rulesets"]}
    assert sorted(by_id) == ["1688_spring", "aliexpress_medals", "deposit_rules",
                             "offline_coop", "tmall_global"]
    versions = by_id["deposit_rules"]["versions"]
    assert [v["version"] for v in versions] == ["1.0.0", "1.1.0"]
    assert versions[0]["source"] == "history/deposit_1.yaml"
    assert versions[0]["effective_until"] == "2024-02-29T23:59:59.999999+08:00"  # whole day
    assert versions[1]["decisions"] == ["ok"]
    assert versions[1]["in_force"] is True
    (v,) = by_id["1688_spring"]["versions"]
    assert v["digest"] == spring.digest and v["decisions"] == list(spring.decisions)
    assert v["title"] == {"en": spring.title.en, "zh": spring.title.zh}


@pytest.fixture(scope="module")
def spring(shared_dir: Path) -> promorules.Ruleset:
    """The oracle: the served file, loaded by the library."""
    return promorules.load(shared_dir / "1688_spring.yaml")


@pytest.mark.parametrize("name", ["merchant_ok", "merchant_low_deposit"])
@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_evaluate_answers_what_the_library_does(client: TestClient, spring: promorules.Ruleset,
                                                name: str, lang: str) -> None:
    facts = merchant(name)
    r = client.post(MERCHANT, json={"facts": facts, "as_of": AS_OF, "lang": lang})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    rs = spring
    # the oracle reads the same JSON text the service received
    result = rs.evaluate("merchant_eligibility", read_json_facts(json.dumps(facts)), AS_OF)
    body = r.json()
    explanation = body.pop("explanation")
    assert body == json.loads(json.dumps(result.to_dict()))
    assert explanation == result.explain(lang)
    assert body["outcome"] == ("pass" if name == "merchant_ok" else "fail")


def test_explanation_is_left_out_on_request(client: TestClient) -> None:
    r = client.post(MERCHANT, json={"facts": merchant(), "as_of": AS_OF, "explain": False})
    assert r.status_code == 200
    assert r.json()["explanation"] is None and r.json()["outcome"] == "pass"


def test_money_sent_as_a_json_number_is_read_exactly(client: TestClient) -> None:
    facts = merchant()
    body = json.dumps({"facts": facts, "as_of": AS_OF}).replace(
        '"buyer_protection_deposit": "3000.00"', '"buyer_protection_deposit": 2999.99')
    assert "2999.99" in body
    r = client.post(MERCHANT, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["failed"] == ["deposit"]


def test_the_version_in_force_at_as_of_answers(client: TestClient) -> None:
    url = EVALUATE.format("deposit_rules", "ok")
    facts = {"deposit": "4000"}
    old = client.post(url, json={"facts": facts, "as_of": "2024-02-29T23:59:59"}).json()
    new = client.post(url, json={"facts": facts, "as_of": "2024-03-01"}).json()
    now = client.post(url, json={"facts": facts}).json()
    assert (old["ruleset_version"], old["outcome"]) == ("1.0.0", "pass")
    assert (new["ruleset_version"], new["outcome"]) == ("1.1.0", "fail")
    assert now["ruleset_version"] == "1.1.0"
    assert old["ruleset_digest"] != new["ruleset_digest"]


# -- errors -------------------------------------------------------------------------------


def test_bad_fact_is_422_naming_the_fact_and_what_was_expected(client: TestClient) -> None:
    facts = {**merchant(), "buyer_protection_deposit": "lots"}
    body = problem(client.post(MERCHANT, json={"facts": facts, "as_of": AS_OF}), 422)
    assert body["fact"] == "buyer_protection_deposit"
    assert "buyer_protection_deposit" in str(body["detail"])
    assert "money" in str(body["expected"]) and body["code"] == "PR601"


@pytest.mark.parametrize(("payload", "named"), [
    ({"facts": {}, "as_of": "yesterday"}, "as_of"),
    ({"facts": {}, "as_of": 20240301}, "as_of"),
    ({"facts": {}, "asof": AS_OF}, "as_of"),  # did you mean
    ({"facts": [1]}, "facts"),
    ({"as_of": AS_OF}, "facts"),
    ({"facts": {}, "lang": "fr"}, "lang"),
    ({"facts": {}, "explain": "yes"}, "explain"),
])
def test_bad_request_fields_are_422_naming_them(client: TestClient, payload: object,
                                                named: str) -> None:
    assert named in str(problem(client.post(MERCHANT, json=payload), 422)["detail"])


def test_a_number_that_cannot_be_read_exactly_is_422_naming_its_fact(
        client: TestClient) -> None:
    content = '{"facts": {"buyer_protection_deposit": 1e999999}, "as_of": "2024-03-01"}'
    body = problem(client.post(MERCHANT, content=content), 422)
    assert body["fact"] == "buyer_protection_deposit" and body["code"] == "PR601"


@pytest.mark.parametrize(("content", "code"), [
    (b"", "PR101"),
    (b"{", "PR101"),
    (b"facts=1", "PR101"),
    (b"\xff\xfe{}", "PR100"),
    (b"[]", "PR835"),
    (b'"facts"', "PR835"),
    (b"null", "PR835"),
    (b'{"facts": {"deposit": 1, "deposit": 2}}', "PR102"),
    (b'{"facts": {"x": NaN}}', "PR602"),
    (b'{"facts": {"x": ' + b"[" * 200 + b"]" * 200 + b"}}", "PR600"),
])
def test_a_body_that_is_not_a_json_object_is_400(client: TestClient, content: bytes,
                                                 code: str) -> None:
    body = problem(client.post(MERCHANT, content=content,
                               headers={"content-type": "application/json"}), 400)
    assert body["code"] == code


def test_unknown_ruleset_decision_or_version_is_404(client: TestClient) -> None:
    payload = {"facts": {}, "as_of": AS_OF}
    body = problem(client.post(EVALUATE.format("1688_sprng", "merchant_eligibility"),
                               json=payload), 404)
    assert "did you mean '1688_spring'" in str(body["detail"])
    body = problem(client.post(EVALUATE.format("1688_spring", "merchant_eligibilty"),
                               json=payload), 404)
    assert "did you mean 'merchant_eligibility'" in str(body["detail"])
    assert body["code"] == "PR310"
    body = problem(client.post(MERCHANT, json={"facts": {}, "as_of": "2030-01-01"}), 404)
    assert "no version of '1688_spring' is in force" in str(body["detail"])
    problem(client.get("/no/such/page"), 404)


def test_wrong_method_is_a_problem_too(client: TestClient) -> None:
    problem(client.get(MERCHANT), 405)


@pytest.fixture()
def small_app_client(small_dir: Path) -> Iterator[TestClient]:
    app = create_app(small_dir, body_limit=1000)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_body_over_the_limit_is_413(small_app_client: TestClient) -> None:
    url = EVALUATE.format("deposit_rules", "ok")
    big = json.dumps({"facts": {"merchant_name": "x" * 2000, "deposit": 1}})
    body = problem(small_app_client.post(url, content=big), 413)
    assert "1000 bytes" in str(body["detail"])

    def chunks() -> Iterator[bytes]:  # streamed: no Content-Length to go by
        yield b'{"facts": {"merchant_name": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}}'

    problem(small_app_client.post(url, content=chunks()), 413)
    ok = small_app_client.post(url, json={"facts": {"deposit": 6000}})
    assert ok.status_code == 200 and ok.json()["outcome"] == "pass"


def test_an_evaluation_over_the_time_limit_is_504(small_dir: Path) -> None:
    # no time at all: every evaluation (all in the pool, inline_limit=0) is over it
    app = create_app(small_dir, eval_timeout=0, inline_limit=0)
    with TestClient(app) as c:
        body = problem(c.post(EVALUATE.format("deposit_rules", "ok"),
                              json={"facts": {"deposit": 6000}}), 504)
    assert body["code"] == "PR837"


def test_the_pool_answers_like_the_event_loop(small_dir: Path) -> None:
    app = create_app(small_dir, inline_limit=0)
    with TestClient(app) as c:
        r = c.post(EVALUATE.format("deposit_rules", "ok"), json={"facts": {"deposit": 6000}})
    assert r.status_code == 200 and r.json()["outcome"] == "pass"


def test_a_bug_is_a_500_problem_that_shows_nothing_of_it(
        small_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("secret internal state")

    monkeypatch.setattr(service_app, "_evaluate", broken)
    app = create_app(small_dir)
    with caplog.at_level(logging.ERROR, "promorules.service"), TestClient(app) as c:
        r = c.post(EVALUATE.format("deposit_rules", "ok"), json={"facts": {"deposit": 1}})
    body = problem(r, 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert body["code"] == "PR900"
    assert "secret internal state" in caplog.text  # logged, with its traceback


# -- metrics and OpenAPI ------------------------------------------------------------------


def test_metrics_count_requests_latency_and_outcomes_per_app(small_dir: Path) -> None:
    url = EVALUATE.format("deposit_rules", "ok")
    with TestClient(create_app(small_dir)) as c, TestClient(create_app(small_dir)) as other:
        for deposit in (6000, 7000, 10):
            assert c.post(url, json={"facts": {"deposit": deposit}}).status_code == 200
        assert c.post(url, json={"facts": {"deposit": "x"}}).status_code == 422
        r = c.get("/metrics")
        untouched = other.get("/metrics").text
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    labels = 'decision="ok",ruleset="deposit_rules"'
    assert f'promorules_requests_total{{{labels},status="200"}} 3.0' in text
    assert f'promorules_requests_total{{{labels},status="422"}} 1.0' in text
    outcome = 'promorules_outcomes_total{{decision="ok",outcome="{}",ruleset="deposit_rules"}}'
    assert outcome.format("pass") + " 2.0" in text
    assert outcome.format("fail") + " 1.0" in text
    assert f"promorules_request_seconds_count{{{labels}}} 4.0" in text
    assert f"promorules_evaluation_seconds_count{{{labels}}} 3.0" in text
    assert "promorules_requests_total{" not in untouched  # a registry of its own


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"/healthz", "/v1/rulesets", "/metrics",
            "/v1/rulesets/{ruleset_id}/decisions/{decision_id}/evaluate"} <= set(paths)
    op = paths["/v1/rulesets/{ruleset_id}/decisions/{decision_id}/evaluate"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["facts"] and body["additionalProperties"] is False
    assert set(body["properties"]) == {"facts", "as_of", "lang", "explain"}
    for status in ("400", "404", "413", "422", "504"):
        assert op["responses"][status]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"}
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/EvaluateResponse"}
    assert "explanation" in spec["components"]["schemas"]["EvaluateResponse"]["properties"]


def test_an_invalid_content_length_is_400(small_dir: Path) -> None:
    # sent as raw ASGI: an HTTP client does not send an invalid Content-Length
    import asyncio

    app = create_app(small_dir)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": EVALUATE.format("deposit_rules", "ok"),
             "raw_path": b"", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"x"), (b"content-length", b"-5")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 400
    body = json.loads(sent[1]["body"])  # type: ignore[arg-type]
    assert body["code"] == "PR834" and body["status"] == 400
