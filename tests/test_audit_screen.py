"""The Audit post: the auditor reads the log, verifies the chain, sees blockers and a Z report."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from textual.widgets import DataTable, Static

from tests.pilot import PostHost, settle

pytestmark = pytest.mark.sqlite_only  # a screen: nothing of the engine


def AuditHost(ctx):
    from screens.posts.audit import AuditScreen

    return PostHost(ctx, AuditScreen)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_auditor_reviews_rows_and_verifies_the_chain(hall):
    auditor = hall.add("8009", "auditor")

    async def scenario():
        app = AuditHost(auditor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            table = app.screen.query_one("#audit-table", DataTable)
            actions = [table.get_row_at(i)[5] for i in range(table.row_count)]
            assert "day.open" in actions and "staff.add" in actions
            assert "close is blocked" in text(app, "#audit-blockers")  # hours not over
            await pilot.press("v")
            await settle(pilot)
            assert "Audit chain intact" in text(app, "#audit-chain")
            con = sqlite3.connect(hall.path)
            con.execute("DROP TRIGGER audit_log_no_update")
            con.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
            con.commit()
            con.close()
            await pilot.press("v")
            await settle(pilot)
            assert "broken at row 2" in text(app, "#audit-chain")

    asyncio.run(scenario())


def test_filter_by_action_prefix(hall):
    auditor = hall.add("8009", "auditor")

    async def scenario():
        app = AuditHost(auditor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.pause()
            await pilot.press(*"auth.", "enter")
            await settle(pilot)
            table = app.screen.query_one("#audit-table", DataTable)
            actions = {table.get_row_at(i)[5] for i in range(table.row_count)}
            assert actions and all(a.startswith("auth.") for a in actions)

    asyncio.run(scenario())


def test_day_report_of_a_closed_day(hall, tmp_path):
    from hallterm.services.day import close_day

    close_day(hall.manager, force=True, reason="test close", reports_dir=tmp_path)
    auditor = hall.as_("9001", "123456")

    async def scenario():
        app = AuditHost(auditor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            field = app.screen.query_one("#field-day")
            field.value = "2026-11-25"
            await pilot.press("enter")
            await settle(pilot)
            shown = str(app.screen.query_one("ReportDialog Static", Static).render())
            assert "2026-11-25" in shown
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.__class__.__name__ == "AuditScreen"

    asyncio.run(scenario())


def test_the_day_report_proposes_the_latest_closed_day_not_a_day_never_opened(hall, tmp_path):
    from hallterm.services.day import close_day

    close_day(hall.manager, force=True, reason="test close", reports_dir=tmp_path)
    hall.clock.advance(days=2)  # two days on; yesterday was never opened
    auditor = hall.as_("9001", "123456")

    async def scenario():
        app = AuditHost(auditor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            assert app.screen.query_one("#field-day").value == "2026-11-25"
            await pilot.press("enter")
            await settle(pilot)
            assert "2026-11-25" in str(app.screen.query_one("ReportDialog Static",
                                                            Static).render())

    asyncio.run(scenario())


def test_without_a_closed_day_the_report_key_says_so(hall):
    auditor = hall.add("8009", "auditor")
    notes = []

    async def scenario():
        app = AuditHost(auditor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.notify = lambda message, **kw: notes.append(message)
            app.screen.notify = app.notify
            await pilot.press("z")
            await settle(pilot)
            assert app.screen.__class__.__name__ == "AuditScreen"

    asyncio.run(scenario())
    assert any("No business day has been closed" in n for n in notes)
