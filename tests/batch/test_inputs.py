"""evaluate_batch over each kind of input, to_sql on DuckDB and PostgreSQL, the calendar
relation: every answer checked against the row engine."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

import promorules
from promorules.errors import PromorulesError, UnknownDecisionError

from .oracle import ROOT, mismatches, normal, ruleset

RS = ruleset(ROOT / "rulesets" / "1688_spring.yaml")
ME = "merchant_eligibility"
GOOD = {"main_industry": "女裝", "trade_medal_level": "AA", "chengxintong_active": True,
        "alipay_real_name_verified": True, "buyer_protection_enabled": True,
        "buyer_protection_deposit": "3000.00", "chengxintong_type": "enterprise",
        "serious_fake_trade_3m": False, "violation_points_year": 12,
        "serious_ip_infringement": False, "store_competitiveness_ok": True,
        "prohibited_info_points": 0, "commercial_compliance_violation": False,
        "infringing_listing_penalty": False, "court_dishonest_record": False,
        "finance_serious_overdue": False}
ROWS: list[dict[str, Any]] = [
    GOOD,
    {**GOOD, "buyer_protection_deposit": "2999.99", "main_industry": "女装"},
    {**GOOD, "buyer_protection_deposit": None, "trade_medal_level": "none"},
    {k: v for k, v in GOOD.items() if k != "violation_points_year"},
    {**GOOD, "trade_medal_level": "AAAAAA"},  # unknown ordinal value: invalid
    {**GOOD, "buyer_protection_deposit": "3000.001"},  # more than 2 decimals: invalid
    {**GOOD, "chengxintong_active": "yes"},  # a string for a boolean: invalid
    {**GOOD, "violation_points_year": float("nan")},
    {**GOOD, "violation_points_year": 35.99, "buyer_protection_deposit": 3000.01},
]


def _check(table: pa.Table, rows: list[dict[str, Any]], rs: promorules.Ruleset = RS,
           decision: str = ME, as_of: Any = None) -> None:
    bad = mismatches(rs, decision, rows, table, as_of)
    assert not bad, "\n".join(bad)


def test_a_list_of_mappings_with_mixed_types() -> None:
    out = RS.evaluate_batch(ME, ROWS)
    _check(out, ROWS)
    assert out.column("outcome").to_pylist()[:4] == ["pass", "fail", "fail", "unknown"]
    assert out.column("outcome").to_pylist()[4:8] == ["invalid"] * 4
    assert out.column("error").to_pylist()[4].startswith("PR604 fact 'trade_medal_level'")
    assert out.column_names[-5:] == ["outcome", "failed", "missing", "value", "error"]


def test_an_arrow_table_keeps_columns_order_and_pass_through_ids() -> None:
    table = pa.table({
        "merchant_id": pa.array(range(len(ROWS) - 4)),
        **{name: pa.array([r.get(name) for r in ROWS[:4]] + [None])
           for name in GOOD if name != "buyer_protection_deposit"},
        "buyer_protection_deposit": pa.array(
            [Decimal(r["buyer_protection_deposit"]) if r.get("buyer_protection_deposit")
             else None for r in ROWS[:4]] + [Decimal("1.5")], pa.decimal128(12, 2)),
    })
    out = RS.evaluate_batch(ME, table)
    assert out.column_names[: table.num_columns] == table.column_names
    assert out.column("merchant_id").to_pylist() == list(range(5))
    _check(out, table.to_pylist())


def test_numbers_as_floats_and_typed_decimals() -> None:
    table = pa.table({"buyer_protection_deposit": pa.array([2999.99, 3000.0, 0.1 + 0.2, 1e12,
                                                            3000.001, None, -0.0]),
                      "violation_points_year": pa.array([35.99, 36.0, 1e-05, 2.5e-5, 0.1,
                                                         float("inf"), 12.0])})
    out = RS.evaluate_batch(ME, table)
    _check(out, table.to_pylist())
    wide = pa.table({"buyer_protection_deposit": pa.array([Decimal("3000.0000")],
                                                          pa.decimal128(20, 4))})
    _check(RS.evaluate_batch(ME, wide), wide.to_pylist())  # evaluate refuses 4 places


def test_numbers_beyond_the_exact_types_are_flagged_never_changed() -> None:
    rows = [{"buyer_protection_deposit": 1e16}, {"violation_points_year": "2.5e-7"},
            {"violation_points_year": "123456789012345678901234567890"}]
    out = RS.evaluate_batch(ME, rows)
    for row in rows:
        RS.evaluate(ME, row)  # evaluate takes each of them
    assert out.column("outcome").to_pylist() == ["invalid"] * 3
    for error, name in zip(out.column("error").to_pylist(), ["buyer_protection_deposit",
                                                            "violation_points_year",
                                                            "violation_points_year"],
                           strict=True):
        assert error.startswith(f"PR820 fact '{name}'"), error


def test_pandas_and_polars_frames() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    rows = ROWS[:4]
    frame = pd.DataFrame(rows)
    # pandas' own missing value (NaN, None) is a null: a missing fact
    _check(RS.evaluate_batch(ME, frame), [{k: None if v is None or v != v else v
                                           for k, v in r.items()}
                                          for r in frame.to_dict("records")])
    mixed = pd.DataFrame(ROWS)  # object columns of mixed types
    out = RS.evaluate_batch(ME, mixed)
    assert out.num_rows == len(ROWS)
    assert out.column("outcome").to_pylist()[4] == "invalid"
    table = pa.Table.from_pylist(rows)
    _check(RS.evaluate_batch(ME, pl.from_arrow(table)), table.to_pylist())
    categories = frame.astype({"trade_medal_level": "category", "main_industry": "category"})
    _check(RS.evaluate_batch(ME, categories), [{k: None if v is None or v != v else v
                                                for k, v in r.items()}
                                               for r in frame.to_dict("records")])


def test_parquet_csv_and_jsonl_files(tmp_path: Path) -> None:
    rows = ROWS[:4]
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "m.parquet")
    _check(RS.evaluate_batch(ME, tmp_path / "m.parquet"), table.to_pylist())
    # CSV: every cell is text read by the declared fact types
    header = list(GOOD)
    lines = [",".join(header)]
    for r in rows:
        lines.append(",".join("" if r.get(h) is None else
                              (str(r[h]).lower() if isinstance(r[h], bool) else str(r[h]))
                              for h in header))
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = RS.evaluate_batch(ME, str(tmp_path / "m.csv"))
    assert out.column("outcome").to_pylist() == ["pass", "fail", "fail", "unknown"]
    assert out.column("failed").to_pylist()[1] == ["deposit"]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                              for r in rows), encoding="utf-8")
    _check(RS.evaluate_batch(ME, tmp_path / "m.jsonl"), rows)


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownDecisionError, match=r"PR310 .*merchant_eligibilty"):
        RS.evaluate_batch("merchant_eligibilty", ROWS)
    with pytest.raises(PromorulesError, match="PR821"):
        RS.evaluate_batch(ME, tmp_path / "none.parquet")
    with pytest.raises(PromorulesError, match="PR821"):
        RS.evaluate_batch(ME, tmp_path / "m.xlsx")
    with pytest.raises(PromorulesError, match="PR821"):
        RS.evaluate_batch(ME, 42)


def test_an_empty_batch() -> None:
    out = RS.evaluate_batch(ME, pa.table({"main_industry": pa.array([], pa.string())}))
    assert out.num_rows == 0
    assert out.column_names == ["main_industry", "outcome", "failed", "missing", "value",
                                "error"]


def test_to_sql_runs_on_duckdb_and_parses_as_postgres() -> None:
    rs = ruleset(ROOT / "rulesets" / "offline_coop.yaml")
    decision = "review_window"
    rows = [{"submitted_on": "2024-09-27"}, {"submitted_on": "2024-02-08"}, {}]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    facts = pa.table({"id": [0, 1, 2],
                      "submitted_on": pa.array([dt.date(2024, 9, 27), dt.date(2024, 2, 8),
                                                None], pa.date32())})
    con.register("applications", facts)
    con.register("promorules_calendar", promorules.calendar_table(rs))
    sql = rs.to_sql(decision, dialect="duckdb", table="applications",
                    keep=["id", "submitted_on"])
    out = con.sql(sql).to_arrow_table().sort_by("id")  # a SQL result has no order
    _check(out, rows, rs, decision)
    postgres = rs.to_sql(decision, dialect="postgres", table="applications")
    assert sqlglot.parse_one(postgres, read="postgres") is not None
    assert "promorules_calendar" in postgres
    spark = RS.to_sql(ME, dialect="spark", table="merchants")
    assert sqlglot.parse_one(spark, read="spark") is not None
    medals = ruleset(ROOT / "rulesets" / "aliexpress_medals.yaml")
    for dialect in ("spark", "postgres"):  # exact rounding on DECIMAL(38, 0) there
        text = medals.to_sql("monthly_gmv_usd", dialect=dialect)
        assert "INT128" not in text and "HUGEINT" not in text
        assert sqlglot.parse_one(text, read=dialect) is not None
    with pytest.raises(PromorulesError, match="PR823"):
        rs.to_sql(decision, dialect="no-such-dialect")


def test_calendar_table_is_the_row_engines_calendar() -> None:
    rs = ruleset(ROOT / "rulesets" / "offline_coop.yaml")
    table = promorules.calendar_table(rs)
    assert table.column_names == ["day", "is_working_day", "working_day_number",
                                  "unknown_number"]
    cal = rs.model.calendar
    days = table.column("day").to_pylist()
    working = table.column("is_working_day").to_pylist()
    for day, w in zip(days, working, strict=True):
        if w is not None:
            assert w == cal.is_working_day(day), day
    # 2024-02-04 (a Sunday) was an adjusted working day; 2024-02-12 a Spring Festival holiday
    by_day = dict(zip(days, working, strict=True))
    assert by_day[dt.date(2024, 2, 4)] is True
    assert by_day[dt.date(2024, 2, 12)] is False
    assert by_day[days[0]] is None  # the year before the calendar's data


def test_values_are_exact_decimals_structs_and_lists() -> None:
    rs = ruleset(ROOT / "rulesets" / "offline_coop.yaml")
    rows = [{"fixed_fee_cny": "100.01"}, {"fixed_fee_cny": "0.01"}, {}]
    out = rs.evaluate_batch("fixed_fee_installments", rows)
    assert pa.types.is_struct(out.schema.field("value").type)
    for row, got in zip(rows, out.to_pylist(), strict=True):
        want = rs.evaluate("fixed_fee_installments", row).value
        assert normal(got["value"]) == normal(want)


def test_working_days_beyond_the_calendar_are_invalid_as_evaluate_says() -> None:
    rs = ruleset(ROOT / "rulesets" / "offline_coop.yaml")
    rows = [{"submitted_on": "2040-01-02"}, {"submitted_on": "2003-12-30"},
            {"submitted_on": "2024-12-27"}, {"submitted_on": "2024-09-29"}]
    out = rs.evaluate_batch("review_window", rows)
    _check(out, rows, rs, "review_window")
    assert out.column("error").to_pylist()[0].startswith("PR607")


def test_date_times_in_any_zone_and_the_whole_second_bound() -> None:
    decision = "registration"
    base = {**GOOD, "is_yanxuan": True, "industry": "鞋", "alipay_guaranteed_trade": True,
            "min_order_qty": 1, "free_shipping": True, "market_price": "100.00",
            "activity_price_pc": "95.00", "activity_price_mobile": "95.01",
            "experience_score_30d": 2, "dispute_score_30d": 4, "title": "新款"}
    times = ["2024-03-05T23:59:59.5", "2024-03-05T15:59:59.999999Z",
             "2024-03-06T00:00:00+08:00", "2024-03-05T16:00:00Z", "2023-02-22T16:00:00Z",
             "2023-02-22T23:59:59", "2024-03-05 23:59:59", "2024-03-05T23:59"]
    rows = [{**base, "submitted_at": t} for t in times]
    _check(RS.evaluate_batch(decision, rows), rows, RS, decision)


def test_iter_batches_streams_a_file_in_order(tmp_path: Path) -> None:
    from promorules.batch import iter_batches

    rows = [{**GOOD, "buyer_protection_deposit": f"{2990 + k}.00"} for k in range(25)]
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "m.parquet", row_group_size=4)
    batches = list(iter_batches(RS, ME, tmp_path / "m.parquet", batch_size=8))
    assert all(b.num_rows <= 8 for b in batches)
    out = pa.Table.from_batches(batches)
    assert out.column_names == [*table.column_names, "outcome", "failed", "missing", "value",
                                "error"]
    assert out.column("buyer_protection_deposit").to_pylist() == \
        table.column("buyer_protection_deposit").to_pylist()
    _check(out, rows)
    whole = RS.evaluate_batch(ME, tmp_path / "m.parquet")
    assert whole.to_pylist() == out.to_pylist()


def test_tables_the_batch_engine_does_not_compute_are_refused_by_name() -> None:
    from tests.rulesets.test_dmn_tables import APPROVAL, PRIORITY, load

    rs = load(APPROVAL)  # a row's output is a formula (computed money)
    with pytest.raises(PromorulesError, match=r"PR822 .*computed output cells"):
        rs.evaluate_batch("x", [{"age": 30, "risk": "Low", "affordable": True}])
    with pytest.raises(PromorulesError, match="PR822"):
        rs.to_sql("x")
    # the DMN hit policies themselves are computed: priority agrees with evaluate
    priority = load(PRIORITY)
    facts = {"age": 30, "risk": "Low"}
    (outcome,) = priority.evaluate_batch("x", [facts]).column("value").to_pylist()
    assert outcome == priority.evaluate("x", facts).value


def test_csv_list_cells_are_json_arrays_of_strings(tmp_path: Path) -> None:
    from promorules.batch.inputs import reading_value

    rs = ruleset(ROOT / "rulesets" / "offline_coop.yaml")
    cells = ['["business_license"]', "[]", "x", '["nope"]', "[1]", '{"a": 1}',
             '["application_form","business_license","legal_rep_id_copy"]', ""]
    text = "applicant_type,documents\n" + "".join(
        'corporate,"' + c.replace('"', '""') + '"\n' for c in cells)
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    out = rs.evaluate_batch("required_documents", tmp_path / "d.csv")
    rows = [{"applicant_type": "corporate",
             **({"documents": reading_value(rs.facts["documents"], c, True)} if c else {})}
            for c in cells]
    _check(out, rows, rs, "required_documents")
    assert out.column("outcome").to_pylist()[:3] == ["fail", "fail", "invalid"]
