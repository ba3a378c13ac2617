"""What every post screen's Pilot test needs: a host app, an async runner, a settle."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable

import pytest
from textual.app import App
from textual.worker import WorkerCancelled, WorkerFailed


def pilot_test(test):
    """Run an async Pilot test without an asyncio plugin.

    A screen test is ``sqlite_only``: its services are proved on both engines by the
    service and CLI tests (docs/development.md).
    """

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return pytest.mark.sqlite_only(run)


class PostHost(App):
    """The smallest host for a post screen: what the shell gives it
    (``screens.shell.Shell``); a bug is recorded and re-raised."""

    def __init__(self, ctx, screen_factory: Callable, settings=None) -> None:
        super().__init__()
        self.hctx = ctx
        self.settings = settings
        self.hall = None
        self.demo = False
        self.ready = True
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

    def day_changed(self, state: str) -> None:
        """The shell shows the day's new state everywhere; a lone post has nothing more."""


async def settle(pilot, *, waiting_groups: tuple[str, ...] = (), steady: bool = False) -> None:
    """Let service calls finish and their results reach the screen (no sleeping).

    ``waiting_groups``: workers that wait on a dialog (on us) are not waited for.
    ``steady``: stop the input cursors blinking, for a snapshot.
    """
    quiet = 0
    while quiet < 2:
        busy = [w for w in pilot.app.workers
                if w.group not in waiting_groups and not w.is_finished]
        for worker in busy:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
    if steady:
        from textual.widgets import Input

        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()


async def settle_steady(pilot) -> None:
    """``settle`` for a snapshot's ``run_before``: also no blinking cursor."""
    await settle(pilot, steady=True)


async def burst(pilot, *keys: str) -> None:
    """Send keys the way a barcode scanner does: all at once, as one read of the
    terminal, without waiting between them (``pilot.press`` waits for the app to be
    idle after every key, which a scanner never does)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    app = pilot.app
    for key in keys:  # as App._press_keys does, without its wait after each key
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


async def sign_in(pilot, empno: str, pin: str, *, typed: bool = False) -> None:
    """Sign in on the sign-in screen; ``typed``: key by key, Enter between the fields."""
    from textual.widgets import Input

    await settle(pilot)
    if typed:
        await pilot.press(*empno, "enter", *pin, "enter")
    else:  # key presses cost ~60 ms each under Pilot: fill, then press Enter
        screen = pilot.app.screen
        screen.query_one("#empno", Input).value = empno
        screen.query_one("#pin", Input).value = pin
        screen.set_focus(screen.query_one("#pin", Input))
        await pilot.press("enter")
    await settle(pilot)
