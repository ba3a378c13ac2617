"""``hallterm sales`` and ``hallterm cash``: list, receipt and reprint, void, drawer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.services import sales
from hallterm.services.sales import PaymentIn
from tests.sales_fixtures import item_line, stock_hall

runner = CliRunner()


def run(hall, *args, pin="246810", approver_pin=None, tmp=None):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": pin}
    if approver_pin:
        env["HALLTERM_APPROVER_PIN"] = approver_pin
    if tmp:
        env["HALLTERM_RECEIPTS_DIR"] = str(tmp)
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


def test_list_receipt_reprint_void_and_drawer(hall, tmp_path):
    stock_hall(hall)
    ctx = hall.sales
    done = sales.complete_sale(ctx, counter=1, visit_id=None,
                               lines=[item_line(ctx, "ACC-CASE"), item_line(ctx, "SVC-DATA-10G")],
                               payments=[PaymentIn("cash", 7900, 10000)])
    r = run(hall, "sales", "list", "--json", "--as", "8004")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["receipt_no"] == done.receipt_no
    r = run(hall, "sales", "receipt", done.receipt_no, "--as", "8004")
    assert r.exit_code == 0 and "收您 ¥100.00，找您 ¥21.00" in r.stdout  # the hall's language
    r = run(hall, "sales", "receipt", done.receipt_no, "--receipt-language", "en", "--as", "8004")
    assert r.exit_code == 0 and "Received ¥100.00, change ¥21.00" in r.stdout
    assert "Takes effect: immediately" in r.stdout
    r = run(hall, "sales", "receipt", done.receipt_no, "--reprint", "--receipt-language", "fr",
            "--as", "8004", tmp=tmp_path)
    assert r.exit_code == 2 and "zh_CN or en" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / f"{done.receipt_no}-copy.txt").exists()
    r = run(hall, "sales", "receipt", done.receipt_no, "--reprint", "--receipt-language", "en",
            "--as", "8004", tmp=tmp_path)
    assert r.exit_code == 0, r.output
    copy = (tmp_path / f"{done.receipt_no}-copy.txt").read_text(encoding="utf-8")
    assert "COPY (reprint 1)" in copy
    r = run(hall, "cash", "expected", "--counter", "1", "--json", "--as", "8002")
    assert json.loads(r.stdout)["expected_fen"] == 7900
    r = run(hall, "sales", "void", done.receipt_no, "--reason", "wrong item", "--as", "8004",
            "--approver", "8004", approver_pin="246810")
    assert r.exit_code == 3, r.output  # one's own approval is refused
    r = run(hall, "sales", "void", done.receipt_no, "--reason", "wrong item", "--as", "8004",
            "--approver", "8002", approver_pin="246810")
    assert r.exit_code == 0, r.output
    assert "V20261125-0001" in r.stdout
    r = run(hall, "cash", "expected", "--counter", "1", "--json", "--as", "8002")
    assert json.loads(r.stdout)["expected_fen"] == 0
    r = run(hall, "cash", "move", "--counter", "1", "--kind", "float", "--amount", "500",
            "--as", "8004")
    assert r.exit_code == 0 and "¥500.00" in r.stdout
    r = run(hall, "cash", "count", "--counter", "1", "--counted", "490", "--as", "8004")
    assert r.exit_code == 0 and "difference -¥10.00" in r.stdout and "count-reason" in r.stderr
    r = run(hall, "sales", "receipt", "R20261125-9999", "--as", "8004")
    assert r.exit_code == 2 and "Traceback" not in r.output
