"""``hallterm catalog`` and ``hallterm stock``: load, receive a file, show, verify, history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.seeds.stock import make_imei

runner = CliRunner()
ROOT = Path(__file__).parent.parent
CATALOG = str(ROOT / "data" / "catalog.toml")


def run(hall, *args, pin=None, witness_pin=None):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00"}
    if pin:
        env["HALLTERM_PIN"] = pin
    if witness_pin:
        env["HALLTERM_WITNESS_PIN"] = witness_pin
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


def load(hall):
    r = run(hall, "catalog", "load", CATALOG, "--as", "9001", pin="123456")
    assert r.exit_code == 0, r.output
    assert "18 items" in r.stdout


def write_csv(tmp_path, rows, name="delivery.csv"):
    path = tmp_path / name
    path.write_text("sku,serial,quantity\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return str(path)


def test_catalog_load_needs_the_manager_and_a_good_file(hall, tmp_path):
    hall.add("8008", "warehouse")
    r = run(hall, "catalog", "load", CATALOG, "--as", "8008", pin="246810")
    assert r.exit_code == 3 and "catalog.load" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[items]]\nsku = "X"\nkind = "gadget"\n', encoding="utf-8")
    r = run(hall, "catalog", "load", str(bad), "--as", "9001", pin="123456")
    assert r.exit_code == 2
    assert "items[1] (X).kind" in r.stderr and "items[1] (X).name_zh" in r.stderr
    load(hall)
    r = run(hall, "catalog", "list", "--json")
    assert len(json.loads(r.stdout)) == 18


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_receive_file_all_or_nothing_then_show_verify_history(hall, tmp_path):
    load(hall)
    hall.add("8008", "warehouse")
    good = [make_imei(i) for i in range(1, 4)]
    wrong = good[0][:-1] + str((int(good[0][-1]) + 1) % 10)
    bad_file = write_csv(tmp_path, [f"HS-HW-M60,{good[0]},", f"HS-HW-M60,{wrong},",
                                    "ACC-CASE,,5", "NOPE,,2", f"HS-HW-M60,{good[0]},"])
    r = run(hall, "stock", "receive", "--file", bad_file, "--document", "DN-1", "--supplier",
            "GD", "--as", "8008", pin="246810")
    assert r.exit_code == 2, r.output
    assert "line 3" in r.stderr and "check digit" in r.stderr
    assert "line 5" in r.stderr and "line 6" in r.stderr and "line 2" not in r.stderr
    assert "No stock" in run(hall, "stock", "show").stdout
    ok_file = write_csv(tmp_path, [f"HS-HW-M60,{s}," for s in good] + ["ACC-CASE,,5"])
    r = run(hall, "stock", "receive", "--file", ok_file, "--document", "DN-1", "--supplier",
            "GD", "--as", "8008", pin="246810")
    assert r.exit_code == 0, r.output
    assert "SD2026-000001" in r.stdout and "8 units" in r.stdout
    r = run(hall, "stock", "show", "--json")
    data = json.loads(r.stdout)
    assert data["quantity"] == 8 and data["value_fen"] == 3 * 549900 + 5 * 4900
    r = run(hall, "stock", "show", "--place", "warehouse")
    assert "HS-HW-M60" in r.stdout and "¥16,742.00" in r.stdout
    r = run(hall, "stock", "verify")
    assert r.exit_code == 0 and "agrees" in r.stdout
    r = run(hall, "stock", "history", good[1])
    assert r.exit_code == 0 and "Warehouse" in r.stdout and "DN-1" in r.stdout
    r = run(hall, "stock", "history", "35000000000000X")
    assert r.exit_code == 2
    con = sqlite3.connect(hall.path)
    # The store refuses a balance apart from its ledger; someone who drops the trigger
    # first is still caught by verify.
    con.execute("DROP TRIGGER stock_balance_ledger_update")
    con.execute("UPDATE stock_balance SET quantity = quantity + 1 WHERE sku = 'ACC-CASE'")
    con.commit()
    con.close()
    r = run(hall, "stock", "verify")
    assert r.exit_code == 1 and "ACC-CASE" in r.stderr


def test_valuable_cards_need_a_witness_on_the_command_line(hall, tmp_path):
    load(hall)
    hall.add("8008", "warehouse")
    hall.add("8002", "duty_manager")
    hall.add("8004", "sales")
    cards = write_csv(tmp_path, ["VC-100,VC100A0001,", "VC-100,VC100A0002,"])
    args = ["stock", "receive", "--file", cards, "--document", "DN-9", "--supplier", "GD",
            "--as", "8008"]
    r = run(hall, *args, pin="246810")
    assert r.exit_code == 3 and "second person" in r.stderr
    r = run(hall, *args, "--witness", "8004", pin="246810", witness_pin="246810")
    assert r.exit_code == 3 and "may not approve" in r.stderr
    r = run(hall, *args, "--witness", "8002", pin="246810", witness_pin="000000")
    assert r.exit_code == 3 and "wrong PIN" in r.stderr
    r = run(hall, *args, "--witness", "8002", "--json", pin="246810", witness_pin="246810")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["approver"] == "8002"
    r = run(hall, "stock", "show", "--json")
    assert json.loads(r.stdout)["cards_face_fen"] == 20000


def test_bad_header_is_refused(hall, tmp_path):
    load(hall)
    hall.add("8008", "warehouse")
    path = tmp_path / "x.csv"
    path.write_text("item,imei\nA,1\n", encoding="utf-8")
    r = run(hall, "stock", "receive", "--file", str(path), "--document", "D", "--supplier", "S",
            "--as", "8008", pin="246810")
    assert r.exit_code == 2 and "sku,serial,quantity" in r.stderr


def test_every_bad_line_of_a_delivery_in_one_list(hall, tmp_path):
    """Unreadable lines and lines the ledger refuses come in one list, in file order."""
    load(hall)
    hall.add("8008", "warehouse")
    good = make_imei(1)
    bad_file = write_csv(tmp_path, [f"HS-HW-M60,{good},", "HS-HW-M60,123,", "NOPE,,3",
                                    "ACC-CABLE-C,,-1", "ACC-CABLE-C,,abc"])
    r = run(hall, "stock", "receive", "--file", bad_file, "--document", "DN-9", "--supplier",
            "GD", "--as", "8008", pin="246810")
    assert r.exit_code == 2
    assert "4 bad line(s)" in r.stderr
    positions = [r.stderr.index(f"line {n}") for n in (3, 4, 5, 6)]
    assert positions == sorted(positions)
    assert "No stock" in run(hall, "stock", "show").stdout
