"""``hallterm store copy``: a hall's whole store moves between engines, the chain intact.

On the SQLite run the hall is a file and is copied into another file; on the
PostgreSQL run (``HALLTERM_TEST_PG``) it goes PostgreSQL → an SQLite file → a new
PostgreSQL database: both directions.
"""

from __future__ import annotations

import re

from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.conftest import new_store
from tests.sales_fixtures import stock_hall

runner = CliRunner()


def _busy_hall_with_a_closed_day(hall, tmp_path):
    """A sale and a forced close on day 1; day 2 open with a sale of its own."""
    from hallterm.services import sales
    from hallterm.services.day import closing, open_day
    from tests.sales_fixtures import item_line

    stock_hall(hall)

    def sell():
        sales.complete_sale(hall.sales, counter=1, visit_id=None,
                            lines=[item_line(hall.sales, "SVC-DATA-10G")],
                            payments=[sales.PaymentIn("cash", 3000, 5000)])

    sell()
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="copy test", reports_dir=tmp_path)
    hall.clock.advance(hours=16)
    open_day(hall.manager)
    sell()
    hall.ctx.store.dispose()


def _verify(hall, store) -> str:
    r = runner.invoke(app, ["audit", "verify", "--store", str(store)],
                      env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert r.exit_code == 0, r.output
    head = re.search(r"Audit chain intact: \d+ rows, head \d+ \w+", r.output)
    assert head, r.output
    return head.group(0)


def _rows(store) -> dict[str, list[tuple]]:
    """Every table's rows, in key order: what must be the same on both sides."""
    from hallterm.store import Store, execute
    from hallterm.storecopy import _tables

    s = Store(store)
    try:
        with s.read() as conn:
            found = {}
            for t in _tables():
                keys = ", ".join(c.name for c in t.primary_key.columns) or "1"
                cols = ", ".join(c.name for c in t.columns)
                found[t.name] = [tuple(r) for r in execute(
                    conn, f"SELECT {cols} FROM {t.name} ORDER BY {keys}").all()]
            return found
    finally:
        s.dispose()


def test_a_copy_verifies_with_the_same_head_and_the_same_rows(hall, tmp_path):
    _busy_hall_with_a_closed_day(hall, tmp_path)
    head = _verify(hall, hall.path)
    rows = _rows(hall.path)
    assert rows["day_close"] and rows["sale"] and rows["audit_log"]
    # Away (PostgreSQL → a file, or a file → a file on the SQLite run) ...
    away = tmp_path / "copy.db"
    r = runner.invoke(app, ["store", "copy", "--from", str(hall.path), "--to", str(away)])
    assert r.exit_code == 0, r.output
    assert "Copied" in r.output and "audit verify --store" in r.output
    # the check it suggests names the hall secret the copy is read with (the source's,
    # as this command's settings find it)
    flat = " ".join(r.output.split())
    assert "HALLTERM_KEY_FILE=" in flat and "hallterm.key hallterm audit verify" in flat
    assert _verify(hall, away) == head
    assert _rows(away) == rows
    # ... and back into a new store (a new PostgreSQL database on the PostgreSQL run).
    back = new_store(tmp_path, "back.db")
    r = runner.invoke(app, ["store", "copy", "--from", str(away), "--to", str(back)])
    assert r.exit_code == 0, r.output
    assert _verify(hall, back) == head
    assert _rows(back) == rows
    # The copy is a working store: the hall carries on on it.
    from hallterm.bootstrap import open_ctx
    from hallterm.services import queue
    from hallterm.settings import load_settings

    settings, _ = load_settings(None, store=str(back), key_file=hall.key_file, terminal="T-x")
    ctx = open_ctx(settings, clock=hall.clock)
    assert queue.issue_ticket(ctx, service="A").number == "A001"
    ctx.store.dispose()


def test_a_target_that_holds_anything_is_refused_and_left_alone(hall, tmp_path):
    hall.ctx.store.dispose()
    target = new_store(tmp_path, "copy.db")
    assert runner.invoke(app, ["store", "copy", "--from", str(hall.path),
                               "--to", str(target)]).exit_code == 0
    before = _rows(target)
    for into, says in ((target, "is not empty"), (hall.path, "are the same store")):
        r = runner.invoke(app, ["store", "copy", "--from", str(hall.path), "--to", str(into)])
        assert r.exit_code == 2, r.output
        assert r.output.strip().count("\n") == 0 and says in r.output
    assert _rows(target) == before
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello\n" * 200)
    r = runner.invoke(app, ["store", "copy", "--from", str(hall.path), "--to", str(not_a_store)])
    assert r.exit_code == 2 and "not a HallTerm store" in r.output
    r = runner.invoke(app, ["store", "copy", "--from", str(hall.path),
                            "--to", "postgresql://u:s3cret@localhost/x"])
    assert r.exit_code == 2 and "s3cret" not in r.output and "password" in r.output


def test_a_password_in_either_url_names_its_option(tmp_path):
    r = runner.invoke(app, ["store", "copy", "--from", str(tmp_path / "a.db"),
                            "--to", "postgresql://u:secret@/hall"])
    assert r.exit_code == 2
    assert r.output.strip().startswith("option --to: a PostgreSQL URL never carries a password")
    assert "secret" not in r.output and "Value error" not in r.output
