"""Money parsing and formatting: integer fen, no floats, clear refusals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.errors import BadInput
from hallterm.money import format_fen, parse_fen

pytestmark = pytest.mark.sqlite_only  # pure arithmetic: nothing of the engine


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("¥12.50", 1250), ("１２.５０", 1250),
     ("￥1,234.56", 123456), (" 0.07 ", 7), ("0", 0), ("12.", 1200)],
)
def test_parse_what_a_clerk_types(text, fen):
    assert parse_fen(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [("-5", "negative"), ("12.345", "two decimals"), ("abc", "Not an amount"), ("", "Not an amount"),
     ("1e3", "Not an amount"), ("12.3.4", "Not an amount"), ("99999999999999", "too large")],
)
def test_refuse_bad_amounts(text, message):
    with pytest.raises(BadInput, match=message):
        parse_fen(text)


def test_zero_can_be_refused():
    with pytest.raises(BadInput, match="more than zero"):
        parse_fen("0.00", allow_zero=False)


def test_format():
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-100) == "-¥1.00"
    with pytest.raises(TypeError):
        format_fen(1.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_format_round_trip(fen):
    assert parse_fen(format_fen(fen)) == fen


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_plain_decimal_text(yuan, cents):
    assert parse_fen(f"{yuan}.{cents:02d}") == yuan * 100 + cents


def test_no_float_in_any_money_path():
    """No float literal or float() call in code that handles *_fen values."""
    root = Path(__file__).parent.parent / "hallterm"
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float"
                    and "fen" in ast.unparse(node)):
                offenders.append(f"{path}:{node.lineno}")
            if isinstance(node, ast.Assign):
                names = [ast.unparse(t) for t in node.targets]
                if any(n.endswith("_fen") for n in names) and isinstance(node.value, ast.Constant) \
                        and isinstance(node.value.value, float):
                    offenders.append(f"{path}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("text", ["1,50", "1,,2", ",12", "12,", "1,2345", "1,234,5"])
def test_only_well_formed_thousands_separators(text):
    # "1,50" was ¥150 and "1,,2" was ¥12: a typo became a different amount
    with pytest.raises(BadInput, match="groups of three"):
        parse_fen(text)


def test_thousands_still_read_and_huge_amounts_are_one_clear_error():
    assert parse_fen("1,234,567.89") == 123456789
    with pytest.raises(BadInput, match="too large"):
        parse_fen("9" * 5000)  # int() of 5 000 digits raised ValueError (an apology, exit 1)
