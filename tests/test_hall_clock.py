"""The clock belongs to the hall (issue 12): no frozen clock on a real store, audit time
never goes backwards, one timezone for every terminal of a hall."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from hallterm.errors import ClockBehind
from tests.conftest import MANAGER_PIN, T0

runner = CliRunner()


def real_store(tmp_path, **settings):
    """A store made as ``hallterm init`` makes one (not a demo store)."""
    from hallterm.bootstrap import init_store
    from hallterm.settings import load_settings

    path = tmp_path / "real.db"
    key = tmp_path / "hallterm.key"
    cfg, _ = load_settings(None, store=path, key_file=key, terminal="T-real", **settings)
    init_store(cfg, None, manager_empno="9001", manager_name="Manager Ma", pin=MANAGER_PIN)
    return path, key


def cli(path, key, *args, **env):
    from hallterm.cli.main import app

    return runner.invoke(app, [*args, "--store", str(path)],
                         env={"HALLTERM_KEY_FILE": str(key), **env})


def _dump(path) -> list:
    con = sqlite3.connect(path)
    rows = con.execute("SELECT seq, at, action FROM audit_log ORDER BY seq").fetchall()
    con.close()
    return rows


def test_the_frozen_clock_is_refused_on_a_real_store(tmp_path):
    path, key = real_store(tmp_path)
    before = _dump(path)
    r = cli(path, key, "queue", "issue", "A", HALLTERM_NOW="2026-11-25T10:00:00+08:00")
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and "demo" in r.stderr and "Traceback" not in r.stderr
    # Nor may it sign in with forged times (the way round the PIN lockout).
    r = cli(path, key, "staff", "list", "--as", "9001",
            HALLTERM_NOW="2026-11-25T10:00:00+08:00", HALLTERM_PIN=MANAGER_PIN)
    assert r.exit_code == 2
    assert _dump(path) == before
    # Without it the store works (the real clock).
    assert cli(path, key, "day", "status").exit_code == 0


def test_the_frozen_clock_is_honoured_on_the_demo_store(tmp_path):
    from hallterm.demo import prepare_demo
    from hallterm.settings import load_settings

    store = tmp_path / "demo" / "demo.db"
    settings, _ = load_settings(None, store=store, terminal="T-demo")
    from hallterm.clock import FixedClock

    demo = prepare_demo(settings, store=store, clock=FixedClock(T0))
    r = cli(store, demo.settings.key_file, "queue", "issue", "A", "--json",
            HALLTERM_NOW="2026-11-25T10:05:00+08:00")
    assert r.exit_code == 0, r.output
    assert '"issued_at":"2026-11-25T10:05' in r.stdout


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_audit_time_never_goes_backwards(hall):
    from hallterm.services.staff import add_staff

    before = _dump(hall.path)
    hall.clock.advance(minutes=-5)
    with pytest.raises(ClockBehind, match="never goes backwards"):
        add_staff(hall.manager, empno="8100", name="Late Li", roles=["sales"], pin="246810")
    assert _dump(hall.path) == before
    hall.clock.advance(minutes=5, seconds=-1)  # a second of skew between terminals is fine
    add_staff(hall.manager, empno="8100", name="Late Li", roles=["sales"], pin="246810")


def test_a_clock_set_back_is_refused_on_the_cli(hall):
    from hallterm.services import queue

    queue.issue_ticket(hall.ctx, service="A")
    env = {"HALLTERM_NOW": "2026-11-25T09:30:00+08:00"}  # half an hour before that ticket
    r = cli(hall.path, hall.key_file, "queue", "issue", "A", **env)
    assert r.exit_code == 3, r.output
    assert "never goes backwards" in r.stderr and r.stderr.count("\n") == 1


def test_waits_never_come_out_negative(hall):
    from hallterm.services import queue

    hall.clock.advance(seconds=2)
    queue.issue_ticket(hall.ctx, service="A")
    hall.clock.advance(seconds=-2)  # another terminal, inside the tolerance
    status = queue.queue_status(hall.ctx)
    assert all(line.longest_wait_s >= 0 for line in status.services)
    assert all(t.wait_s >= 0 for t in queue.waiting_tickets(hall.ctx))


def test_a_terminal_in_another_timezone_is_refused(tmp_path):
    path, key = real_store(tmp_path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'timezone'").fetchone()[0] == \
        "Asia/Shanghai"
    con.close()
    r = cli(path, key, "day", "status", HALLTERM_TIMEZONE="UTC")
    assert r.exit_code == 2, r.output
    assert "Asia/Shanghai" in r.stderr and r.stderr.count("\n") == 1
    assert cli(path, key, "day", "status", HALLTERM_TIMEZONE="Asia/Shanghai").exit_code == 0


def test_the_hall_timezone_is_the_one_it_was_made_with(tmp_path):
    path, key = real_store(tmp_path, timezone="Asia/Urumqi")
    assert cli(path, key, "day", "status").exit_code == 2  # the default is not the hall's
    assert cli(path, key, "day", "status", HALLTERM_TIMEZONE="Asia/Urumqi").exit_code == 0
