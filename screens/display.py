"""The hall display (叫号显示屏): a full-screen board for the waiting area.

``hallterm display`` runs it on the waiting-area screen: the latest call in large
characters ("A012 → 3号窗口 / Counter 3"), the calls before it, and how many wait
per service — always in Chinese and English. It needs no sign-in and shows no
customer data (tickets carry none). Once a second it reads the queue's change
counter and reloads only on a change, so a call made at any counter shows within
two seconds.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare

POLL_SECONDS = 1.0

# A 3-row block font for ticket numbers and counter numbers.
_GLYPHS = {
    "0": ("┏━┓", "┃ ┃", "┗━┛"), "1": ("╺┓ ", " ┃ ", "╺┻╸"), "2": ("╺━┓", "┏━┛", "┗━╸"),
    "3": ("╺━┓", " ━┫", "╺━┛"), "4": ("╻ ╻", "┗━┫", "  ╹"), "5": ("┏━╸", "┗━┓", "╺━┛"),
    "6": ("┏━╸", "┣━┓", "┗━┛"), "7": ("╺━┓", "  ┃", "  ╹"), "8": ("┏━┓", "┣━┫", "┗━┛"),
    "9": ("┏━┓", "┗━┫", "╺━┛"), "A": ("┏━┓", "┣━┫", "╹ ╹"), "B": ("┏┓ ", "┣┻┓", "┗━┛"),
    "C": ("┏━╸", "┃  ", "┗━╸"), "D": ("┏━╮", "┃ ┃", "┗━╯"), "E": ("┏━╸", "┣━ ", "┗━╸"),
    "F": ("┏━╸", "┣━ ", "╹  "), "G": ("┏━╸", "┃╺┓", "┗━┛"), "H": ("╻ ╻", "┣━┫", "╹ ╹"),
    "I": ("╺┳╸", " ┃ ", "╺┻╸"), "J": ("  ╻", "  ┃", "┗━┛"), "K": ("╻ ╻", "┣┳┛", "╹┗╸"),
    "L": ("╻  ", "┃  ", "┗━╸"), "M": ("┏┳┓", "┃┃┃", "╹ ╹"), "N": ("┏┓╻", "┃┗┫", "╹ ╹"),
    "O": ("╭━╮", "┃ ┃", "╰━╯"), "P": ("┏━┓", "┣━┛", "╹  "), "Q": ("┏━┓", "┃ ┃", "┗━╋"),
    "R": ("┏━┓", "┣┳┛", "╹┗╸"), "S": ("┏━╸", "┗━┓", "╺━┛"), "T": ("╺┳╸", " ┃ ", " ╹ "),
    "U": ("╻ ╻", "┃ ┃", "┗━┛"), "V": ("╻ ╻", "╲ ╱", " ╹ "), "W": ("╻ ╻", "┃┃┃", "┗┻┛"),
    "X": ("╻ ╻", "╺╋╸", "╹ ╹"), "Y": ("╻ ╻", "┗┳┛", " ╹ "), "Z": ("╺━┓", "┏━┛", "┗━╸"),
    " ": ("   ", "   ", "   "), "→": ("  ╲ ", "━━━━", "  ╱ "),
}


def big(text: str) -> str:
    """``text`` in the 3-row block font (unknown characters become blanks)."""
    rows = ["", "", ""]
    for ch in text.upper():
        glyph = _GLYPHS.get(ch, _GLYPHS[" "])
        for i in range(3):
            rows[i] += glyph[i] + " "
    return "\n".join(r.rstrip() for r in rows)


def call_line(number: str, counter: int) -> str:
    """"A012 → 3号窗口 / Counter 3": the display is bilingual in every language."""
    return _("{number} → {counter}号窗口 / Counter {counter}").format(number=number,
                                                                    counter=counter)


class DisplayApp(App[None]):
    """The waiting-area board (full screen, no sign-in)."""

    TITLE = "HallTerm"
    DEFAULT_CSS = """
    Screen { background: $background; }
    #dp-hall { height: 1; text-style: bold; background: $primary; padding: 0 1; }
    #dp-main { height: 1fr; }
    #dp-now { width: 2fr; border: heavy $accent; padding: 1 2; align: center middle; }
    #dp-big { height: auto; text-style: bold; color: $warning; content-align: center middle; }
    #dp-line { height: auto; text-style: bold; content-align: center middle; margin-top: 1; }
    #dp-calls { width: 1fr; border: round $accent; padding: 0 1; }
    #dp-waiting { height: auto; border: round $accent; padding: 0 1; }
    """
    ACTIONS = declare(
        "display", N_("Waiting-room display (hallterm display)"),
        Action("display.quit", "ctrl+q", "quit", N_("Quit"), priority=True),
        Action("display.reload", "f5", "reload", N_("Refresh"), footer=False),
        order=99)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, ctx) -> None:
        super().__init__()
        self.hctx = ctx
        self.board = None
        self._version: int | None = None
        self._polling = False

    def compose(self) -> ComposeResult:
        yield Static(id="dp-hall")
        with Horizontal(id="dp-main"):
            with Vertical(id="dp-now"):
                yield Static(id="dp-big")
                yield Static(id="dp-line")
            yield Static(id="dp-calls")
        yield Static(id="dp-waiting")

    def on_mount(self) -> None:
        self.action_reload()
        self.set_interval(POLL_SECONDS, self.poll)

    def _run(self, fn, on_success) -> None:
        def work() -> None:
            try:
                result = fn(self.hctx)
            except Exception as exc:  # a busy or missing store: say so, keep polling
                self.call_from_thread(self._trouble, exc)
                return
            self.call_from_thread(on_success, result)

        self.run_worker(work, thread=True, group="display")

    def _trouble(self, exc: Exception) -> None:
        self._polling = False
        self.query_one("#dp-hall", Static).update(
            _("请稍候 / Please wait — {error}").format(error=str(exc)[:80]))

    def action_reload(self) -> None:
        from hallterm.services.queue import board

        self._run(board, self._show)

    def poll(self) -> None:
        """Reload when the queue changed (one tiny read a second); tick the clock."""
        if self.board is not None:
            self._show_hall()
        if self._polling:
            return
        from hallterm.services.queue import changes

        self._polling = True

        def seen(version: int) -> None:
            self._polling = False
            if version != self._version:
                self.action_reload()

        self._run(changes, seen)

    def _show_hall(self) -> None:
        b = self.board
        now = self.hctx.clock.now()
        self.query_one("#dp-hall", Static).update(f"{b.hall_zh}  {b.hall_en}    {now:%H:%M:%S}")

    def _show(self, b) -> None:
        self.board = b
        self._version = b.version
        self._show_hall()
        big_w = self.query_one("#dp-big", Static)
        line = self.query_one("#dp-line", Static)
        if b.calls:
            last = b.calls[0]
            big_w.update(big(f"{last.number} → {last.counter}"))
            text = call_line(last.number, last.counter)
            if last.recall:
                text += "  " + _("(再次呼叫 / Recall)")
            line.update(text)
        else:
            big_w.update("")
            line.update(_("欢迎光临 / Welcome"))
        calls = Text(_("最近叫号 / Recent calls") + "\n\n", style="bold")
        for c in b.calls[1:]:
            calls.append(call_line(c.number, c.counter) + f"  {c.at:%H:%M}\n")
        self.query_one("#dp-calls", Static).update(calls)
        table = Table(expand=True, box=None, show_edge=False)
        table.add_column(_("业务 / Service"))
        table.add_column(_("等候人数 / Waiting"), justify="right")
        for s in b.services:
            table.add_row(f"{s.code}  {s.name_zh}  {s.name_en}", Text(str(s.waiting),
                                                                    style="bold"))
        self.query_one("#dp-waiting", Static).update(table)


def run_display(ctx) -> None:
    """Run the board until Ctrl+Q."""
    DisplayApp(ctx).run()
