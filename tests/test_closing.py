"""End-of-day closing (日结): blockers, forcing, the Z counter, grand totals, crash safety."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from typer.testing import CliRunner

from hallterm.context import run_write
from hallterm.errors import BadInput, CheckFailed, DayNotOpen, Forbidden, Refused
from hallterm.services.day import Section, closing
from tests.conftest import MANAGER_PIN

DAY = date(2026, 11, 25)


@pytest.fixture
def areas(monkeypatch):
    """The dayparts registries, restored after the test (fake areas register here)."""
    from hallterm.services.day import parts as dayparts

    dayparts.load_areas()
    monkeypatch.setattr(dayparts, "_blockers", list(dayparts._blockers))
    monkeypatch.setattr(dayparts, "_sections", dict(dayparts._sections))
    monkeypatch.setattr(dayparts, "_exports", dict(dayparts._exports))
    return dayparts


def sales_section(areas, *, gross: int, first: str, last: str) -> None:
    """A stand-in for the sales area's section: receipts and totals to lift."""
    areas.register_section(Section(
        key="sales", title="Sales", order=10,
        compute=lambda uow, day: {"receipts": {"first": first, "last": last, "count": 3},
                                  "totals": {"gross_fen": gross, "receipts": 3}},
        render=lambda figs: [f"gross {figs['totals']['gross_fen']}"]))


def after_hours(hall) -> None:
    hall.clock.advance(hours=8)  # 18:00, the hall's closing time


def next_day(hall) -> date:
    from hallterm.services.day import open_day

    hall.clock.advance(hours=16)  # 10:00 the next morning (after_hours first)
    open_day(hall.manager)
    return hall.clock.now().date()


def test_business_hours_block_until_the_closing_time(hall, tmp_path):
    with pytest.raises(Refused) as err:
        closing.close_day(hall.manager, reports_dir=tmp_path / "r")
    assert "closes at 18:00" in str(err.value)
    hall.clock.advance(hours=7, minutes=59)
    assert closing.blockers(hall.manager, DAY)
    hall.clock.advance(minutes=1)
    assert closing.blockers(hall.manager, DAY) == []
    result = closing.close_day(hall.manager, reports_dir=tmp_path / "r")
    assert result.z_number == 1 and not result.forced


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_refused_listing_every_blocker_then_forced_with_reason(hall, areas, tmp_path):
    areas.register_blocker(lambda ctx, day: ["3 tickets still waiting"])
    areas.register_blocker(lambda ctx, day: ["counter 2: drawer not counted"])
    with pytest.raises(Refused) as err:
        closing.close_day(hall.manager, reports_dir=tmp_path)
    lines = str(err.value).splitlines()
    assert any("closes at 18:00" in line for line in lines)
    assert "- 3 tickets still waiting" in lines
    assert "- counter 2: drawer not counted" in lines
    with pytest.raises(BadInput, match="needs a reason"):
        closing.close_day(hall.manager, force=True, reports_dir=tmp_path)
    duty = hall.add("8002", "duty_manager")
    with pytest.raises(Forbidden):
        closing.close_day(duty, force=True, reason="x", reports_dir=tmp_path)
    result = closing.close_day(hall.manager, force=True, reason="power cut at 17:00",
                               reports_dir=tmp_path)
    assert result.forced and len(result.blockers) == 3
    data = closing.report(hall.ctx, DAY).data
    record = data["sections"][0]["figures"]
    assert record["forced"] and record["reason"] == "power cut at 17:00"
    assert "3 tickets still waiting" in record["blockers"]
    text = (tmp_path / "day-report-2026-11-25.txt").read_text()
    assert "FORCED" in text and "power cut at 17:00" in text
    con = sqlite3.connect(hall.path)
    forced, reason, blockers = con.execute(
        "SELECT forced, reason, blockers_json FROM day_close").fetchone()
    con.close()
    assert forced == 1 and reason == "power cut at 17:00" and len(json.loads(blockers)) == 3


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_closed_day_refuses_every_write(hall, tmp_path):
    after_hours(hall)
    closing.close_day(hall.manager, reports_dir=tmp_path)

    def work(uow):
        uow.open_day(DAY)
        uow.audit("test.late")

    with pytest.raises(DayNotOpen, match="closed"):
        run_write(hall.manager, "test.late", work)
    con = sqlite3.connect(hall.path)
    for sql in ("UPDATE day_close SET forced = 1",
                "DELETE FROM day_close",
                "UPDATE business_day SET state = 'open'"):
        with pytest.raises(sqlite3.IntegrityError, match="business day closed"):
            con.execute(sql)
    con.close()
    with pytest.raises(Refused, match="already closed"):
        closing.close_day(hall.manager, business_day=DAY, reports_dir=tmp_path)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_z_numbers_grow_and_grand_totals_accumulate(hall, areas, tmp_path):
    sales_section(areas, gross=12_000, first="R0001", last="R0003")
    after_hours(hall)
    first = closing.close_day(hall.manager, reports_dir=tmp_path)
    day2 = next_day(hall)
    after_hours(hall)
    second = closing.close_day(hall.manager, reports_dir=tmp_path)
    assert (first.z_number, second.z_number) == (1, 2)
    assert second.business_day == day2
    con = sqlite3.connect(hall.path)
    rows = con.execute("SELECT z_number, first_receipt, last_receipt, receipt_count, "
                       "totals_json, grand_totals_json, audit_first_seq, audit_head_seq, "
                       "audit_head_hash, prev_audit_head_hash FROM day_close "
                       "ORDER BY z_number").fetchall()
    z_day = con.execute("SELECT z_number FROM business_day WHERE day = ?",
                        (day2.isoformat(),)).fetchone()[0]
    con.close()
    assert z_day == 2
    (_z1, f1, l1, n1, t1, g1, s1, h1, hh1, p1), (_z2, _f2, _l2, _n2, t2, g2, s2, _h2, _hh2, p2) = rows
    assert (f1, l1, n1) == ("R0001", "R0003", 3)
    assert json.loads(t1)["sales.gross_fen"] == 12_000
    assert json.loads(g1)["sales.gross_fen"] == 12_000
    assert json.loads(t2)["sales.gross_fen"] == 12_000
    assert json.loads(g2)["sales.gross_fen"] == 24_000
    assert json.loads(g2)["closing.days"] == 2
    # the audit segments chain: day 2 starts right after day 1's head
    assert s1 == 1 and p1 == "0" * 64
    assert s2 == h1 + 1 and p2 == hh1
    text = closing.report(hall.ctx, day2).text
    assert "gross 12000" in text and "Z" in text


def test_the_audit_head_is_the_day_close_row(hall, tmp_path):
    from hallterm.services import audit

    after_hours(hall)
    closing.close_day(hall.manager, reports_dir=tmp_path)
    data = closing.report(hall.ctx, DAY).data
    record = data["sections"][0]["figures"]
    row = audit.recent(hall.ctx, limit=1, action_prefix="day.close")[0]
    assert record["audit_head_seq"] == row.seq
    assert record["audit_rows_by_action"]["day.close"] == 1
    assert audit.verify(hall.ctx).ok


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_failing_section_leaves_the_day_open_and_no_z_used(hall, areas, tmp_path):
    def boom(uow, day):
        raise RuntimeError("section bug")

    areas.register_section(Section(key="broken", title="Broken", compute=boom,
                                   render=lambda f: []))
    after_hours(hall)
    with pytest.raises(RuntimeError):
        closing.close_day(hall.manager, reports_dir=tmp_path)
    con = sqlite3.connect(hall.path)
    assert con.execute("SELECT state FROM business_day").fetchone()[0] == "open"
    assert con.execute("SELECT count(*) FROM day_close").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM sequence WHERE key = 'z'").fetchone()[0] == 0
    con.close()
    del areas._sections["broken"]
    assert closing.close_day(hall.manager, reports_dir=tmp_path).z_number == 1


def test_crash_between_commit_and_report_files_is_finished_by_a_rerun(hall, monkeypatch,
                                                                      tmp_path):
    after_hours(hall)
    real = closing._write_atomic

    def full_disk(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(closing, "_write_atomic", full_disk)
    with pytest.raises(CheckFailed, match="Run the close again"):
        closing.close_day(hall.manager, reports_dir=tmp_path)
    assert not list(tmp_path.glob("day-report-*"))
    monkeypatch.setattr(closing, "_write_atomic", real)
    again = closing.close_day(hall.manager, reports_dir=tmp_path)
    assert again.finished_only and again.z_number == 1
    assert json.loads((tmp_path / "day-report-2026-11-25.json").read_text())["z_number"] == 1
    assert (tmp_path / "day-report-2026-11-25.txt").exists()
    with pytest.raises(Refused, match="already closed"):
        closing.close_day(hall.manager, reports_dir=tmp_path)


def test_the_same_command_id_returns_the_first_result(hall, tmp_path):
    after_hours(hall)
    first = closing.close_day(hall.manager, command_id="close-1", reports_dir=tmp_path)
    again = closing.close_day(hall.manager, command_id="close-1", reports_dir=tmp_path)
    assert again == first


def test_only_the_hall_manager_closes(hall, tmp_path):
    after_hours(hall)
    guide = hall.add("8003", "guide")
    with pytest.raises(Forbidden):
        closing.close_day(guide, reports_dir=tmp_path)


def test_headline_figure(hall, tmp_path):
    from hallterm.services.figures import headline

    rows = dict(headline(hall.manager))
    assert rows["Closing blockers"] == "1"
    after_hours(hall)
    closing.close_day(hall.manager, reports_dir=tmp_path)
    assert dict(headline(hall.manager))["Day closed"] == "Z 1"


# -- the CLI ---------------------------------------------------------------------------
def cli(hall, *args, env=None):
    from hallterm.cli.main import app

    base = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_TERMINAL": "T-cli",
            "HALLTERM_REPORTS_DIR": str(hall.path.parent / "reports")}
    return CliRunner().invoke(app, list(args), env={**base, **(env or {})})


@pytest.mark.sqlite_only  # its reports beside the store file
def test_cli_close_refused_forced_and_report(hall):
    store = str(hall.path)
    now = {"HALLTERM_NOW": "2026-11-25T12:00:00+08:00", "HALLTERM_PIN": MANAGER_PIN}
    r = cli(hall, "day", "close", "--as", "9001", "--store", store, env=now)
    assert r.exit_code == 3, r.output
    assert "closes at 18:00" in r.stderr and "Traceback" not in r.stderr
    r = cli(hall, "day", "close", "--force", "--reason", "storm", "--as", "9001",
            "--store", store, env=now)
    assert r.exit_code == 0, r.stderr
    assert "Z number 1" in r.stdout and "Forced" in r.stdout
    r = cli(hall, "day", "report", "2026-11-25", "--store", store)
    assert r.exit_code == 0 and "storm" in r.stdout
    r = cli(hall, "day", "report", "2026-11-25", "--json", "--store", store)
    assert json.loads(r.stdout)["z_number"] == 1
    r = cli(hall, "day", "report", "2026-11-24", "--store", store)
    assert r.exit_code == 2 and "not closed" in r.stderr
    assert (hall.path.parent / "reports" / "day-report-2026-11-25.txt").exists()
    r = cli(hall, "day", "close", "--day", "2026-11-25", "--as", "9001", "--store", store,
            env=now)
    assert r.exit_code == 3 and "already closed" in r.stderr


def test_a_day_forgotten_yesterday_is_closed_first(hall, tmp_path):
    from hallterm.services.day import open_day

    hall.clock.advance(days=1)  # Thursday 10:00: yesterday is still open
    open_day(hall.manager)
    first = closing.close_day(hall.manager, reports_dir=tmp_path)
    assert first.business_day == DAY and first.z_number == 1  # a past day: hours are over
    with pytest.raises(Refused, match="closes at"):
        closing.close_day(hall.manager, reports_dir=tmp_path)  # today is not over yet


def test_a_crash_while_writing_the_report_leaves_no_temp_file_for_long(hall, tmp_path):
    """kill -9 between writing the report's temporary file and renaming it: the day is
    closed, a ``.day-report-*.tmp`` stays behind; the next close removes it (issue 12)."""
    import os
    import time

    reports = tmp_path / "reports"
    after_hours(hall)
    hall.ctx.store.dispose()
    pid = os.fork()
    if pid == 0:  # the closing terminal, which dies at the rename (no finally runs)
        try:
            closing.os.replace = lambda *a: os._exit(9)
            closing.close_day(hall.manager, reports_dir=reports)
        finally:
            os._exit(1)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9
    left = list(reports.glob(".day-report-*.tmp"))
    assert len(left) == 1 and not list(reports.glob("day-report-*"))
    hour_ago = time.time() - 3600
    os.utime(left[0], (hour_ago, hour_ago))  # the next run comes later
    again = closing.close_day(hall.manager, reports_dir=reports)
    assert again.finished_only
    assert sorted(p.name for p in reports.iterdir()) == [
        "day-report-2026-11-25.json", "day-report-2026-11-25.txt"]


def test_a_temp_file_being_written_now_is_left_alone(tmp_path):
    from hallterm.files import remove_leftovers

    (tmp_path / ".day-report-2026-11-25.json.x1.tmp").write_text("{")
    assert remove_leftovers(tmp_path, ".day-report-*.tmp") == []
    assert remove_leftovers(tmp_path, ".day-report-*.tmp", age_s=-1) == [
        ".day-report-2026-11-25.json.x1.tmp"]
