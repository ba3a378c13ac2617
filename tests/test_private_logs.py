"""Personal data and secrets stay out of logs (issue 12): a PIN typed as an employee
number is never stored; the audit log and the staff list need a sign-in and the role;
a receipt copy needs a counter role or a manager."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.errors import Forbidden
from hallterm.services import sales
from hallterm.services.sales import PaymentIn
from tests.sales_fixtures import item_line, stock_hall

runner = CliRunner()


def run(hall, *args, pin="123456"):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_PIN": pin}
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


def everything_stored(path) -> str:
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_pin_typed_as_employee_number_is_never_stored_or_shown(hall):
    hall.add("8004", "sales")
    r = run(hall, "day", "open", "--as", "246810", pin="246810")
    assert r.exit_code == 3, r.output
    assert "246810" not in everything_stored(hall.path)
    r = run(hall, "audit", "list", "--json", "--action", "auth.", "--as", "9001")
    assert r.exit_code == 0, r.output
    unknown = [row for row in json.loads(r.stdout) if row["action"] == "auth.cli.unknown"]
    assert len(unknown) == 1 and "246810" not in r.stdout
    assert unknown[0]["entity_id"].startswith("unknown:")


def test_the_same_unknown_number_gets_the_same_tag_another_a_different_one(hall):
    for empno in ("246810", "246810", "135790"):
        run(hall, "day", "open", "--as", empno, pin="246810")
    r = run(hall, "audit", "list", "--json", "--action", "auth.cli.unknown", "--as", "9001")
    tags = [row["entity_id"] for row in json.loads(r.stdout)]
    assert len(tags) == 3 and tags[1] == tags[2] != tags[0]


@pytest.mark.parametrize("command", [["audit", "list"], ["staff", "list"]])
def test_reading_the_audit_log_and_staff_list_needs_a_sign_in(hall, command):
    r = run(hall, *command)
    assert r.exit_code == 2 and "--as" in r.stderr and r.stdout == ""
    hall.add("8004", "sales")
    r = run(hall, *command, "--as", "8004", pin="246810")
    assert r.exit_code == 3 and "may not" in r.stderr and r.stdout == ""
    r = run(hall, *command, "--as", "9001")
    assert r.exit_code == 0 and "9001" in r.stdout


def test_an_auditor_reads_both(hall):
    hall.add("8009", "auditor")
    assert run(hall, "audit", "list", "--as", "8009", pin="246810").exit_code == 0
    assert run(hall, "staff", "list", "--as", "8009", pin="246810").exit_code == 0


def test_a_receipt_copy_needs_a_counter_role_or_a_manager(hall):
    stock_hall(hall)
    done = sales.complete_sale(hall.sales, counter=1, visit_id=None,
                               lines=[item_line(hall.sales, "ACC-CASE")],
                               payments=[PaymentIn("cash", 4900, 5000)])
    keeper = hall.as_("8008")  # the warehouse keeper
    with pytest.raises(Forbidden):
        sales.reprint(keeper, receipt_no=done.receipt_no)
    assert sales.reprint(hall.sales, receipt_no=done.receipt_no).reprints == 1
    assert sales.reprint(hall.manager, receipt_no=done.receipt_no).reprints == 2
