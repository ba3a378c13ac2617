"""Wording a user reads: no "counted not counted", "is now at Sold.", "Press 1-1",
and "Appointment" said once on the ticket slip."""

from __future__ import annotations

from dataclasses import replace

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.services import queue
from tests.pilot import PostHost, pilot_test
from tests.sales_fixtures import SIMS, stock_hall

runner = CliRunner()


def run(hall, *args):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": "246810"}
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


def test_the_slip_of_an_appointment_says_appointment_once_with_its_code(hall):
    slip = queue.issue_ticket(hall.ctx, service="A", priority="appointment", appointment="AP-7")
    text = queue.slip_text(slip)
    assert text.count("Appointment") == 1 and "AP-7" in text
    slip = queue.issue_ticket(hall.ctx, service="A", priority="vip", appointment="AP-8")
    text = queue.slip_text(slip)
    assert "VIP" in text and "AP-8" in text


def test_the_cli_says_appointment_once_with_its_code(hall):
    r = run(hall, "queue", "issue", "A", "--priority", "appointment", "--appointment", "AP-9")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("Appointment") == 1 and "AP-9" in r.stdout


def test_a_code_given_with_another_priority_is_kept_and_shown(hall):
    r = run(hall, "queue", "issue", "A", "--appointment", "X1")
    assert r.exit_code == 0, r.output
    assert "X1" in r.stdout
    with hall.ctx.store.read() as session:
        from hallterm.store import execute

        code = execute(session, "SELECT appointment_code FROM ticket WHERE number = :n",
                       {"n": r.stdout.split()[0]}).scalar()
    assert code == "X1"


def test_the_day_report_says_not_counted_once(hall):
    from hallterm.services import sales
    from hallterm.services.sales import PaymentIn
    from hallterm.services.sales import day as sales_day
    from tests.sales_fixtures import item_line

    stock_hall(hall)
    sales.complete_sale(hall.sales, counter=1, visit_id=None,
                        lines=[item_line(hall.sales, "ACC-CASE")],
                        payments=[PaymentIn("cash", 4900, 5000)])
    with hall.ctx.store.read() as session:
        lines = sales_day.render(sales_day.compute(session, hall.clock.now().date()))
    cash = [line for line in lines if "Counter 1:" in line and "expected" in line]
    assert cash and "not counted" in cash[0]
    assert "counted not counted" not in "\n".join(lines)


def test_a_sold_serial_was_sold_it_is_not_at_sold(hall):
    from hallterm.services import sales
    from hallterm.services.sales import PaymentIn
    from tests.sales_fixtures import item_line

    stock_hall(hall)
    line = item_line(hall.sales, "SIM-5G", serial=SIMS[0])
    sales.complete_sale(hall.sales, counter=1, visit_id=None, lines=[line],
                        payments=[PaymentIn("cash", line.total_fen, line.total_fen)])
    r = run(hall, "stock", "history", SIMS[0])
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert "was sold" in first and "at Sold" not in first
    r = run(hall, "stock", "history", SIMS[1])
    assert "is now at Counter 1." in r.stdout.splitlines()[0]


@pilot_test
@pytest.mark.slow
async def test_one_alternative_is_press_1_not_press_1_to_1(hall, tmp_path):
    from textual.widgets import OptionList

    from screens.posts.sales import SalesScreen
    from tests.test_sales_screen import scan, settle

    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    app_ = PostHost(ctx, SalesScreen, settings)
    async with app_.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "SVC-FTTR")  # not offered: one alternative
        title = str(app_.screen.query_one("#sales-options", OptionList).border_title)
        assert "Press 1 " in title and "1-1" not in title
