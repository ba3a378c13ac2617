"""Pilot tests: the counter panel, the Reception screen and the hall display."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace

from textual.app import App
from textual.widgets import Static

from hallterm.services import queue


def pilot_test(test):
    """Run an async Pilot test without an asyncio plugin."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


class HostApp(App):
    """A tiny app that gives screens what the shell gives them: ``hctx``."""

    def __init__(self, ctx, screen_factory) -> None:
        super().__init__()
        self.hctx = ctx
        self.hall = None
        self._factory = screen_factory
        self.errors: list[BaseException] = []

    def on_mount(self) -> None:
        self.push_screen(self._factory())

    def report_unexpected(self, exc: BaseException) -> None:
        self.errors.append(exc)
        raise exc


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pilot_test
async def test_counter_panel_calls_serves_and_reminds(hall):
    from screens.posts.counter import CounterScreen
    from screens.widgets.counter_panel import CounterPanel

    clerk = replace(hall.add("8004", "sales"), counter=1)
    queue.set_counter_state(clerk, counter=1, state="open")
    queue.issue_ticket(hall.ctx, service="A", priority="vip")
    hall.clock.advance(minutes=25)
    app = HostApp(clerk, CounterScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "1 waiting" in text(app, "#cp-counter")
        await pilot.press("n")
        await settle(pilot)
        assert "A001" in text(app, "#cp-ticket")
        assert "VIP" in text(app, "#cp-ticket")
        assert "25 min" in text(app, "#cp-apology") and "说明原因并表示歉意" in text(app, "#cp-apology")
        assert "its class goes first" in text(app, "#cp-why") or "first in line" in text(app, "#cp-why")
        panel = app.screen.query_one(CounterPanel)
        assert panel.current_visit == queue.counter_view(clerk).current.visit
        await pilot.press("s")
        await settle(pilot)
        assert "serving" in text(app, "#cp-ticket")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "A001" in text(app, "#cp-parked")
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "No current ticket" in text(app, "#cp-ticket")
        assert panel.current_visit is None
        # a ticket called at another terminal shows up without a key press
        queue.issue_ticket(hall.ctx, service="A")
        panel.poll()
        await settle(pilot)
        assert "1 waiting" in text(app, "#cp-counter")
