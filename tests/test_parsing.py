"""One set of parsers for what a clerk types, shared by the CLI and the screens (issue 13)."""

from __future__ import annotations

import pytest

from hallterm.errors import BadInput
from hallterm.parsing import (
    parse_cash,
    parse_counts,
    parse_denominations,
    parse_refund_lines,
    parse_serials,
)

pytestmark = pytest.mark.sqlite_only  # pure parsing: nothing of the engine


# -- counts --------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "counts"), [
    ("ACC-CASE=5", {"ACC-CASE": 5}),
    ("ACC-CASE=5, SIM-X=2", {"ACC-CASE": 5, "SIM-X": 2}),
    ("ACC-CASE=5，SIM-X=2", {"ACC-CASE": 5, "SIM-X": 2}),  # a Chinese comma
    ("ACC-CASE=5 SIM-X=2", {"ACC-CASE": 5, "SIM-X": 2}),  # the screen's spaces
    ("ACC-CASE = 5", {"ACC-CASE": 5}),  # the CLI's spaces around =
    ("ACC-CASE=５", {"ACC-CASE": 5}),  # full-width digits
    ("ACC-CASE=2,ACC-CASE=3", {"ACC-CASE": 5}),
    ("", {}),
])
def test_counts(typed, counts):
    assert parse_counts(typed) == counts


@pytest.mark.parametrize("typed", ["=5", "ACC-CASE", "ACC-CASE=-1", "ACC-CASE=2.5",
                                   "ACC-CASE=½", "ACC-CASE=999999999999999999999",
                                   "ACC-CASE=100001"])
def test_a_count_that_is_not_one_is_refused_with_the_form_to_use(typed):
    with pytest.raises(BadInput, match="SKU=N"):
        parse_counts(typed)


def test_repeated_options_are_counts_too():
    assert parse_counts(["ACC-CASE=1", "SIM-X=2,ACC-CASE=1"]) == {"ACC-CASE": 2, "SIM-X": 2}


# -- cash ----------------------------------------------------------------------------------
def test_cash_is_a_total_or_denominations():
    assert parse_cash("490") == (49000, None)
    assert parse_cash("¥490.00") == (49000, None)
    assert parse_cash("100x4,50x1,5角x2") == (None, {10000: 4, 5000: 1, 50: 2})
    assert parse_cash("100×4；1元x１") == (None, {10000: 4, 100: 1})


@pytest.mark.parametrize(("typed", "message"), [
    ("3x1", "not a Renminbi"), ("100x½", "whole number"), ("100x-1", "whole number"),
    ("100", "FACExCOUNT"), (",", "No denominations"), ("100x100001", "whole number")])
def test_bad_denominations(typed, message):
    with pytest.raises(BadInput, match=message):
        parse_denominations(typed)


# -- refund lines --------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "lines"), [
    ("all", None), ("全部", None), ("", None), ([], None),
    ("1:1 3:2", [(1, 1), (3, 2)]), ("1:1,3:2", [(1, 1), (3, 2)]), ("2", [(2, 1)]),
    (["2:1", "3"], [(2, 1), (3, 1)]),  # the CLI's repeated --line
    ("１：２", [(1, 2)]),  # full-width digits and colon
])
def test_refund_lines(typed, lines):
    assert parse_refund_lines(typed) == lines


@pytest.mark.parametrize("typed", ["0:1", "1:0", "a:1", "1:½", "1:-1", "1:1:1", "all 1:1"])
def test_a_refund_line_that_is_not_one_is_refused(typed):
    with pytest.raises(BadInput, match="line:quantity"):
        parse_refund_lines(typed)


# -- serials -------------------------------------------------------------------------------
def test_serials_from_a_file_or_options_are_cleaned_like_a_scan():
    text = "# delivery 7\n8986 0012-3456\n\n  898600abc  \n"
    assert parse_serials(text) == ["898600123456", "898600ABC"]
    assert parse_serials(["８９８６", "x-1"]) == ["8986", "X1"]


@pytest.mark.parametrize("typed", ["8" * 33, "89!86", "序列号"])
def test_a_serial_that_is_not_one_is_refused(typed):
    with pytest.raises(BadInput, match="Not a serial"):
        parse_serials(typed)


# -- the CLI and the screens call the same parsers -----------------------------------------
def test_the_cli_and_the_screens_share_the_parsers():
    import hallterm.cli.handover as cli_handover
    import hallterm.cli.sales as cli_sales
    import screens.posts.handover as screen_handover
    import screens.posts.sales_actions as screen_sales

    assert screen_handover.parse_counts is parse_counts
    assert screen_handover.parse_cash is parse_cash
    assert screen_sales._refund_lines("1:1 3:2")[1].quantity == 2
    for module in (cli_handover, cli_sales, screen_handover, screen_sales):
        from pathlib import Path

        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "isdigit()" not in source, module.__name__  # no private copy left


def test_the_ledger_and_the_scanner_clean_a_serial_alike():
    """A full-width serial typed at a counter finds the handset the warehouse received."""
    from hallterm.services import stock

    assert stock.clean_serial("３５６９３８-０３５ ６４３８０９") == "356938035643809"
    assert stock.clean_serial(None) == ""
    assert stock.clean_serial("ab-12") == "AB12"
