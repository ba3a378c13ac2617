"""Pilot tests of the Day screen: blockers, forced close with reason and PIN, the X report."""

from __future__ import annotations

from textual.widgets import Input, Static

from hallterm.permissions import allowed
from hallterm.services.day import day_state
from screens.registry import posts
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.pilot import PostHost, pilot_test
from tests.pilot import settle as settle_workers


async def settle(pilot) -> None:
    # The close waits on its dialog in the "day-close" worker.
    await settle_workers(pilot, waiting_groups=("day-close",))


def host(ctx, hall, tmp_path):
    from screens.posts.day import DayScreen

    settings = hall.settings.model_copy(update={"reports_dir": tmp_path / "reports"})
    return PostHost(ctx, DayScreen, settings)


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def wait_for(pilot, check, rounds: int = 60) -> None:
    for _round in range(rounds):
        await settle(pilot)
        if check():
            return
        await pilot.pause(0.05)


def test_the_day_screen_is_the_managers():
    day = next(p for p in posts() if p.id == "day")
    assert day.key == "f11"
    assert allowed(["manager"], day.permission) and allowed(["duty_manager"], day.permission)
    assert not allowed(["sales"], day.permission)


@pilot_test
async def test_hall_manager_forces_the_close_with_reason_and_pin(hall, tmp_path):
    app = host(hall.manager, hall, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.screen.view is not None)
        assert "closes at 18:00" in shown(app, "#day-blockers")
        await pilot.press("c")  # blockers: the plain close says why not
        await settle(pilot)
        assert "cannot close yet" in shown(app, "#day-message")
        assert day_state(hall.ctx) == "open"
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#close-reason", Input).has_focus
        await pilot.press("enter")  # no reason yet: the PIN field, then the check
        dialog.query_one("#close-pin", Input).value = MANAGER_PIN
        await pilot.press("enter")
        await settle(pilot)
        assert "needs a reason" in str(dialog.query_one("#close-message", Static).render())
        assert day_state(hall.ctx) == "open"
        dialog.query_one("#close-reason", Input).value = "network outage"
        dialog.query_one("#close-pin", Input).value = "000000"
        dialog.set_focus(dialog.query_one("#close-pin", Input))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "wrong PIN" in str(
            dialog.query_one("#close-message", Static).render()))
        assert "wrong PIN" in str(dialog.query_one("#close-message", Static).render())
        assert dialog.query_one("#close-reason", Input).value == "network outage"
        dialog.query_one("#close-pin", Input).value = MANAGER_PIN
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Z number 1" in shown(app, "#day-message"))
        assert "Z number 1" in shown(app, "#day-message")
        await wait_for(pilot, lambda: "DAY REPORT (Z) 1" in shown(app, "#day-result"))
        assert "network outage" in shown(app, "#day-result")
        assert app.errors == []
    assert day_state(hall.ctx) == "closed"
    assert (tmp_path / "reports" / "day-report-2026-11-25.txt").exists()


@pilot_test
async def test_duty_manager_prints_an_x_report_but_cannot_close(hall, tmp_path):
    hall.add("8002", "duty_manager")
    duty = hall.as_("8002", STAFF_PIN)
    app = host(duty, hall, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.screen.view is not None)
        assert app.screen.check_action("close_day", ()) is False
        assert app.screen.check_action("force_close", ()) is False
        await pilot.press("f")
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "DayScreen"  # no dialog opened
        await pilot.press("x")
        await wait_for(pilot, lambda: "INTERIM REPORT (X) 1" in shown(app, "#day-result"))
        assert "INTERIM REPORT (X) 1" in shown(app, "#day-result")
        assert "x-report-2026-11-25-01.txt" in shown(app, "#day-message")
        assert app.errors == []
    assert day_state(hall.ctx) == "open"
    assert (tmp_path / "reports" / "x-report-2026-11-25-01.txt").exists()
