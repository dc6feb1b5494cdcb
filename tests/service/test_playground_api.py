"""The playground's endpoints through the test client: the form's declarations, check's
problems with line and column, evaluation of edited YAML, the problem+json errors, and
nothing written to disk."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import promorules
from promorules.service.playground import MAX_YAML_BYTES, STATIC_FILES

from .playground_support import EXAMPLES, RULESETS, make_app

# the app's own `client` fixture (conftest.py) serves a copy of the rulesets: this module's
# serves the shipped directory itself, to show that nothing is written there

SPRING = (RULESETS / "1688_spring.yaml").read_text("utf-8")
LOW_DEPOSIT = json.loads((EXAMPLES / "1688_spring" / "merchant_low_deposit.json").read_text())
DEPOSIT_RULE = "check: buyer_protection_deposit >= 3000"

# a decision table that covers no row for blue: valid, with one lint warning (PR702)
LINTED = """\
id: linted
version: 1.0.0
title: {en: Linted, zh: 检查}
timezone: Asia/Shanghai
sources: {"D": {file: d.txt}}
facts:
  color: {type: enum, values: [red, green, blue], description: {en: Colour, zh: 颜色}}
decisions:
  shade:
    description: {en: Shade, zh: 色调}
    source: "D §2"
    table:
      hit_policy: unique
      inputs: [color]
      rows:
        - {id: warm, when: [red], then: warm}
        - {id: cool, when: [green], then: cool}
"""


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` and the digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(make_app(RULESETS)) as c:
        yield c


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


# -- the form ----------------------------------------------------------------------------


def test_the_form_of_a_served_ruleset(client: TestClient) -> None:
    form = client.get("/v1/playground/rulesets/1688_spring").json()
    assert (form["id"], form["version"]) == ("1688_spring", "2.1.0")
    assert form["yaml"] == SPRING
    assert form["digest"] == promorules.loads(SPRING).digest
    assert form["effective_until"] == "2024-03-05T23:59:59+08:00"
    assert form["in_force_now"] is False  # 2024 is over
    facts = {f["name"]: f for f in form["facts"]}
    deposit = facts["buyer_protection_deposit"]
    assert (deposit["kind"], deposit["currency"], deposit["minimum"]) == ("money", "CNY", "0")
    assert deposit["description"] == {"en": "Buyer-protection deposit balance",
                                      "zh": "買家保障服務保證金余額"}
    medal = facts["trade_medal_level"]
    assert (medal["kind"], medal["values"]) == ("ordinal",
                                                ["none", "A", "AA", "AAA", "AAAA", "AAAAA"])
    history = facts["serious_fake_trade_history"]
    assert (history["has_default"], history["default"]) == (True, False)
    assert facts["pickup_rate_48h_30d"]["kind"] == "percent"
    assert facts["submitted_at"]["kind"] == "datetime"
    decisions = {d["id"]: d for d in form["decisions"]}
    assert decisions["merchant_eligibility"]["description"] == {"en": "Merchant requirements",
                                                                "zh": "商家要求"}
    assert decisions["merchant_eligibility"]["facts"][0] == "main_industry"
    assert len(decisions["merchant_eligibility"]["facts"]) == 17
    # a decision's facts include those of the decisions it uses
    registration = decisions["registration"]["facts"]
    assert {"submitted_at", "buyer_protection_deposit", "title"} <= set(registration)
    assert (decisions["review_due"]["kind"], decisions["review_due"]["type"]) == ("value", "date")


def test_the_form_of_a_list_fact(client: TestClient) -> None:
    form = client.get("/v1/playground/rulesets/offline_coop").json()
    lists = [f for f in form["facts"] if f["kind"] == "list"]
    assert lists and all(f["item_kind"] == "enum" and f["values"] for f in lists)


def test_the_version_in_force_at_as_of(client: TestClient) -> None:
    ok = client.get("/v1/playground/rulesets/1688_spring", params={"as_of": "2024-03-01"})
    assert ok.json()["version"] == "2.1.0"
    late = client.get("/v1/playground/rulesets/1688_spring", params={"as_of": "2025-01-01"})
    assert "no version of '1688_spring' is in force" in problem_of(late, 404)["detail"]
    bad = client.get("/v1/playground/rulesets/1688_spring", params={"as_of": "soon"})
    assert problem_of(bad, 422)["code"] == "PR608"


def test_an_unknown_ruleset_is_404(client: TestClient) -> None:
    body = problem_of(client.get("/v1/playground/rulesets/1688_sprung"), 404)
    assert "did you mean '1688_spring'" in body["detail"] and body["code"] == "PR314"


# -- check ---------------------------------------------------------------------------------


def test_check_reports_an_unknown_fact_at_its_line_and_column(client: TestClient) -> None:
    text = SPRING.replace(DEPOSIT_RULE, DEPOSIT_RULE + " and deposit_topped_up", 1)
    body = client.post("/v1/playground/check", json={"yaml": text}).json()
    assert body["valid"] is False and body["ruleset"] is None
    (problem,) = body["problems"]
    line = line_of(text, DEPOSIT_RULE)
    column = text.split("\n")[line - 1].index("deposit_topped_up") + 1
    assert (problem["line"], problem["column"]) == (line, column)
    assert (problem["severity"], problem["code"]) == ("error", "PR301")
    assert "unknown name 'deposit_topped_up'" in problem["message"]
    assert problem["path"] == "decisions.merchant_eligibility.all[5].check"
    # what `promorules check` reports for the same text, located the same way
    with pytest.raises(promorules.RulesetError) as e:
        promorules.loads(text, source="<playground>")
    assert [(x.code, x.line, x.column) for x in e.value.errors] == [("PR301", line, column)]


def test_check_gives_the_hint(client: TestClient) -> None:
    text = SPRING.replace(DEPOSIT_RULE, "check: buyer_protection_depost >= 3000", 1)
    (problem,) = client.post("/v1/playground/check", json={"yaml": text}).json()["problems"]
    assert problem["hint"] == "buyer_protection_deposit"


def test_check_reports_every_problem_of_a_yaml_syntax_error(client: TestClient) -> None:
    body = client.post("/v1/playground/check", json={"yaml": "id: [1688\nversion: 1\n"}).json()
    assert body["valid"] is False
    assert [(p["code"], p["severity"]) for p in body["problems"]] == [("PR101", "error")]
    assert body["problems"][0]["line"] is not None


def test_check_includes_the_lints_and_the_edited_form(client: TestClient) -> None:
    body = client.post("/v1/playground/check", json={"yaml": LINTED}).json()
    assert body["valid"] is True
    (warning,) = body["problems"]
    assert (warning["severity"], warning["code"]) == ("warning", "PR702")
    assert (warning["line"], warning["path"]) == (line_of(LINTED, "- {id: warm"),
                                                  "decisions.shade.table.rows")
    assert warning["message"].startswith("no row covers color = blue")
    assert body["ruleset"]["id"] == "linted" and body["ruleset"]["yaml"] is None
    assert [f["name"] for f in body["ruleset"]["facts"]] == ["color"]


def test_a_valid_ruleset_checks_clean(client: TestClient) -> None:
    body = client.post("/v1/playground/check", json={"yaml": SPRING}).json()
    assert body == {"valid": True, "problems": [], "ruleset": body["ruleset"]}
    assert [d["id"] for d in body["ruleset"]["decisions"]][:2] == ["yanxuan_entry",
                                                                   "merchant_eligibility"]


# -- evaluate ------------------------------------------------------------------------------


def expected_result(rs: promorules.Ruleset, decision: str, facts: dict[str, Any],
                    as_of: str | None, lang: str) -> dict[str, Any]:
    result = rs.evaluate(decision, facts, as_of)
    return json.loads(json.dumps({**result.to_dict(), "explanation": result.explain(lang)}))


def test_evaluate_a_served_ruleset(client: TestClient) -> None:
    body = {"ruleset_id": "1688_spring", "decision": "merchant_eligibility",
            "facts": LOW_DEPOSIT, "as_of": "2024-03-01", "lang": "zh"}
    got = client.post("/v1/playground/evaluate", json=body).json()
    assert got == expected_result(promorules.load(RULESETS / "1688_spring.yaml"),
                                  "merchant_eligibility", LOW_DEPOSIT, "2024-03-01", "zh")
    assert got["outcome"] == "fail" and got["failed"] == ["deposit"]
    assert "差距：0.01 CNY" in got["explanation"]


def test_evaluate_edited_yaml(client: TestClient) -> None:
    text = SPRING.replace(DEPOSIT_RULE, "check: buyer_protection_deposit >= 2000", 1)
    body = {"yaml": text, "decision": "merchant_eligibility", "facts": LOW_DEPOSIT}
    got = client.post("/v1/playground/evaluate", json=body).json()
    edited = promorules.loads(text, source="<playground>")
    assert got == expected_result(edited, "merchant_eligibility", LOW_DEPOSIT, None, "en")
    assert got["outcome"] == "pass" and got["ruleset_digest"] == edited.digest
    # the served version still says what it said
    served = {**body, "yaml": None, "ruleset_id": "1688_spring", "as_of": "2024-03-01"}
    assert client.post("/v1/playground/evaluate", json=served).json()["outcome"] == "fail"


def test_evaluate_a_value_decision(client: TestClient) -> None:
    body = {"yaml": SPRING, "decision": "free_shipping_required",
            "facts": {"destination_region": "海南"}}
    got = client.post("/v1/playground/evaluate", json=body).json()
    assert (got["value"], got["defaults"]) == (False, {"destination_country": "CN"})


def test_evaluating_invalid_yaml_is_422_with_every_problem(client: TestClient) -> None:
    text = SPRING.replace(DEPOSIT_RULE, DEPOSIT_RULE + " and deposit_topped_up", 1)
    body = problem_of(client.post("/v1/playground/evaluate", json={
        "yaml": text, "decision": "merchant_eligibility", "facts": {}}), 422)
    assert body["code"] == "PR301"
    assert body["detail"].startswith(f"<playground>:{line_of(text, DEPOSIT_RULE)}:")
    assert [p["code"] for p in body["problems"]] == ["PR301"]


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"yaml": SPRING, "decision": "merchant_eligibility",
      "facts": {"violation_points_year": "twelve"}}, 422, "violation_points_year"),
    ({"yaml": SPRING, "decision": "merchant_eligibilty", "facts": {}}, 404,
     "did you mean 'merchant_eligibility'"),
    ({"ruleset_id": "nope", "decision": "d", "facts": {}}, 404, "no ruleset 'nope'"),
    ({"ruleset_id": "1688_spring", "yaml": SPRING, "decision": "d"}, 422, "exactly one"),
    ({"decision": "d"}, 422, "exactly one"),
    ({"yaml": SPRING, "decision": "merchant_eligibility", "facts": [1]}, 422, "facts"),
    ({"yaml": SPRING, "decision": "merchant_eligibility", "facts": {}, "as_of": "soon"}, 422,
     "as_of"),
    ({"yaml": SPRING, "decision": "merchant_eligibility", "facts": {}, "lang": "fr"}, 422,
     "lang"),
])
def test_evaluate_errors(client: TestClient, body: dict[str, Any], status: int,
                         says: str) -> None:
    problem = problem_of(client.post("/v1/playground/evaluate", json=body), status)
    assert says in problem["detail"]


def test_a_bad_fact_names_the_fact_and_what_was_expected(client: TestClient) -> None:
    problem = problem_of(client.post("/v1/playground/evaluate", json={
        "yaml": SPRING, "decision": "merchant_eligibility",
        "facts": {"buyer_protection_deposit": -1}}), 422)
    assert (problem["fact"], problem["code"]) == ("buyer_protection_deposit", "PR603")
    assert problem["expected"] == "an amount of money in CNY (a number or a decimal string) >= 0"


@pytest.mark.parametrize("path", ["/v1/playground/check", "/v1/playground/evaluate"])
def test_a_body_that_is_not_json_is_400(client: TestClient, path: str) -> None:
    for content in (b"{yaml: ", b"\xff\xfe", b""):
        response = client.post(path, content=content,
                               headers={"content-type": "application/json"})
        assert problem_of(response, 400)["code"] == "PR835"
    # JSON of the wrong shape is 422
    assert problem_of(client.post(path, json=["yaml"]), 422)["code"] == "PR836"


@pytest.mark.parametrize("path", ["/v1/playground/check", "/v1/playground/evaluate"])
def test_yaml_over_the_limit_is_413(client: TestClient, path: str) -> None:
    text = SPRING + "#" * (MAX_YAML_BYTES - len(SPRING.encode("utf-8")) + 1)
    body = {"yaml": text, "decision": "merchant_eligibility", "facts": {}}
    assert problem_of(client.post(path, json=body), 413)["code"] == "PR833"
    body["yaml"] = text[:-1]  # exactly at the limit: accepted
    assert client.post(path, json=body).status_code == 200


def test_nothing_is_written_to_disk(client: TestClient, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(RULESETS)
    text = SPRING.replace(DEPOSIT_RULE, "check: buyer_protection_deposit >= 2000", 1)
    broken = SPRING.replace(DEPOSIT_RULE, DEPOSIT_RULE + " and x", 1)
    for yaml in (text, broken, LINTED, "id: [\n"):
        client.post("/v1/playground/check", json={"yaml": yaml})
        client.post("/v1/playground/evaluate", json={"yaml": yaml, "decision": "d"})
    client.post("/v1/playground/evaluate", json={
        "yaml": text, "decision": "merchant_eligibility", "facts": LOW_DEPOSIT})
    assert snapshot(RULESETS) == before
    assert os.listdir(tmp_path) == []
    assert promorules.Registry(RULESETS).get("1688_spring", "2024-03-01").text == SPRING


# -- the page and the OpenAPI description --------------------------------------------------


def test_the_page_and_its_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="playground/playground.js"' in page.text
    for name, media_type in STATIC_FILES.items():
        if name.endswith(".html"):
            continue
        response = client.get(f"/playground/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        # offline: nothing is fetched from another host
        assert "http://" not in response.text and "https://" not in response.text
    assert "http://" not in page.text and "https://" not in page.text
    for name in ("playground.html", "../playground.py", "nope.js"):
        assert client.get(f"/playground/{name}").status_code == 404


def test_the_openapi_description(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths["/v1/playground/check"]) == {"post"}
    check = paths["/v1/playground/check"]["post"]
    assert check["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CheckRequest")
    assert check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CheckResponse")
    assert "application/problem+json" in check["responses"]["413"]["content"]
    evaluate = paths["/v1/playground/evaluate"]["post"]
    assert set(evaluate["responses"]) >= {"200", "400", "404", "413", "422"}
    assert "/v1/playground/rulesets/{ruleset_id}" in paths
    assert "/" not in paths and "/playground/{name}" not in paths
    schemas = spec["components"]["schemas"]
    assert {"RulesetForm", "FactField", "DecisionInfo", "CheckProblem",
            "EvaluateResponse", "Problem"} <= set(schemas)


def test_the_router_outside_the_service_answers_503() -> None:
    from fastapi import FastAPI

    from promorules.service.playground import router

    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as bare:
        assert problem_of(bare.get("/v1/playground/rulesets/1688_spring"), 503)
        assert problem_of(bare.post("/v1/playground/check", json={"yaml": SPRING}), 503)
        assert bare.get("/").status_code == 200  # the page itself needs nothing


def test_the_playground_works_under_the_services_time_limit() -> None:
    # a limit nothing can meet: compiling and evaluating are stopped waiting for (504)
    with TestClient(make_app(RULESETS, eval_timeout=1e-9)) as limited:
        # texts of their own, so that each takes a whole compilation (never cached)
        texts = [SPRING.replace(DEPOSIT_RULE, f"check: buyer_protection_deposit >= {n}", 1)
                 for n in (1234, 1235)]
        for path, body in (("/v1/playground/check", {"yaml": texts[0]}),
                           ("/v1/playground/evaluate", {"yaml": texts[1], "decision": "d"})):
            problem = problem_of(limited.post(path, json=body), 504)
            assert problem["code"] == "PR837"
