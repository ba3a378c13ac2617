"""Business rows changed behind the log's back: each attack edits the demo store with raw SQL."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A normal day of work (the demo seed), made once; each test edits its own copy."""
    folder = tmp_path_factory.mktemp("rows-demo")
    home = tmp_path_factory.mktemp("rows-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        mp.setenv("XDG_DATA_HOME", str(home / "data"))
        r = runner.invoke(app, ["demo", "--no-app", "--store", str(folder / "demo.db")])
    assert r.exit_code == 0, r.output + r.stderr
    return folder


@pytest.fixture
def store(demo_dir, tmp_path) -> Path:
    copy = tmp_path / "hall"
    shutil.copytree(demo_dir, copy)
    return copy / "demo.db"


def attacker(store: Path) -> sqlite3.Connection:
    """A raw connection with every trigger dropped (what someone with the file can do)."""
    con = sqlite3.connect(store)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    return con


def verify(store: Path, what: str = "audit"):
    return runner.invoke(app, [what, "verify", "--store", str(store)])


def test_a_normal_day_of_work_verifies_intact(store):
    for what in ("audit", "stock"):
        r = verify(store, what)
        assert r.exit_code == 0, r.output + r.stderr


def test_a_sale_amount_changed_is_named(store):
    con = attacker(store)
    sale_id, receipt = con.execute("SELECT id, receipt_no FROM sale ORDER BY id").fetchone()
    con.execute("UPDATE sale SET total_fen = total_fen - 1000 WHERE id = ?", (sale_id,))
    con.commit()
    con.close()
    r = verify(store)
    assert r.exit_code == 1
    assert f"sale {sale_id} ({receipt}) was changed without the log" in r.stderr


def test_a_payment_amount_changed_is_named(store):
    con = attacker(store)
    pay_id, receipt = con.execute("SELECT p.id, s.receipt_no FROM payment p JOIN sale s "
                                  "ON s.id = p.sale_id ORDER BY p.id").fetchone()
    con.execute("UPDATE payment SET amount_fen = 1 WHERE id = ?", (pay_id,))
    con.commit()
    con.close()
    r = verify(store)
    assert r.exit_code == 1
    assert f"payment {pay_id} ({receipt}) was changed without the log" in r.stderr


def test_a_deleted_sale_is_named(store):
    con = attacker(store)
    sale_id, receipt = con.execute("SELECT id, receipt_no FROM sale ORDER BY id DESC").fetchone()
    for table in ("payment", "sale_line"):
        con.execute(f"DELETE FROM {table} WHERE sale_id = ?", (sale_id,))
    con.execute("DELETE FROM sale WHERE id = ?", (sale_id,))
    con.commit()
    con.close()
    r = verify(store)
    assert r.exit_code == 1
    assert f"sale {sale_id} ({receipt}) was deleted without the log" in r.stderr


def test_a_sale_added_without_the_log_is_named(store):
    con = attacker(store)
    con.execute("INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, "
                "walk_up, list_total_fen, total_fen, state, reprints) SELECT 'R-FAKE', "
                "business_day, at, counter, terminal, clerk, 1, 100, 100, 'completed', 0 "
                "FROM sale ORDER BY id LIMIT 1")
    con.commit()
    con.close()
    r = verify(store)
    assert r.exit_code == 1
    assert "(R-FAKE) was written without the log" in r.stderr


def test_a_clerk_made_manager_is_named(store):
    con = attacker(store)
    staff_id = con.execute("SELECT id FROM staff WHERE empno = '8004'").fetchone()[0]
    con.execute("UPDATE staff SET roles = 'manager' WHERE empno = '8004'")
    con.commit()
    con.close()
    r = verify(store)
    assert r.exit_code == 1
    assert f"staff {staff_id} (8004) was changed without the log" in r.stderr


def test_a_ledger_row_changed_with_its_balance_is_caught_by_both_verifies(store):
    con = attacker(store)
    move_id, sku, doc = con.execute(
        "SELECT m.id, m.sku, d.number FROM stock_move m JOIN stock_document d "
        "ON d.id = m.document_id WHERE m.serial IS NULL AND m.from_place = 'supplier' "
        "AND m.to_place = 'warehouse' ORDER BY m.id").fetchone()
    con.execute("UPDATE stock_move SET quantity = quantity + 5 WHERE id = ?", (move_id,))
    con.execute("UPDATE stock_balance SET quantity = quantity + 5 WHERE sku = ? "
                "AND place = 'warehouse'", (sku,))
    con.commit()
    con.close()
    r = verify(store, "stock")
    assert r.exit_code == 1
    assert f"stock_move {move_id} ({doc}) was changed without the log" in r.stderr
    assert f"stock_balance {sku}|warehouse ({sku} @ warehouse) was changed" in r.stderr
    assert "balance" not in r.stderr.split("stock_move")[0]  # the sums alone agree
    r = verify(store)
    assert r.exit_code == 1
    assert f"stock_move {move_id} ({doc}) was changed without the log" in r.stderr

