"""Stage 1: the strict YAML loader (promorules.loader.parse_yaml, and through load/loads)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import promorules
from promorules import loader
from promorules.errors import RulesetError
from promorules.loader import MAX_DEPTH, parse_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test of this file runs with libyaml's C parser and with the pure-Python one."""
    if request.param == "libyaml" and not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML is built without libyaml here")  # pragma: no cover
    monkeypatch.setattr(loader, "LIBYAML", request.param == "libyaml")
    return str(request.param)


def _errors(text: str) -> list[RulesetError]:
    """Every problem parse_yaml reports: raised (fatal) or collected (duplicate keys)."""
    try:
        doc = parse_yaml(text, "t.yaml")
    except RulesetError as e:
        return list(e.errors)
    return list(doc.errors)


def _fatal(text: str) -> RulesetError:
    with pytest.raises(RulesetError) as info:
        parse_yaml(text, "t.yaml")
    return info.value


# -- duplicate keys ----------------------------------------------------------------------


def test_duplicate_key_is_pr102_at_the_second_key() -> None:
    errors = _errors("alpha: 1\nbeta: 2\nalpha: 3\n")
    assert [(e.code, e.line, e.column) for e in errors] == [("PR102", 3, 1)]
    assert "alpha" in errors[0].message
    assert "line 1" in errors[0].message  # where the first one was
    assert errors[0].source == "t.yaml"


def test_every_duplicate_key_is_reported_with_its_own_position() -> None:
    text = "a: 1\nb: 2\na: 3\nc:\n  x: 1\n  y: 2\n  x: 3\na: 4\n"
    errors = _errors(text)
    assert [(e.code, e.line, e.column) for e in errors] == [
        ("PR102", 3, 1),
        ("PR102", 7, 3),
        ("PR102", 8, 1),
    ]
    assert errors[1].path == ("c", "x")


def test_duplicate_keys_are_never_last_one_wins() -> None:
    doc = parse_yaml("a: first\na: second\n", "t.yaml")
    assert doc.data == {"a": "first"}  # kept for later stages, but...
    assert [e.code for e in doc.errors] == ["PR102"]  # ...reported


def test_duplicate_key_fails_loads() -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads("id: a\nid: b\n", source="dup.yaml")
    codes = [e.code for e in info.value.errors]
    assert "PR102" in codes
    dup = next(e for e in info.value.errors if e.code == "PR102")
    assert (dup.source, dup.line, dup.column) == ("dup.yaml", 2, 1)


# -- scalars -----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["NO", "no", "yes", "Yes", "off", "ON", "y", "n"])
def test_yaml11_boolean_words_stay_strings(word: str) -> None:
    assert parse_yaml(f"v: {word}\n").data == {"v": word}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_true_and_false_are_booleans(text: str, value: bool) -> None:
    data = parse_yaml(f"v: {text}\n").data
    assert data["v"] is value


def test_dates_stay_strings() -> None:
    data = parse_yaml("d: 2024-03-05\nt: 2024-03-05T10:00:00+08:00\n").data
    assert data == {"d": "2024-03-05", "t": "2024-03-05T10:00:00+08:00"}
    assert type(data["d"]) is str


def test_decimals_are_exact_never_float() -> None:
    data = parse_yaml("rate: 0.95\nprice: 2999.99\ncount: 3\n").data
    assert data["rate"] == Decimal("0.95")
    assert type(data["rate"]) is Decimal
    assert data["price"] == Decimal("2999.99")
    assert type(data["count"]) is int
    assert data["count"] == 3


def test_quoted_scalars_are_strings() -> None:
    data = parse_yaml("a: '0.95'\nb: \"true\"\nc: '2024-03-05'\n").data
    assert data == {"a": "0.95", "b": "true", "c": "2024-03-05"}


def test_null_values() -> None:
    assert parse_yaml("a: ~\nb: null\nc:\n").data == {"a": None, "b": None, "c": None}


# -- anchors, aliases, tags --------------------------------------------------------------


def test_anchor_is_refused_pr103() -> None:
    err = _fatal("a: &x 1\nb: 2\n")
    assert (err.code, err.line, err.column) == ("PR103", 1, 4)


def test_alias_is_refused_pr103() -> None:
    err = _fatal("a: [1]\nb: *x\n")
    assert (err.code, err.line, err.column) == ("PR103", 2, 4)


def test_anchor_and_alias_together_refused_pr103() -> None:
    err = _fatal("base: &base {x: 1}\nother: *base\n")
    assert err.code == "PR103"
    assert err.line == 1


def test_billion_laughs_is_rejected() -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    bomb = "\n".join(lines) + "\n"
    with pytest.raises(RulesetError) as info:
        parse_yaml(bomb, "bomb.yaml")
    assert info.value.code == "PR103"
    with pytest.raises(RulesetError) as info2:
        promorules.loads(bomb, source="bomb.yaml")
    assert info2.value.code == "PR103"


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
        "a: !!str 1\n",
        "a: !!map {b: 1}\n",
    ],
)
def test_tags_are_refused_pr104(text: str) -> None:
    err = _fatal(text)
    assert err.code == "PR104"
    assert (err.line, err.column) == (1, 4)


def test_python_tag_refused_through_loads() -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads("id: !!python/object/apply:os.system ['echo hacked']\n")
    assert info.value.code == "PR104"


# -- syntax errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("id: demo\nversion: a: b\n", 2, 11),  # "mapping values are not allowed here"
        ("id: demo\n  title: x\n", 2, 8),
        ("a: [1, 2\nb: 3\n", 2, 2),
        ("a:\n\t- b\n", 2, 1),
    ],
)
def test_syntax_error_is_pr101_with_one_based_position(text: str, line: int, column: int) -> None:
    err = _fatal(text)
    assert err.code == "PR101"
    assert (err.line, err.column) == (line, column)
    assert err.message.startswith("YAML syntax error")
    assert err.format().startswith(f"t.yaml:{line}:{column}: PR101 ")


def test_control_character_error_has_a_position() -> None:
    # a NUL byte is refused by the YAML reader; the error still points at it (line 1, col 9)
    err = _fatal("id: demo\x00\n")
    assert err.code == "PR101"
    assert (err.line, err.column) == (1, 9)


def test_syntax_error_through_loads_keeps_source() -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads("id: demo\nversion: a: b\n", source="broken.yaml")
    err = info.value
    assert (err.code, err.source, err.line, err.column) == ("PR101", "broken.yaml", 2, 11)
    assert isinstance(err, promorules.PromorulesError)
    assert isinstance(err, ValueError)


# -- shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["- 1\n- 2\n", "just a string\n", "42\n", ""])
def test_top_level_must_be_a_mapping(text: str) -> None:
    err = _fatal(text)
    assert err.code == "PR105"
    assert "mapping" in err.message


def test_multiple_documents_refused() -> None:
    err = _fatal("a: 1\n---\nb: 2\n")
    assert err.code == "PR105"
    assert err.line == 2


def test_non_scalar_keys_refused() -> None:
    err = _fatal("? [a, b]\n: 1\n")
    assert err.code == "PR105"


def test_deep_nesting_is_pr105() -> None:
    depth = MAX_DEPTH + 10
    text = "x: " + "[" * depth + "]" * depth + "\n"
    err = _fatal(text)
    assert err.code == "PR105"
    assert err.line == 1


def test_deep_block_nesting_is_pr105() -> None:
    depth = MAX_DEPTH + 5
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    err = _fatal(text)
    assert err.code == "PR105"


def test_nesting_within_the_limit_is_fine() -> None:
    text = "x: " + "[" * 10 + "1" + "]" * 10 + "\n"
    data = parse_yaml(text).data
    inner = data["x"]
    for _ in range(9):
        inner = inner[0]
    assert inner == [1]


def test_positions_are_recorded() -> None:
    doc = parse_yaml("a:\n  b: 1\n  c: [x, y]\n")
    assert doc.key_marks[("a", "b")] == (2, 3)
    assert doc.marks[("a", "c", 1)] == (3, 10)
    assert doc.position(("a", "c", 0)) == (3, 7)


# -- files -------------------------------------------------------------------------------


def test_non_utf8_file_is_pr100(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: demo\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RulesetError) as info:
        promorules.load(path)
    err = info.value
    assert err.code == "PR100"
    assert err.source == str(path)
    assert "UTF-8" in err.message


def test_missing_file_is_pr100(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(RulesetError) as info:
        promorules.load(path)
    assert info.value.code == "PR100"
    assert info.value.source == str(path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "rulesets" / "1688_spring.yaml"
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + shipped.read_bytes())
    assert promorules.load(path).id == "1688_spring"


def test_loads_refuses_bytes() -> None:
    with pytest.raises(RulesetError) as info:
        promorules.loads(b"id: demo\n")  # type: ignore[arg-type]
    assert info.value.code == "PR100"


# -- the C and the pure-Python parser agree ------------------------------------------------

SHIPPED = sorted(p for p in (ROOT / "rulesets").glob("*.yaml"))

BROKEN = [
    "a: {b: 1\n",  # unclosed flow mapping
    "id: x\n  version: 1\n",  # mapping values not allowed here
    "a: 1\nb: é\x07\n",  # a control character after a non-ASCII one
    "a: [1, 2\nb: 3\n",
    "a: 'unterminated\n",
    "- a\nb: 1\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: 1\na: 2\n",
    "x: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",
    "a: 1\n---\nb: 2\n",
    "\t- a\n",
    "id: \ud800\n",  # a lone surrogate: libyaml cannot even encode it
]


def _outcome(text: str, libyaml: bool) -> object:
    try:
        doc = parse_yaml(text, "t.yaml", libyaml=libyaml)
    except RulesetError as e:
        return [(x.code, x.message, x.line, x.column) for x in e.errors]
    return (doc.data, doc.marks, doc.key_marks,
            [(x.code, x.message, x.line, x.column) for x in doc.errors])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_both_parsers_read_shipped_rulesets_alike(path: Path, yaml_parser: str) -> None:
    text = path.read_text(encoding="utf-8")
    c, python = _outcome(text, True), _outcome(text, False)
    assert c == python
    assert isinstance(c, tuple)  # they loaded


@pytest.mark.parametrize("text", BROKEN)
def test_both_parsers_report_the_same_errors(text: str, yaml_parser: str) -> None:
    c, python = _outcome(text, True), _outcome(text, False)
    assert c == python
    # each text is refused, or (a duplicate key) loads with its problem collected
    assert python if isinstance(python, list) else python[3]  # type: ignore[index]


def test_plain_scalars_are_resolved_the_same_by_both(yaml_parser: str) -> None:
    # libyaml reports a plain scalar's style as "", PyYAML as None: both are plain
    text = "a: 1\nb: '1'\nc: 2.50\nd: NO\ne: true\nf: null\ng: |\n  7\n"
    expected = {"a": 1, "b": "1", "c": Decimal("2.50"), "d": "NO", "e": True, "f": None,
                "g": "7\n"}
    assert parse_yaml(text, libyaml=True).data == expected
    assert parse_yaml(text, libyaml=False).data == expected
