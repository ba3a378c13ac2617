"""The review on screen: the Audit post's queue (W), the owner's inbox on home (R)."""

from __future__ import annotations

import io

import pytest
from textual.widgets import DataTable, Input, Static

from hallterm.services import review
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.pilot import PostHost, pilot_test, settle, sign_in
from tests.review_fixtures import DAY, busy_day

pytestmark = pytest.mark.sqlite_only  # screens: nothing of the engine


@pytest.fixture
def rv(hall, tmp_path):
    return busy_day(hall, tmp_path)


def text(widget) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.render())
    return console.export_text()


async def submit(pilot) -> None:
    """Enter on the form's last field (values filled in by the test)."""
    form = pilot.app.screen
    form.set_focus(list(form.query(Input))[-1])
    await pilot.press("enter")
    await settle(pilot)


def _row_of(app, ref: str) -> int:
    return next(i for i, r in enumerate(app.screen.rows) if r.ref == ref)


async def _open_queue(pilot, app):
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)
    from screens.posts.audit_review import ReviewScreen

    assert isinstance(app.screen, ReviewScreen)


@pilot_test
async def test_the_queue_opens_with_w_as_the_guide_writes_it_shift_or_not(rv):
    """README and the guide say "F6 then W": Shift+W (or Caps Lock) must not do nothing."""
    app = _host(rv.auditor2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("W")
        await settle(pilot)
        from screens.posts.audit_review import ReviewScreen

        assert isinstance(app.screen, ReviewScreen)


def _host(ctx):
    from screens.posts.audit import AuditScreen

    return PostHost(ctx, AuditScreen)


@pilot_test
async def test_the_auditor_reviews_the_queue_by_keys(rv):
    app = _host(rv.auditor2)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_queue(pilot, app)
        assert "Review of 2026-11-25" in text(app.screen.query_one("#review-title", Static))
        table = app.screen.query_one("#review-table", DataTable)
        assert table.row_count == len(review.day_queue(rv.auditor2, business_day=DAY))
        table.move_cursor(row=_row_of(app, rv.refs["sale"]))
        await pilot.press("o")
        await settle(pilot)
        table.move_cursor(row=_row_of(app, rv.refs["refund"]))
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        form.query_one("#field-category", Input).value = "9"  # wrong: the form says so, stays open
        form.query_one("#field-note", Input).value = "no approval slip"
        await submit(pilot)
        assert app.screen is form and "Unknown category" in text(form.query_one("#form-error"))
        form.query_one("#field-category", Input).value = "4"
        await submit(pilot)
        states = {r.ref: r.state for r in review.day_queue(rv.auditor2, business_day=DAY)}
        assert states[rv.refs["sale"]] == "ok" and states[rv.refs["refund"]] == "exception"
        detail = text(app.screen.query_one("#review-detail", Static))
        assert "Approval missing" in detail and "no approval slip" in detail
        # the owner rectifies; the auditor sends it back, then accepts the second answer
        review.rectify(rv.as_("8005"), ref=rv.refs["refund"], with_record="note", note="found")
        await pilot.press("t")
        await settle(pilot)
        app.screen.query_one("#field-value", Input).value = "rectified"
        await submit(pilot)
        assert [r.ref for r in app.screen.rows] == [rv.refs["refund"]]
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#field-note", Input).value = "attach the slip"
        await submit(pilot)
        assert review.mine(rv.as_("8005"))[0].state == "reopened"
        review.rectify(rv.as_("8005"), ref=rv.refs["refund"], with_record="note", note="scanned")
        await pilot.press("r")  # read again: the owner's second answer is in
        await settle(pilot)
        assert [r.state for r in app.screen.rows] == ["rectified"]
        await pilot.press("a")
        await settle(pilot)
        assert review.open_exceptions(rv.manager) == []
        await pilot.press("c")
        await settle(pilot)
        assert "Counter 1" in text(app.screen.query_one("Static"))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "Nobody viewed" in text(app.screen.query_one("Static"))
    assert not app.bugs


@pilot_test
async def test_the_hall_manager_reads_the_queue_but_does_not_review(rv):
    app = _host(rv.manager)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_queue(pilot, app)
        before = [r.state for r in app.screen.rows]
        await pilot.press("o", "x")
        await settle(pilot)
        from screens.posts.audit_review import ReviewScreen

        assert isinstance(app.screen, ReviewScreen)  # no form opened
        assert [r.state for r in review.day_queue(rv.manager, business_day=DAY)] == before
        await pilot.press("k")
        await settle(pilot)
        app.screen.query_one("#field-value", Input).value = "handover"
        await submit(pilot)
        assert [r.kind for r in app.screen.rows] == ["handover"]
    assert not app.bugs


@pilot_test
async def test_the_owner_rectifies_from_home_and_the_manager_sees_open_exceptions(rv):
    from screens.app import HallTermApp
    from screens.home import HomeScreen

    review.raise_exception(rv.auditor, business_day=DAY, ref=rv.refs["void"],
                           category="approval_missing", note="slip missing")
    app = HallTermApp(rv.settings, None, ctx=rv.ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "8005", STAFF_PIN)
        assert isinstance(app.screen, HomeScreen)
        inbox = text(app.screen.query_one("#home-review", Static))
        assert rv.refs["void"] in inbox and "slip missing" in inbox
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#field-ref", Input).value == rv.refs["void"]
        form.query_one("#field-with", Input).value = "refund:F20990101-0001"
        await submit(pilot)
        assert app.screen is form and "since the exception" in text(form.query_one("#form-error"))
        form.query_one("#field-with", Input).value = "note"
        form.query_one("#field-note", Input).value = "the slip is in the box"
        await submit(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert review.mine(rv.as_("8005"))[0].state == "rectified"
        # waiting for the auditor now: listed, but nothing left for 8005 to answer
        inbox = text(app.screen.query_one("#home-review", Static))
        assert "Rectified" in inbox and "R: rectify" not in inbox
        assert app.screen.check_action("rectify", ()) is False
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, "9001", MANAGER_PIN)
        hall_list = text(app.screen.query_one("#home-review", Static))
        assert "Open review exceptions in the hall: 1" in hall_list
        assert rv.refs["void"] in hall_list
