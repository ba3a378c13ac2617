"""PIPL: a known ID number and phone never appear in clear in the store (its file's bytes
on SQLite, every table's rows on both engines), the logs, an audit payload or an export."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlmodel import SQLModel
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.services import customers, export
from hallterm.services.customers import Person
from hallterm.services.day import closing
from hallterm.store import execute
from tests import pgtest
from tests.conftest import STAFF_PIN
from tests.test_customers import NUMBER, PHONE, identify

SECRETS = (NUMBER, NUMBER.lower(), PHONE, "19491231")  # the birth date is part of the number


def clear_in(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def every_row(hall) -> str:
    """Every row of every table as text (what a copy of the database would hold)."""
    import hallterm.models  # noqa: F401  (every table registered)

    out = []
    with hall.ctx.store.read() as session:
        for table in SQLModel.metadata.tables:
            out += [repr(tuple(r)) for r in execute(session, f"SELECT * FROM {table}").all()]
    return "\n".join(out)


def files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in folder.rglob("*") if p.is_file())


def test_a_known_id_and_phone_never_appear_in_clear(hall, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    assert customers.reveal(clerk, cid, "customer asked").number == NUMBER
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_PIN": STAFF_PIN,
           "HALLTERM_NOW": "2026-11-25T10:00:00+08:00"}
    runner = CliRunner()
    for args in (["show", NUMBER, "--reveal", "--reason", "checking", "--as", "1001"],
                 ["find", "--phone", PHONE, "--as", "1001"]):
        r = runner.invoke(app, ["customer", *args, "--store", str(hall.path)], env=env)
        assert r.exit_code == 0, r.output
    for args in (["check-id", NUMBER], ["check-id", NUMBER[:-1] + "1"]):
        r = runner.invoke(app, ["customer", *args], env=env)
        assert r.exit_code in (0, 2), r.output
    # the audit log: every payload (the reveals' too)
    with hall.ctx.store.read() as session:
        payloads = [r.payload for r in execute(session, "SELECT payload FROM audit_log").all()]
    assert sum('"customer asked"' in p or '"checking"' in p for p in payloads) == 2
    assert clear_in("\n".join(payloads)) == []
    # the day closed, its report and the export in both modes
    hall.clock.set(hall.clock.now().replace(hour=18, minute=0))
    closing.close_day(hall.manager, reports_dir=tmp_path / "reports")
    for mode in ("mask", "hash"):
        out = tmp_path / f"hq-{mode}"
        result = export.export_days(hall.ctx, to=out, customer_ids=mode)
        folder = Path(result.days[0].folder)
        rows = [json.loads(x) for x in (folder / "customers.jsonl").read_text().splitlines()]
        assert [(r["id"], r["id_masked"], r["name"], r["phone_masked"]) for r in rows] == [
            (cid, "110***********002X", "张*", "138****1234")]
        assert rows[0]["id_key"] == customers.id_key(hall.ctx.pepper, NUMBER)
        assert clear_in(files_text(out)) == []
    assert clear_in(files_text(tmp_path / "reports")) == []
    # the store: every table's rows, and on SQLite the file's own bytes (and its WAL)
    assert clear_in(every_row(hall)) == []
    if not pgtest.SERVER:
        hall.ctx.store.dispose()
        store = Path(hall.path)
        raw = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
        assert [s for s in SECRETS if s.encode() in raw] == []
        assert "张三".encode() in raw  # the file was read: the name is kept in clear
    # the logs: what was logged in this process, and any log file of the CLI
    assert clear_in(caplog.text) == []
    home = Path.home()
    assert clear_in(files_text(home)) == []
