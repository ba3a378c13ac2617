"""``hallterm order``: a new line end to end on the CLI (paid at once, or open and paid
later), the cap's exit 3 with the count, one-line errors, plan change, SIM swap,
cancellation, port-out, list/show/archive."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.orders_fixtures import (
    ADULT_ID,
    AGENT_ID,
    MINOR_ID,
    NUMBERS,
    SIMS,
    open_line,
    order_hall,
)

runner = CliRunner()
HOLDER = ["--id-type", "resident", "--id-number", ADULT_ID, "--name", "张三"]


def run(hall, *args, pin="246810"):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": pin}
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


def new_line(hall, *extra, sim=0):
    return run(hall, "order", "new-line", "--counter", "1", *HOLDER, "--phone", "13912345678",
               "--iccid", SIMS[sim], "--plan", "PLAN-5G-59", *extra, "--as", "8010")


def test_a_new_line_paid_in_cash_on_the_cli(hall):
    order_hall(hall)
    r = new_line(hall, "--number", NUMBERS[2], "--pay", "cash", "--tendered", "100",
                 "--id-copy", "--form-signed", "--photo")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Order O20261125-0001 (New line) completed: line " + NUMBERS[2] in out
    assert "received ¥100.00, change ¥31.00" in out and "Filed: box A20261125-01, place 1" in out
    assert "takes effect immediately (2026-11-25)" in out
    assert "This ID now holds 1 line with this operator." in out
    r = run(hall, "order", "show", "O20261125-0001", "--as", "8010")
    assert r.exit_code == 0, r.output
    assert "110***********" in r.stdout and ADULT_ID not in r.stdout
    r = run(hall, "order", "list", "--json", "--as", "8010")
    assert json.loads(r.stdout)[0]["receipt_no"] == "R20261125-0001"


def test_without_pay_the_order_is_open_then_paid(hall):
    order_hall(hall)
    r = new_line(hall)
    assert r.exit_code == 0, r.output
    assert "open (first payment due)" in r.stdout
    assert "hallterm order pay O20261125-0001 --pay METHOD" in r.stdout
    r = run(hall, "order", "pay", "O20261125-0001", "--pay", "wechat", "--reference", "WX1",
            "--as", "8010")
    assert r.exit_code == 0, r.output
    assert "completed" in r.stdout and "Receipt R20261125-0001: ¥69.00" in r.stdout


def test_the_cap_is_exit_3_with_the_count(hall):
    order_hall(hall)
    for i in range(5):
        open_line(hall, sim=i)
    r = new_line(hall, "--pay", "cash", sim=5)
    assert r.exit_code == 3
    assert "already holds 5 lines" in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_bad_input_is_one_line_exit_2(hall):
    order_hall(hall)
    r = run(hall, "order", "new-line", "--counter", "1", "--id-number", ADULT_ID[:-1] + "0",
            "--name", "张三", "--iccid", SIMS[0], "--plan", "PLAN-5G-59", "--as", "8010")
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    r = new_line(hall, "--agent-id-number", AGENT_ID)
    assert r.exit_code == 2 and "--agent-name" in r.stderr
    r = new_line(hall, "--tendered", "100")
    assert r.exit_code == 2 and "--pay" in r.stderr
    r = run(hall, "order", "show", "O20261125-0099", "--as", "8010")
    assert r.exit_code == 2 and "No order" in r.stderr


def test_a_minor_with_a_guardian_and_an_agent_on_the_cli(hall):
    order_hall(hall)
    r = run(hall, "order", "new-line", "--counter", "1", "--id-type", "household",
            "--id-number", MINOR_ID, "--name", "小明", "--iccid", SIMS[0], "--plan",
            "PLAN-5G-59", "--pay", "cash", "--as", "8010")
    assert r.exit_code == 3 and "guardian" in r.stderr
    r = run(hall, "order", "new-line", "--counter", "1", "--id-type", "household",
            "--id-number", MINOR_ID, "--name", "小明", "--iccid", SIMS[0], "--plan",
            "PLAN-5G-59", "--guardian-id-number", AGENT_ID, "--guardian-name", "王五",
            "--pay", "cash", "--as", "8010")
    assert r.exit_code == 0, r.output
    r = run(hall, "order", "show", "O20261125-0001", "--as", "8010")
    assert "Guardian: 王五" in r.stdout and AGENT_ID not in r.stdout


def test_plan_change_sim_swap_cancel_port_out_and_the_archive(hall):
    order_hall(hall)
    line = open_line(hall).number
    at = ["--counter", "1", "--number", line, *HOLDER, "--as", "8010"]
    r = run(hall, "order", "plan-change", *at, "--plan", "PLAN-5G-129")
    assert r.exit_code == 0, r.output
    assert "takes effect on 2026-12-01 (next billing month)" in r.stdout
    r = run(hall, "order", "sim-replace", *at, "--iccid", SIMS[1])
    assert r.exit_code == 2 and "costs ¥10.00" in r.stderr
    r = run(hall, "order", "sim-replace", *at, "--iccid", SIMS[1], "--pay", "cash")
    assert r.exit_code == 0, r.output
    assert f"replaces {SIMS[0]}, retired" in r.stdout
    r = run(hall, "order", "port-out", *at, "--outcome", "left", "--offer", "half price")
    assert r.exit_code == 2 and "agreed to hear" in r.stderr
    r = run(hall, "order", "port-out", *at, "--outcome", "left")
    assert r.exit_code == 0, r.output
    r = run(hall, "order", "cancel", *at, "--outcome", "left")
    assert r.exit_code == 2 and "retention offer" in r.stderr
    r = run(hall, "order", "cancel", *at, "--outcome", "stayed", "--offer", "half price",
            "--reason", "cost")
    assert r.exit_code == 0 and "retained" in r.stdout
    r = run(hall, "order", "archive", "--as", "8010")
    assert r.exit_code == 0, r.output
    assert "Box A20261125-01 (4 forms)" in r.stdout
    assert "Paperwork incomplete: 3" in r.stdout
    r = run(hall, "order", "show", "O20261125-0005", "--as", "8010")
    assert "offer half price, outcome stayed, reason cost" in r.stdout


def test_a_new_line_under_another_name_for_a_known_id_is_exit_3_and_renames_nobody(hall):
    order_hall(hall)
    open_line(hall, sim=0)  # 张三 holds ADULT_ID
    r = run(hall, "order", "new-line", "--counter", "1", "--id-type", "resident",
            "--id-number", ADULT_ID, "--name", "王芳", "--phone", "13700000000",
            "--iccid", SIMS[1], "--plan", "PLAN-5G-59", "--as", "8010")
    assert r.exit_code == 3, r.output
    assert r.stderr.strip() == ("The name does not match this document's record (张*): "
                                "check the document.")
    r = run(hall, "customer", "show", "--id-number", ADULT_ID, "--as", "8010")
    assert "王芳" not in r.output and "137****0000" not in r.output


def test_withdraw_names_the_plan_without_a_none(hall):
    order_hall(hall)
    assert new_line(hall).exit_code == 0
    r = run(hall, "order", "withdraw", "O20261125-0001", "--reason", "changed mind",
            "--as", "8010")
    assert r.exit_code == 0, r.output
    assert "Plan PLAN-5G-59\n" in r.stdout and "None" not in r.stdout
    r = run(hall, "order", "show", "O20261125-0001", "--as", "8010")
    assert "None" not in r.stdout and "withdrawn" in r.stdout


def test_list_with_an_unknown_state_is_exit_2_naming_the_states(hall):
    order_hall(hall)
    r = run(hall, "order", "list", "--state", "bogus", "--as", "8010")
    assert r.exit_code == 2
    assert "bogus" in r.stderr and "open, completed, withdrawn, retained" in r.stderr


def test_list_masks_the_line_numbers(hall):
    order_hall(hall)
    assert new_line(hall, "--number", NUMBERS[2], "--pay", "cash").exit_code == 0
    r = run(hall, "order", "list", "--as", "8010")
    assert NUMBERS[2][:3] + "****" + NUMBERS[2][-4:] in r.stdout and NUMBERS[2] not in r.stdout


def test_a_plan_change_names_the_pending_change_it_replaces_and_show_names_the_pending(hall):
    order_hall(hall)
    line = open_line(hall)
    args = ("order", "plan-change", "--counter", "1", "--number", line.number, *HOLDER,
            "--as", "8010")
    assert run(hall, *args, "--plan", "PLAN-5G-129").exit_code == 0
    r = run(hall, "order", "show", "O20261125-0002", "--as", "8010")
    assert "The line's plan changes to PLAN-5G-129 on 2026-12-01 (pending)." in r.stdout
    r = run(hall, *args, "--plan", "PLAN-5G-59")
    assert r.exit_code == 0, r.output
    assert "Replaces the pending change to PLAN-5G-129 on 2026-12-01." in r.stdout
    r = run(hall, "order", "show", "O20261125-0002", "--as", "8010")
    assert "(pending)" not in r.stdout
