"""The scanner input (扫码输入): the one input every post uses where a barcode scanner types.

A scanner types a code and presses Enter, often several codes in one burst, faster
than any check of the store. So every Enter ends one scan: the input's value is
read and cleared at once, on the Enter itself, before the next keys arrive (the
next code never joins the previous one), and the scan is queued. The queue is
handed to the host one scan at a time, in the order scanned: the host's handler
(``on_scan``, usually a coroutine that awaits its service call) finishes one scan
before the next starts, so a serialised item's serial, a quantity after its item,
or a second scan of the same item each see what the scan before them did.

Without an ``on_scan`` handler the input posts ``ScannerInput.Scanned`` messages
instead (each in order; the host's message handler should then await its work).
The host's screen stays responsive meanwhile: the queue runs in a worker of the
input, not in the screen's message handler.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import Input

from hallterm.errors import HallTermError
from screens.shell import shell

ScanHandler = Callable[[str], Awaitable[Any] | Any]


class ScannerInput(Input):
    """An input for a barcode scanner: every Enter ends one scan, handled in order."""

    class Scanned(Message):
        """One scan (the text before an Enter, stripped), in the order scanned."""

        def __init__(self, scanner: ScannerInput, value: str) -> None:
            super().__init__()
            self.scanner = scanner
            self.value = value

        @property
        def control(self) -> ScannerInput:
            return self.scanner

    def __init__(self, *args: Any, on_scan: ScanHandler | None = None,
                 keep_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_scan = on_scan
        self.keep_empty = keep_empty  # hand an empty Enter on (e.g. "the exact amount")
        self._scans: deque[str] = deque()
        self._draining = False

    @property
    def pending(self) -> int:
        """Scans queued and not yet handled (the one being handled included)."""
        return len(self._scans) + (1 if self._draining else 0)

    def clear_pending(self) -> None:
        """Drop the scans not yet handled (the host changed what the input is for)."""
        self._scans.clear()

    async def _on_key(self, event: events.Key) -> None:
        # Enter is taken here, in the order of the keys. Input's own Enter is a binding,
        # run only after the key has bubbled up to the app — by then a scanner has typed
        # the next code into the input and the two would become one scan.
        # (Other keys: Textual calls Input's own _on_key next, along the MRO.)
        if event.key == "enter":
            event.stop()
            event.prevent_default()  # Input's handler and its Enter binding do not run
            self._take()

    async def action_submit(self) -> None:
        """Enter (or the submit action): take the value, clear the input, queue it."""
        self._take()

    def _take(self) -> None:
        text = self.value.strip()
        self.value = ""
        if not text and not self.keep_empty:
            return
        self._scans.append(text)
        if not self._draining:
            self._draining = True
            self.run_worker(self._drain(), group="scanner-input", exit_on_error=False)

    async def _drain(self) -> None:
        try:
            while self._scans:
                text = self._scans.popleft()
                await self._handle(text)
        finally:
            self._draining = False

    async def _handle(self, text: str) -> None:
        if self.on_scan is None:
            self.post_message(self.Scanned(self, text))
            return
        try:
            result = self.on_scan(text)
            if inspect.isawaitable(result):
                await result
        except HallTermError as exc:
            self.notify(str(exc), severity="error", timeout=6)
        except Exception as exc:  # a bug: logged by the shell, never a traceback on screen
            shell(self).report_unexpected(exc)
