"""What every post screen's Pilot test needs: a host app, an async runner, a settle."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable

from textual.app import App
from textual.worker import WorkerCancelled, WorkerFailed


def pilot_test(test):
    """Run an async Pilot test without an asyncio plugin."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


class PostHost(App):
    """The smallest host for a post screen: what the shell gives it (``hctx``,
    ``settings``, ``report_unexpected``); a bug is recorded and re-raised."""

    def __init__(self, ctx, screen_factory: Callable, settings=None) -> None:
        super().__init__()
        self.hctx = ctx
        self.settings = settings
        self.hall = None
        self._factory = screen_factory
        self.errors: list[BaseException] = []

    @property
    def bugs(self) -> list[BaseException]:
        return self.errors

    def on_mount(self) -> None:
        self.push_screen(self._factory())

    def report_unexpected(self, exc: BaseException) -> None:
        self.errors.append(exc)
        raise exc


async def settle(pilot, *, waiting_groups: tuple[str, ...] = ()) -> None:
    """Let service calls finish; a worker of ``waiting_groups`` waits on a dialog (on us)."""
    quiet = 0
    while quiet < 2:
        busy = [w for w in pilot.app.workers
                if w.group not in waiting_groups and not w.is_finished]
        for worker in busy:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
