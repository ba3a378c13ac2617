"""The shell's header line on every screen: hall, terminal, counter, user, business day, clock.

It reads everything from the app (``app.header_facts()``) and the time from the
app's injectable clock, so a frozen clock gives a still header (snapshots, tests).
The header of the screen on top polls the business day's state (one tiny read
every ``DAY_POLL_SECONDS``, as the counter panel polls the queue's change counter),
so a day closed or opened on another terminal shows without pressing F1.
Post screens get it without doing anything: ``PostScreen`` mounts one when the
screen did not compose its own.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from hallterm.i18n import _

DAY_POLL_SECONDS = 3.0
"""How often the header on top re-reads the business day's state."""


class ShellHeader(Widget):
    """One line: where this terminal is, who works on it, which day, what time."""

    DEFAULT_CSS = """
    ShellHeader {
        dock: top;
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
    }
    """

    _polling = False

    def on_mount(self) -> None:
        # The clock ticks once a second; the time itself comes from the app's clock.
        self.set_interval(1.0, self.refresh)
        self.set_interval(DAY_POLL_SECONDS, self.poll_day)

    def poll_day(self) -> None:
        """Follow the business day's state (closed elsewhere, opened elsewhere)."""
        app = self.app
        ctx = getattr(app, "hctx", None)
        if (self._polling or ctx is None or getattr(ctx, "actor", None) is None
                or not hasattr(app, "day_state") or not self.screen.is_active):
            # (is_active, not app.screen: while the app closes, the shown post's screens
            # go first and app.screen raises for the kept ones still ticking)
            return
        self._polling = True

        def work() -> None:
            from hallterm.services.day import day_state

            try:
                state = day_state(ctx)
            except Exception:  # a busy store: the next tick reads again
                state = None
            app.call_from_thread(self._day_read, state)

        self.run_worker(work, thread=True, group="header-day")

    def _day_read(self, state: str | None) -> None:
        self._polling = False
        app = self.app
        if state is None or state == getattr(app, "day_state", state):
            return
        app.day_state = state
        changed = getattr(app, "day_changed", None)
        if callable(changed):
            changed(state)
        else:
            self.refresh()

    def render(self) -> Text:
        facts = _facts(self.app)
        width = max(self.size.width, 1)
        # From the fullest line to the shortest: the first that fits is shown.
        user_short = facts.get("user_short", facts["user"])
        variants = [
            (facts["hall"], facts["where"], facts["user"], facts["day"], facts["clock"]),
            (facts["hall"], facts["where"], user_short, facts["day"], facts["clock"]),
            (facts["hall"], facts["where"], user_short, facts.get("day_short", facts["day"]),
             facts.get("clock_short", facts["clock"])),
        ]
        # Then the hall's name gives way to the terminal and counter, then to nothing.
        short = variants[-1]
        room = width - 12 - sum(cell_len(p) for p in short[1:])
        if room >= 8:
            variants.append((_truncate(facts["hall"], room), *short[1:]))
        variants.append((facts["hall"], "", *short[2:]))
        for hall, where, user, day, clock in variants:
            left = " " + "  ".join(p for p in (hall, where) if p)
            right = "  ".join(p for p in (day, clock) if p) + " "
            if cell_len(left) + cell_len(user) + cell_len(right) + 6 <= width:
                break
        return _fit(left, user, right, width)


def _facts(app) -> dict[str, str]:
    getter = getattr(app, "header_facts", None)
    if getter is None:
        return {"hall": "HallTerm", "where": "", "user": "", "day": "", "clock": ""}
    return getter()


def _fit(left: str, middle: str, right: str, width: int) -> Text:
    """Lay out three parts on one line, shortening the least useful first."""

    def total(*parts: str) -> int:
        return sum(cell_len(p) for p in parts)

    # Narrow terminals: drop the middle (user) last-resort only after shortening the hall.
    if total(left, middle, right) + 4 > width:
        left = _truncate(left, max(8, width - total(middle, right) - 4))
    if total(left, middle, right) + 4 > width:
        middle = _truncate(middle, max(0, width - total(left, right) - 4))
    if total(left, middle, right) + 2 > width:
        right = _truncate(right, max(0, width - total(left) - 2))
    gap = width - total(left, middle, right)
    # The user sits in the middle of the line when there is room, else after the hall.
    lgap = (width - cell_len(middle)) // 2 - cell_len(left)
    lgap = max(min(3, gap), min(lgap, gap - min(3, gap // 2)))
    rgap = max(0, gap - lgap)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(left, style="bold")
    text.append(" " * lgap)
    text.append(middle)
    text.append(" " * rgap)
    text.append(right)
    return text


def _truncate(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out + "…" if cells > 0 else ""


def counter_label(counter: int | None) -> str:
    """'Counter 3' in the current language, or empty for a back-office terminal."""
    return "" if counter is None else _("Counter {number}").format(number=counter)
