"""The nightly export: folders per closed day, idempotent, masked, verifiable, Frictionless-valid."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.errors import BadInput, Refused, StoreUnavailable
from hallterm.services import export
from hallterm.services.day import closing
from hallterm.services.export import ExportTable

DAY = date(2026, 11, 25)
ID_NUMBER = "11010519491231002X"

# Its day tables are made with SQLite DDL on the store file (add_customer_tables).
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def areas(monkeypatch):
    """The dayparts registries, restored after the test (fake areas register here)."""
    from hallterm.services.day import parts as dayparts

    dayparts.load_areas()
    monkeypatch.setattr(dayparts, "_blockers", list(dayparts._blockers))
    monkeypatch.setattr(dayparts, "_sections", dict(dayparts._sections))
    monkeypatch.setattr(dayparts, "_exports", dict(dayparts._exports))
    return dayparts


def add_customer_tables(hall, rows: int = 5) -> None:
    """Two day tables in the test store: customers (with personal data) and their orders."""
    from hallterm.store import day_lock_sql

    con = sqlite3.connect(hall.path)
    con.execute("CREATE TABLE t_customer (id INTEGER PRIMARY KEY, business_day TEXT, "
                "name TEXT, id_number TEXT, phone TEXT, vip INTEGER)")
    con.execute("CREATE TABLE t_order (id INTEGER PRIMARY KEY, business_day TEXT, "
                "customer_id INTEGER, amount_fen INTEGER)")
    for table in ("t_customer", "t_order"):
        for sql in day_lock_sql(table):
            con.execute(sql)
    for i in range(1, rows + 1):
        con.execute("INSERT INTO t_customer VALUES (?, ?, ?, ?, ?, ?)",
                    (i, DAY.isoformat(), "张三丰", ID_NUMBER, "13812341234", i % 2))
        con.execute("INSERT INTO t_order VALUES (?, ?, ?, ?)", (i, DAY.isoformat(), i, 100 * i))
    con.commit()
    con.close()


def register_customer_exports(areas) -> None:
    areas.register_export(ExportTable(
        name="customer",
        query="SELECT id, business_day, name, id_number, phone, vip FROM t_customer "
              "WHERE business_day = :day AND id > :after ORDER BY id LIMIT :limit",
        fields=(("id", "integer", "Customer"), ("business_day", "date", "Day"),
                ("name", "string", "Name"), ("id_number", "string", "ID number"),
                ("phone", "string", "Phone"), ("vip", "boolean", "VIP")),
        primary_key=("id",), key_column="id",
        masked={"name": "name", "id_number": "id_number", "phone": "phone"}))
    areas.register_export(ExportTable(
        name="sale_order",
        query="SELECT id, customer_id, amount_fen FROM t_order "
              "WHERE business_day = :day AND id > :after ORDER BY id LIMIT :limit",
        fields=(("id", "integer", "Order"), ("customer_id", "integer", "Customer"),
                ("amount_fen", "integer", "Amount in fen")),
        primary_key=("id",), key_column="id",
        foreign_keys=({"fields": ["customer_id"],
                       "reference": {"resource": "customer", "fields": ["id"]}},
                      {"fields": ["id"], "reference": {"resource": "not_exported",
                                                       "fields": ["id"]}})))


def close(hall, tmp_path) -> None:
    hall.clock.set(hall.clock.now().replace(hour=18, minute=0))
    closing.close_day(hall.manager, reports_dir=tmp_path / "reports")


def next_day(hall):
    from hallterm.services.day import open_day

    hall.clock.advance(hours=16)
    open_day(hall.manager)


@pytest.fixture
def closed(hall, areas, tmp_path):
    """The hall with today's day closed, holding five customers and orders."""
    add_customer_tables(hall)
    register_customer_exports(areas)
    close(hall, tmp_path)
    return hall


def read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_closed_day_is_written_whole_and_minimised(closed, tmp_path):
    out = tmp_path / "hq"
    result = export.export_days(closed.ctx, to=out)
    assert [d.business_day for d in result.days] == [DAY]
    folder = Path(result.days[0].folder)
    assert folder.parent.parent == out and folder.name == "2026-11-25"
    desc = json.loads((folder / "datapackage.json").read_text())
    assert desc["business_day"] == "2026-11-25" and desc["z_number"] == 1
    assert desc["prev_audit_head_hash"] == "0" * 64 and len(desc["audit_head_hash"]) == 64
    assert desc["hallterm_export_format"] == 1 and desc["generator"].startswith("hallterm ")
    names = {r["name"] for r in desc["resources"]}
    assert {"business_day", "day_close", "audit_log", "customer", "sale_order",
            "customer_jsonl", "audit_log_jsonl"} <= names
    for res in desc["resources"]:
        assert (folder / res["path"]).stat().st_size == res["bytes"]
        assert res["hash"].startswith("sha256:")
    customers = read_csv(folder / "customer.csv")
    assert len(customers) == 5
    assert customers[0]["name"] == "张**"
    assert customers[0]["id_number"] == "110***********002X"
    assert customers[0]["phone"] == "138****1234"
    assert customers[0]["business_day"] == "2026-11-25" and customers[0]["z_number"] == "1"
    assert customers[0]["vip"] == "true"
    lines = [json.loads(x) for x in (folder / "customer.jsonl").read_text().splitlines()]
    assert lines[1]["vip"] is False and lines[0]["id_number"] == "110***********002X"
    whole = "".join(p.read_text() for p in folder.iterdir())
    assert ID_NUMBER not in whole and "13812341234" not in whole and "pin_hash" not in whole
    # every exported row carries the day and its closing number
    for res in desc["resources"]:
        fields = [f["name"] for f in res["schema"]["fields"]]
        assert fields[:2] == ["business_day", "z_number"]
    order = next(r for r in desc["resources"] if r["name"] == "sale_order")
    assert order["schema"]["foreignKeys"] == [
        {"fields": ["customer_id"], "reference": {"resource": "customer", "fields": ["id"]}}]
    audit = read_csv(folder / "audit_log.csv")
    assert audit[0]["seq"] == "1" and audit[-1]["action"] == "day.close"
    assert audit[-1]["hash"] == desc["audit_head_hash"]


def test_hash_mode_replaces_ids_by_a_keyed_hash(closed, tmp_path):
    result = export.export_days(closed.ctx, to=tmp_path / "hq", customer_ids="hash")
    folder = Path(result.days[0].folder)
    row = read_csv(folder / "customer.csv")[0]
    assert row["id_number"] == export.keyed_hash(closed.ctx.pepper, ID_NUMBER)
    assert row["phone"] == export.keyed_hash(closed.ctx.pepper, "13812341234")
    assert row["name"] == "张**"


def test_export_twice_writes_nothing_the_second_time(closed, tmp_path):
    out = tmp_path / "hq"
    export.export_days(closed.ctx, to=out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = export.export_days(closed.ctx, to=out)
    assert again.days == () and again.skipped == (DAY,)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_again_writes_a_new_version_never_overwriting(closed, tmp_path):
    out = tmp_path / "hq"
    first = export.export_days(closed.ctx, to=out)
    with pytest.raises(BadInput, match="--day"):
        export.export_days(closed.ctx, to=out, again=True)
    v2 = export.export_days(closed.ctx, to=out, business_day=DAY, again=True)
    v3 = export.export_days(closed.ctx, to=out, business_day=DAY, again=True)
    assert Path(v2.days[0].folder).name == "2026-11-25.v2"
    assert Path(v3.days[0].folder).name == "2026-11-25.v3"
    assert Path(first.days[0].folder).name == "2026-11-25"
    assert export.verify(out).packages == 3
    with pytest.raises(Refused, match="not closed"):
        export.export_days(closed.ctx, to=out, business_day=date(2026, 11, 24))


def test_small_chunks_give_the_same_files(closed, tmp_path, monkeypatch):
    a = export.export_days(closed.ctx, to=tmp_path / "a")
    store = closed.ctx.store
    real, opened = store.read, []

    def counting_read():
        opened.append(1)
        return real()

    monkeypatch.setattr(store, "read", counting_read)
    b = export.export_days(closed.ctx, to=tmp_path / "b", chunk=2)
    # each chunk of 2 rows had its own short read transaction: 5 customers alone take 3
    assert len(opened) >= b.days[0].rows // 2
    for name in ("customer.csv", "audit_log.jsonl", "sale_order.csv"):
        assert (Path(a.days[0].folder) / name).read_bytes() == (
            Path(b.days[0].folder) / name).read_bytes()


def test_leftover_temp_folder_is_removed_and_dry_run_touches_nothing(closed, tmp_path):
    out = tmp_path / "hq"
    out.mkdir()
    code = export.export_days(closed.ctx, to=out, dry_run=True)
    assert code.dry_run and "datapackage.json" in code.days[0].files
    assert not any(out.iterdir())
    hall_dir = Path(code.days[0].folder).parent
    (hall_dir / ".tmp-2026-11-25-999").mkdir(parents=True)
    (hall_dir / ".tmp-2026-11-25-999" / "audit_log.csv").write_text("half")
    dry = export.export_days(closed.ctx, to=out, dry_run=True)
    assert dry.removed_temp == (".tmp-2026-11-25-999",)
    assert (hall_dir / ".tmp-2026-11-25-999").exists()
    done = export.export_days(closed.ctx, to=out)
    assert done.removed_temp == (".tmp-2026-11-25-999",)
    assert sorted(p.name for p in hall_dir.iterdir()) == ["2026-11-25"]


def test_a_held_lock_means_try_later(closed, tmp_path):
    import fcntl

    out = tmp_path / "hq"
    out.mkdir()
    with open(out / export.LOCK_NAME, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreUnavailable, match="Another export"):
            export.export_days(closed.ctx, to=out)
    assert export.export_days(closed.ctx, to=out).days


def test_verify_finds_a_changed_byte_and_names_the_file(closed, tmp_path):
    out = tmp_path / "hq"
    folder = Path(export.export_days(closed.ctx, to=out).days[0].folder)
    ok = export.verify(out)
    assert ok.ok and ok.packages == 1
    path = folder / "customer.csv"
    data = bytearray(path.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    bad = export.verify(out)
    assert not bad.ok and bad.bad_file == str(path)


def test_rewritten_descriptor_hashes_break_the_signature(closed, tmp_path):
    """A forger who also rewrites the descriptor's hashes is caught by the hall's signature."""
    import hashlib

    out = tmp_path / "hq"
    folder = Path(export.export_days(closed.ctx, to=out).days[0].folder)
    path = folder / "audit_log.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    rows[2]["actor"] = "mallory"
    path.write_text("".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                            for r in rows))
    bad = export.verify(out)  # the JSONL alone: named by its own hash
    assert not bad.ok and bad.bad_file == str(path) and "bytes" in bad.reason
    desc_path = folder / "datapackage.json"
    desc = json.loads(desc_path.read_text())
    for res in desc["resources"]:
        if res["path"] == "audit_log.jsonl":
            res["bytes"] = path.stat().st_size
            res["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    desc_path.write_text(json.dumps(desc))
    bad = export.verify(out)
    assert not bad.ok and bad.bad_file.endswith("datapackage.sig")
    assert "changed after signing" in bad.reason


def test_days_chain_to_each_other(closed, areas, tmp_path):
    out = tmp_path / "hq"
    export.export_days(closed.ctx, to=out)
    next_day(closed)
    close(closed, tmp_path)
    second = export.export_days(closed.ctx, to=out)
    assert [d.z_number for d in second.days] == [2]
    assert second.skipped == (DAY,)
    d1 = json.loads((Path(second.days[0].folder).parent / "2026-11-25" /
                     "datapackage.json").read_text())
    folder2 = Path(second.days[0].folder)
    d2 = json.loads((folder2 / "datapackage.json").read_text())
    assert d2["prev_audit_head_hash"] == d1["audit_head_hash"]
    assert d2["prev_business_day"] == "2026-11-25"
    audit = read_csv(folder2 / "audit_log.csv")
    assert audit[0]["prev_hash"] == d1["audit_head_hash"]
    assert int(audit[0]["seq"]) == d1["audit_head_seq"] + 1
    assert export.verify(out).ok
    # a day N export whose recorded previous head disagrees with day N-1's is caught
    d2["prev_audit_head_hash"] = "f" * 64
    (folder2 / "datapackage.json").write_text(json.dumps(d2))
    assert not export.verify(out).ok


def test_frictionless_validates_the_package(closed, tmp_path):
    import frictionless

    folder = Path(export.export_days(closed.ctx, to=tmp_path / "hq").days[0].folder)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])
    # bytes, hash and rows are really checked, not ignored
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] == "customer":
            res["rows"] += 1
            res["bytes"] += 1
            res["hash"] = "sha256:" + "0" * 64
    (folder / "datapackage.json").write_text(json.dumps(desc))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} == {"row-count", "byte-count", "hash-count"}


# -- the CLI ---------------------------------------------------------------------------
def cli(hall, *args):
    from hallterm.cli.main import app

    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_STORE": str(hall.path)}
    return CliRunner().invoke(app, list(args), env=env)


def test_cli_export_verify_tamper(closed, tmp_path):
    out = tmp_path / "hq"
    r = cli(closed, "export", "--to", str(out), "--dry-run")
    assert r.exit_code == 0 and "Would write 2026-11-25" in r.stdout
    assert not out.exists()
    r = cli(closed, "export", "--to", str(out))
    assert r.exit_code == 0, r.output
    assert "Exported 2026-11-25 (Z 1)" in r.stdout
    r = cli(closed, "export", "--to", str(out))
    assert r.exit_code == 0 and "Nothing to export" in r.stdout
    r = cli(closed, "export", "verify", str(out))
    assert r.exit_code == 0 and "Export intact" in r.stdout
    csv_path = next(out.rglob("day_close.csv"))
    data = bytearray(csv_path.read_bytes())
    data[5] ^= 1
    csv_path.write_bytes(bytes(data))
    r = cli(closed, "export", "verify", str(out))
    assert r.exit_code == 1 and str(csv_path) in r.stderr
    r = cli(closed, "export")
    assert r.exit_code == 2 and "--to" in r.stderr
    r = cli(closed, "export", "--to", str(tmp_path / "no" / "such"))
    assert r.exit_code == 2


def test_cli_lock_held_exits_75(closed, tmp_path):
    import fcntl

    out = tmp_path / "hq"
    out.mkdir()
    with open(out / export.LOCK_NAME, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = cli(closed, "export", "--to", str(out))
    assert r.exit_code == 75 and "Another export" in r.stderr


def test_cli_failure_is_one_line_exit_1(closed, tmp_path):
    out = tmp_path / "hq"
    out.mkdir()
    from hallterm.services.hall import get_hall

    (out / get_hall(closed.ctx).code).write_text("not a folder")
    r = cli(closed, "export", "--to", str(out))
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "Export failed" in r.stderr
    assert "Traceback" not in r.stderr
