"""The base of every post screen: the shell's header, and service calls.

Screens are thin: they call a service function and show what it returns. Service
calls block on SQLite, so ``call`` runs them in a thread worker and hands the
result back on the UI thread; a ``HallTermError`` becomes a clear notification,
anything else is logged and shown as a short apology (never a traceback).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from textual import events, on
from textual.screen import Screen

from hallterm.errors import HallTermError
from screens.shell import Shell, in_thread, shell
from screens.translate import TranslatedKeys

T = TypeVar("T")
# Awaited service calls (scans): a small pool, so a scanner waits for no worker start-up.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="post-call")


class PostScreen(TranslatedKeys, Screen):
    """A post's screen inside the shell."""

    @on(events.Mount)
    def _mount_shell_header(self) -> None:
        # Every screen shows the shell's header; a screen that composed its own keeps it.
        from screens.widgets.header import ShellHeader

        if not self.query(ShellHeader):
            self.mount(ShellHeader())

    @property
    def shell(self) -> Shell:
        """The app, typed as the shell."""
        return shell(self)

    @property
    def hctx(self):
        """The app's context, acting as the signed-in person."""
        return shell(self).hctx

    def call(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[HallTermError], None] | None = None,
        on_bug: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``fn(*args, **kwargs)`` off the UI thread; report back on it (a bug is
        logged with an apology, after ``on_bug`` puts the screen back in order)."""
        in_thread(self, functools.partial(fn, *args, **kwargs), group="service",
                  done=on_success, refused=on_error or self._show_error, bug=on_bug)

    async def call_async(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Await ``fn(*args, **kwargs)`` run off the UI thread (in order, for scans).

        A ``HallTermError`` is raised here, for the caller to show where it belongs.
        """
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(
            _POOL, functools.partial(fn, *args, **kwargs))

    async def checked(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> bool:
        """From an async worker: run a service's side-effect-free ``check_*`` off the UI thread.

        True when it passes; otherwise its message is shown and False is returned, so
        the caller asks no one for a PIN for a request that would be refused.
        """
        try:
            await self.call_async(fn, *args, **kwargs)
        except HallTermError as exc:
            self._show_error(exc)
            return False
        except Exception as exc:  # a bug: log it, apologise, keep the app alive
            shell(self).report_unexpected(exc)
            return False
        return True

    def _show_error(self, exc: HallTermError) -> None:
        self.notify(str(exc), severity="error", timeout=6)
