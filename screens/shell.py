"""What screens and widgets use of the app they run in, typed, and the one thread worker.

``shell(node)`` is the typed accessor for the app (``HallTermApp``, or a test's host):
the signed-in person's context, the settings, the hall, bug reports. ``in_thread``
runs a blocking call (a service, the store) in a thread worker and reports back on
the UI thread: the result to ``done``; a ``HallTermError`` (a hall rule, bad input)
to ``refused``, by default a notification; anything else is a bug: ``bug`` (to put
the screen back in order) and then the app logs it and apologises (never a
traceback on a counter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from hallterm.errors import HallTermError

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.widget import Widget
    from textual.worker import Worker

T = TypeVar("T")


class Shell(Protocol):
    """The app as screens see it."""

    hctx: Any
    """The context acting as the signed-in person (``actor`` None before sign-in)."""
    settings: Any
    """The terminal's ``Settings`` (None in a bare test host)."""
    hall: Any
    """The hall's configuration, once the store is open (else None)."""
    demo: bool
    """``hallterm demo``: the sign-in screen shows the demo's people."""
    ready: bool
    """The store is open (the sign-in screen waits for it)."""

    def report_unexpected(self, exc: BaseException) -> Any:
        """Log a bug with its traceback and show the person a short apology."""

    def day_changed(self, state: str) -> None:
        """The business day changed state: every screen shows it."""


def shell(node: DOMNode) -> Shell:
    """The app ``node`` runs in, typed as the shell."""
    return cast(Shell, node.app)


def show_refusal(node: Widget | App[Any], exc: HallTermError) -> None:
    """A hall rule or bad input, as a notification."""
    node.app.notify(str(exc), severity="error", timeout=6)


def in_thread(
    node: Widget | App[Any],
    fn: Callable[[], T],
    *,
    group: str,
    done: Callable[[T], Any] | None = None,
    refused: Callable[[HallTermError], Any] | None = None,
    bug: Callable[[], Any] | None = None,
    exclusive: bool = False,
) -> Worker[None]:
    """Run ``fn()`` in a thread worker of ``node``; report back on the UI thread."""
    app = node.app

    def work() -> None:
        try:
            result = fn()
        except HallTermError as exc:
            if refused is None:
                app.call_from_thread(show_refusal, node, exc)
            else:
                app.call_from_thread(refused, exc)
            return
        except Exception as exc:  # a bug: log it, apologise, keep the app alive
            if bug is not None:
                app.call_from_thread(bug)
            app.call_from_thread(shell(node).report_unexpected, exc)
            return
        if done is not None:
            app.call_from_thread(done, result)

    return node.run_worker(work, thread=True, group=group, exclusive=exclusive)
