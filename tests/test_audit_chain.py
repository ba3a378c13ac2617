"""Attacks on the audit chain with the store file in hand: each does what an attacker would."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.services import audit, export
from hallterm.services.audit import GENESIS, chain_key, row_hash, row_mac
from hallterm.services.day import closing

COLUMNS = ("seq, at, business_day, actor, approver, terminal, action, entity, entity_id, "
           "payload, prev_hash")


def attacker(hall) -> sqlite3.Connection:
    """A raw connection with every trigger dropped (what someone with the file can do)."""
    con = sqlite3.connect(hall.path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    return con


def rechain(con: sqlite3.Connection, seal, *, start: int = 1) -> None:
    """Recompute every row's hash from ``start`` on with ``seal(fields) -> hex``."""
    prev = GENESIS if start == 1 else con.execute(
        "SELECT hash FROM audit_log WHERE seq = ?", (start - 1,)).fetchone()[0]
    rows = con.execute(f"SELECT {COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq",
                       (start,)).fetchall()
    names = [c.strip() for c in COLUMNS.split(",")]
    for row in rows:
        fields = dict(zip(names, row, strict=True))
        fields["prev_hash"] = prev
        prev = seal(fields)
        con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                    (fields["prev_hash"], prev, fields["seq"]))


def fix_closings(con: sqlite3.Connection) -> None:
    """Make every closing's recorded heads agree with the (rewritten) log."""
    for z, first, head in con.execute("SELECT z_number, audit_first_seq, audit_head_seq "
                                      "FROM day_close ORDER BY z_number").fetchall():
        prev = GENESIS if first == 1 else con.execute(
            "SELECT hash FROM audit_log WHERE seq = ?", (first - 1,)).fetchone()[0]
        digest = con.execute("SELECT hash FROM audit_log WHERE seq = ?", (head,)).fetchone()[0]
        con.execute("UPDATE day_close SET audit_head_hash = ?, prev_audit_head_hash = ? "
                    "WHERE z_number = ?", (digest, prev, z))


def close(hall, tmp_path) -> None:
    hall.clock.set(hall.clock.now().replace(hour=19, minute=0))
    closing.close_day(hall.manager, reports_dir=tmp_path / "reports")


def next_day(hall) -> None:
    from hallterm.services.day import open_day

    hall.clock.advance(hours=16)
    open_day(hall.manager)


def cli(hall, *args, key_file: Path | None = None):
    from hallterm.cli.main import app

    env = {"HALLTERM_KEY_FILE": str(key_file or hall.key_file), "HALLTERM_STORE": str(hall.path)}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_an_edit_with_the_plain_sha_chain_recomputed_is_caught(hall):
    """Without the key file the forger can only recompute plain SHA-256 (intact on the old code)."""
    con = attacker(hall)
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    rechain(con, lambda f: row_hash(**f))
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and result.broken_seq == 1
    assert "not sealed with this hall's key" in result.reason
    # a guessed key does no better
    con = attacker(hall)
    rechain(con, lambda f: row_mac(b"x" * 32, **f))
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and result.broken_seq == 1 and "altered" in result.reason


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_the_chain_is_keyed_with_a_sub_key_of_the_hall_secret(hall):
    con = sqlite3.connect(hall.path)
    row = con.execute(f"SELECT {COLUMNS}, hash FROM audit_log WHERE seq = 1").fetchone()
    con.close()
    names = [c.strip() for c in COLUMNS.split(",")]
    fields = dict(zip(names, row[:-1], strict=True))
    assert row[-1] == row_mac(chain_key(hall.ctx.pepper), **fields)
    assert row[-1] != row_mac(hall.ctx.pepper, **fields)  # never the PIN pepper itself
    assert row[-1] != row_hash(**fields)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_cutting_off_the_tail_with_the_day_close_row_is_caught(hall, tmp_path):
    close(hall, tmp_path)
    next_day(hall)
    assert audit.verify(hall.ctx).ok
    con = attacker(hall)
    head = con.execute("SELECT audit_head_seq FROM day_close").fetchone()[0]
    assert con.execute("SELECT action FROM audit_log WHERE seq = ?", (head,)).fetchone() == (
        "day.close",)
    con.execute("DELETE FROM audit_log WHERE seq >= ?", (head,))
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and result.broken_seq == head
    assert "cut off" in result.reason
    r = cli(hall, "audit", "verify")
    assert r.exit_code == 1 and "cut off" in r.stderr


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_rows_after_the_last_closing_must_continue_from_its_head(hall, tmp_path):
    """Someone with the key rewrites a closed day's row and everything after it, but the
    closing still records the true head."""
    close(hall, tmp_path)
    next_day(hall)
    key = chain_key(hall.ctx.pepper)
    con = attacker(hall)
    con.execute("UPDATE audit_log SET payload = '{\"amount_fen\":1}' WHERE seq = 4")
    rechain(con, lambda f: row_mac(key, **f))
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and "differs from the head closing Z 1" in result.reason


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_missing_closing_record_is_caught(hall, tmp_path):
    close(hall, tmp_path)
    next_day(hall)
    close(hall, tmp_path)
    next_day(hall)
    close(hall, tmp_path)
    con = attacker(hall)
    con.execute("DELETE FROM day_close WHERE z_number = 2")
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and "a closing is missing" in result.reason


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_history_rewritten_with_the_key_is_caught_against_hq(hall, tmp_path):
    """The key holder rewrites a row, recomputes every MAC and the closings' heads: the
    store alone says intact; the heads HQ already received do not match."""
    close(hall, tmp_path)
    next_day(hall)
    out = tmp_path / "hq"
    export.export_days(hall.ctx, to=out)
    assert audit.verify_against(hall.ctx, out).ok
    r = cli(hall, "audit", "verify", "--against", str(out))
    assert r.exit_code == 0 and "matches every closed day" in r.stdout
    key = chain_key(hall.ctx.pepper)
    con = attacker(hall)
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
    rechain(con, lambda f: row_mac(key, **f))
    fix_closings(con)
    con.commit()
    con.close()
    assert audit.verify(hall.ctx).ok  # the rewrite is perfect inside the store
    result = audit.verify_against(hall.ctx, out)
    assert not result.ok and "differs from the one HQ received" in result.reason
    r = cli(hall, "audit", "verify", "--against", str(out))
    assert r.exit_code == 1 and "HQ received" in r.stderr


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_closed_day_undone_in_the_store_is_caught_against_hq(hall, tmp_path):
    """Undo the last closing (its record and the log from its day.close row on) to redo
    the day: the store alone is consistent again, HQ already has that closing."""
    close(hall, tmp_path)
    next_day(hall)
    close(hall, tmp_path)
    out = tmp_path / "hq"
    export.export_days(hall.ctx, to=out)
    con = attacker(hall)
    head = con.execute("SELECT audit_head_seq FROM day_close WHERE z_number = 2").fetchone()[0]
    con.execute("DELETE FROM day_close WHERE z_number = 2")
    con.execute("DELETE FROM audit_log WHERE seq >= ?", (head,))
    con.commit()
    con.close()
    # The business day's row still says closed: its seal (now cut off) said so.
    result = audit.verify(hall.ctx)
    assert not result.ok and "business_day 2026-11-26" in result.reason
    con = attacker(hall)
    con.execute("UPDATE business_day SET state = 'open', closed_at = NULL, closed_by = NULL, "
                "z_number = NULL WHERE day = '2026-11-26'")
    con.commit()
    con.close()
    assert audit.verify(hall.ctx).ok  # nothing inside the store points at what is gone
    result = audit.verify_against(hall.ctx, out)
    assert not result.ok and "closing Z 2 (2026-11-26) that HQ received is not in the store" in (
        result.reason)


def test_against_a_missing_or_foreign_folder_is_bad_input(hall, tmp_path):
    r = cli(hall, "audit", "verify", "--against", str(tmp_path / "nope"))
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    r = cli(hall, "audit", "verify", "--against", str(tmp_path / "empty"))
    assert r.exit_code == 2 and "No export" in r.stderr


def test_verify_needs_the_key_file(hall, tmp_path):
    r = cli(hall, "audit", "verify", key_file=tmp_path / "missing.key")
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "not found" in r.stderr


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_hall_secret_readable_by_others_is_refused(hall):
    os.chmod(hall.key_file, 0o644)
    r = cli(hall, "audit", "verify")
    assert r.exit_code == 2
    assert r.stderr.strip() == (f"The hall secret key file {hall.key_file} is open to other "
                                f"users; fix: chmod 600 {hall.key_file}")
    os.chmod(hall.key_file, 0o600)
    assert cli(hall, "audit", "verify").exit_code == 0


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_store_from_before_the_key_is_keyed_once_by_init(hall, tmp_path):
    """Old rows keep their SHA-256 form; init appends one keyed audit.rekey row after them."""
    from hallterm.bootstrap import init_store

    close(hall, tmp_path)
    next_day(hall)
    con = attacker(hall)  # make it a store written by the old code
    rechain(con, lambda f: row_hash(**f))
    fix_closings(con)
    con.commit()
    con.close()
    legacy = audit.head(hall.ctx)
    from hallterm.context import run_write
    from hallterm.errors import ConfigError

    with pytest.raises(ConfigError, match="hallterm init"):
        run_write(hall.manager, "test.write", lambda uow: uow.audit("test.write"))
    result = init_store(hall.settings, None, clock=hall.clock)
    assert result.legacy_audit_rows == legacy[0]
    marker = audit.recent(hall.ctx, limit=1)[0]
    assert (marker.seq, marker.action) == (legacy[0] + 1, "audit.rekey")
    assert marker.payload["legacy_head"] == legacy[1]
    run_write(hall.manager, "test.write", lambda uow: uow.audit("test.write"))
    assert audit.verify(hall.ctx).ok
    assert init_store(hall.settings, None, clock=hall.clock).legacy_audit_rows is None
    # the old rows are now held by the keyed marker: rewriting them needs the key
    con = attacker(hall)
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    prev = GENESIS
    names = [c.strip() for c in COLUMNS.split(",")]
    for row in con.execute(f"SELECT {COLUMNS} FROM audit_log WHERE seq <= ? ORDER BY seq",
                           (legacy[0],)).fetchall():
        fields = {**dict(zip(names, row, strict=True)), "prev_hash": prev}
        prev = row_hash(**fields)
        con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                    (fields["prev_hash"], prev, fields["seq"]))
    fix_closings(con)
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok and result.broken_seq == legacy[0] + 1


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_init_on_a_store_whose_last_row_is_damaged_goes_on_and_verify_names_it(hall):
    """A damaged last row (neither keyed nor plain SHA-256) is not a store from before the
    key: init used to crash ('write audit.rekey appended no audit row')."""
    from hallterm.bootstrap import init_store

    con = attacker(hall)
    seq = con.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    con.execute("UPDATE audit_log SET hash = ? WHERE seq = ?", ("0" * 64, seq))
    con.commit()
    con.close()
    assert init_store(hall.settings, None, clock=hall.clock).legacy_audit_rows is None
    result = audit.verify(hall.ctx)
    assert not result.ok and result.broken_seq == seq
