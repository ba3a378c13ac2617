"""A difference is recorded once: a count re-bases what a drawer and a counter should hold.

The outgoing clerk's shortage found at a handover is theirs; the incoming clerk starts
from what was counted, so the day-end hand-in does not find it again (the Z report and
the grand totals show it once). A shortage is negative everywhere, in cash and in value.
"""

from __future__ import annotations

import csv

import pytest
from textual.widgets import Static

from hallterm.services import cash, export, handover, stock
from hallterm.services.day import closing
from hallterm.services.staff import approve
from hallterm.services.stock import LineIn, stocktake
from tests.conftest import MANAGER_PIN
from tests.pilot import pilot_test
from tests.test_handover import FLOAT, counter_hall, full_serials, incoming, witness
from tests.test_handover_screen import HandoverApp, settle

CASE_FEN = 4900  # ACC-CASE, the phone case of the demo catalog
SHORT = {"ACC-CABLE-C": 10, "ACC-CASE": 4}  # one phone case missing


@pytest.fixture
def ho(hall):
    return counter_hall(hall)


def short_handover(ho):
    """Counter 1 from 8004 to 8005: ¥18 short and a phone case missing."""
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT - 1800,
                                 serials=full_serials(), counts=SHORT)
    assert (view.expected_fen, view.difference_fen) == (FLOAT, -1800)
    assert [(x.sku, x.status, x.difference) for x in view.stock_differences] == [
        ("ACC-CASE", "short", -1)]
    assert view.stock_difference_fen == -CASE_FEN  # a shortage is negative, as the cash
    handover.review(ctx, handover_id=view.id, cash_reason="gave change twice",
                    stock_reason="case missing")
    return handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))


def day_end_count(ho, *, cash_fen=FLOAT - 1800, counts=SHORT, serials=None):
    """8005 hands the drawer in at day end; returns the counted (unreviewed) view."""
    ctx = ho.other
    view = handover.start(ctx, counter=1, outgoing=ctx.actor, day_end=True)
    return handover.submit_count(ctx, handover_id=view.id, cash_fen=cash_fen,
                                 serials=full_serials() if serials is None else serials,
                                 counts=counts)


def close(ho, tmp_path):
    ho.clock.set(ho.clock.now().replace(hour=18, minute=0))
    closing.close_day(ho.manager, force=True, reason="test", reports_dir=tmp_path / "reports")
    return closing.report(ho.manager, ho.clock.now().date())


def section(report, key):
    return next(s["figures"] for s in report.data["sections"] if s["key"] == key)


def test_day_end_starts_from_the_handover_count(ho, tmp_path):
    short_handover(ho)
    # The incoming clerk's drawer should hold what was counted, not the old ¥500.
    assert cash.expected_cash(ho.other, counter=1).expected_fen == FLOAT - 1800
    view = day_end_count(ho)
    assert (view.expected_fen, view.difference_fen) == (FLOAT - 1800, 0)
    assert not view.stock_differences and view.stock_difference_fen == 0
    assert next(x for x in view.lines if x.sku == "ACC-CASE").expected_quantity == 4
    view = handover.review(ho.other, handover_id=view.id)  # nothing to explain
    handover.finish(ho.other, handover_id=view.id)

    report = close(ho, tmp_path)
    totals = section(report, "handovers")["totals"]
    assert totals == {"handovers": 2, "cash_difference_fen": -1800,
                      "stock_difference_fen": -CASE_FEN, "stock_difference_lines": 1}
    for key, value in (("handovers.cash_difference_fen", -1800),
                       ("handovers.stock_difference_fen", -CASE_FEN),
                       ("handovers.stock_difference_lines", 1)):
        assert report.data["totals"][key] == value
        assert report.data["grand_totals"][key] == value
    drawer = next(c for c in section(report, "sales")["cash"] if c["counter"] == 1)
    assert (drawer["counted_fen"], drawer["difference_fen"]) == (FLOAT - 1800, 0)
    assert drawer["day_difference_fen"] == -1800
    assert "-¥36.00" not in report.text
    assert "the day's cash differences at counter 1: -¥18.00" in report.text
    assert "Stock differences found at handovers: -¥49.00" in report.text

    export.export_days(ho.manager, to=tmp_path / "out")
    folder = next((tmp_path / "out").glob("*/*"))
    with (folder / "handovers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["kind"], r["difference_fen"], r["stock_difference_fen"]) for r in rows] == [
        ("shift", "-1800", str(-CASE_FEN)), ("day_end", "0", "0")]


def test_the_incoming_clerk_answers_only_for_their_own_difference(ho):
    short_handover(ho)
    view = day_end_count(ho, cash_fen=FLOAT - 1800 - 500,
                         counts={"ACC-CABLE-C": 10, "ACC-CASE": 3})
    assert view.difference_fen == -500
    assert [(x.sku, x.expected_quantity, x.counted_quantity, x.difference)
            for x in view.stock_differences] == [("ACC-CASE", 4, 3, -1)]
    assert view.stock_difference_fen == -CASE_FEN


def test_a_spot_check_rebases_the_drawer(ho):
    checked = cash.count_cash(ho.sales, counter=1, counted_fen=FLOAT - 500, reason="short")
    assert checked.difference_fen == -500
    drawer = cash.expected_cash(ho.sales, counter=1)
    assert (drawer.expected_fen, drawer.day_difference_fen) == (FLOAT - 500, -500)
    again = cash.count_cash(ho.sales, counter=1, counted_fen=FLOAT - 500, purpose="day_end")
    assert (again.expected_fen, again.difference_fen) == (FLOAT - 500, 0)


def test_a_missing_serial_stays_missing_until_found(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    without = [s for s in full_serials() if s != full_serials()[1]]
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=without,
                                 counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    assert view.stock_difference_fen < 0
    handover.review(ctx, handover_id=view.id, stock_reason="handset lent out",
                    witness=witness(ctx))
    first = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    # Not there at day end: nothing new. Back at day end: found, a positive difference.
    view = day_end_count(ho, cash_fen=FLOAT, serials=without,
                         counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    assert not view.stock_differences
    view = handover.submit_count(ho.other, handover_id=view.id, cash_fen=FLOAT,
                                 serials=full_serials(), counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    found = view.stock_differences
    assert [(x.serial, x.difference) for x in found] == [(full_serials()[1], 1)]
    assert view.stock_difference_fen == -first.stock_difference_fen


def test_a_write_off_of_the_missing_goods_is_not_counted_again(ho):
    short_handover(ho)
    ho.clock.advance(minutes=5)
    keeper = ho.as_("8008")
    stock.write_off(keeper, place="counter:1", to="lost", lines=[LineIn("ACC-CASE", None, 1)],
                    reason="case lost at handover",
                    approver=approve(keeper, action="stock.write_off", empno="9001",
                                     pin=MANAGER_PIN))
    view = day_end_count(ho)
    assert not view.stock_differences


def test_a_stocktake_of_the_counter_puts_the_ledger_right_once(ho, tmp_path):
    short_handover(ho)
    ho.clock.advance(minutes=5)
    keeper = ho.as_("8008")
    take = stocktake.start(keeper, place="counter:1")
    for serial in full_serials():
        stocktake.count(keeper, stocktake_id=take.id, code=serial)
    for sku, quantity in SHORT.items():
        stocktake.count(keeper, stocktake_id=take.id, code=sku, quantity=quantity)
    res = stocktake.finish(keeper, stocktake_id=take.id)
    assert res.value_difference_fen == -CASE_FEN
    stocktake.post(keeper, stocktake_id=take.id, reason="case lost",
                   approver=approve(keeper, action="stock.adjust", empno="9001",
                                    pin=MANAGER_PIN))
    ho.clock.advance(minutes=5)
    view = day_end_count(ho)
    assert not view.stock_differences  # not found again, and not "over" either
    handover.review(ho.other, handover_id=view.id)
    handover.finish(ho.other, handover_id=view.id)
    report = close(ho, tmp_path)
    takes = section(report, "stock")["stocktakes"]
    assert [t["value_fen"] for t in takes] == [-CASE_FEN]  # a loss is negative here too


def test_cli_day_end_hand_in_and_cash_expected_start_from_the_handover(ho):
    from typer.testing import CliRunner

    from hallterm.cli.main import app
    from tests.test_handover_cli import serial_args

    runner = CliRunner()
    env = {"HALLTERM_KEY_FILE": str(ho.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_OUTGOING_PIN": "246810", "HALLTERM_INCOMING_PIN": "246810",
           "HALLTERM_PIN": "246810"}
    count = ["--cash", "482", *serial_args(full_serials()), "--count", "ACC-CABLE-C=10",
             "--count", "ACC-CASE=4", "--pin-from-env", "--store", str(ho.path)]
    r = runner.invoke(app, ["handover", "--counter", "1", "--outgoing", "8004", "--incoming",
                            "8005", *count, "--reason", "gave change twice"], env=env)
    assert r.exit_code == 0, r.output
    assert "difference -¥18.00" in r.stdout and "differences worth -¥49.00" in r.stdout
    r = runner.invoke(app, ["cash", "expected", "--counter", "1", "--as", "8005", "--store",
                            str(ho.path)], env=env)
    assert "expected ¥482.00" in r.stdout
    assert "the differences of the day's counts -¥18.00" in r.stdout
    r = runner.invoke(app, ["handover", "--counter", "1", "--outgoing", "8005", "--day-end",
                            *count], env=env)
    assert r.exit_code == 0, r.output  # nothing to explain: no reason asked
    assert "expected ¥482.00, difference ¥0.00" in r.stdout
    assert "differences worth ¥0.00" in r.stdout



@pilot_test
async def test_handover_screen_shows_the_day_end_count_against_the_handover_count(ho):
    """F7: the duty manager sees the day-end hand-in counted against what 8005 took over."""
    short_handover(ho)
    day_end_count(ho)
    app = HandoverApp(ho.as_("8002"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#ho-detail", Static).render())
        assert "counted ¥482.00, expected ¥482.00, difference ¥0.00" in text, text
        assert "no difference" in text and "Stock differences" not in text
        assert not app.bugs


def test_net_stock_difference_is_signed_but_the_witness_sees_both_sides(ho):
    from tests.sales_fixtures import HANDSETS

    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    swapped = [HANDSETS[3] if s == HANDSETS[1] else s for s in full_serials()]
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=swapped,
                                 counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    assert sorted((x.status, x.difference) for x in view.stock_differences) == [
        ("extra", 1), ("missing", -1)]
    assert view.stock_difference_fen == 0  # one handset short, one over: nets to nothing
    assert view.stock_difference_gross_fen == 2 * 549_900
    assert view.needs_witness  # but a swapped handset is witnessed all the same
