"""A rule may cite several places: `source:` is one citation or a list of them."""

from __future__ import annotations

import pytest

import promorules

RULESET = """\
id: cites
version: 1.0.0
title: {en: Cites, zh: 引用}
timezone: Asia/Shanghai
sources:
  "A": {file: a.txt}
  "B": {file: b.txt}
facts:
  x: {type: number}
decisions:
  ok:
    description: {en: OK, zh: 可以}
    source: "A §1"
    all:
      - id: big
        description: {en: Big, zh: 大}
        source: SOURCES
        check: x >= 1
"""


def test_a_list_of_citations_is_resolved_item_by_item() -> None:
    rs = promorules.loads(RULESET.replace("SOURCES", '["A §2", "B §3.1"]'))
    result = rs.evaluate("ok", {"x": 0})
    (failed,) = result.failed
    assert failed.source == "a.txt §2; b.txt §3.1"
    assert "a.txt §2; b.txt §3.1" in result.explain()
    assert rs.decisions["ok"].ir.rule.children[0].source == "a.txt §2; b.txt §3.1"


def test_an_undeclared_document_in_the_list_is_located() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(RULESET.replace("SOURCES", '["A §2", "C §3"]'))
    (error,) = info.value.errors
    assert error.code == "PR307" and "'C'" in error.message
    assert error.line == 17 and error.column is not None and error.column > 17  # the item


def test_an_empty_list_of_citations_is_refused() -> None:
    with pytest.raises(promorules.RulesetError) as info:
        promorules.loads(RULESET.replace("SOURCES", "[]"))
    assert any(e.code == "PR200" for e in info.value.errors)
