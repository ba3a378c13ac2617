"""The Counter post (窗口): the counter panel on its own screen.

For counter clerks whose post has no screen of its own yet (and for managers
covering a counter): call, serve and finish tickets at this terminal's counter.
The Sales and Complaints screens host the same panel next to their own work.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Static

from hallterm.i18n import N_, _
from screens.base import PostScreen
from screens.registry import Post, register
from screens.widgets.counter_panel import CounterPanel
from screens.widgets.header import ShellHeader


class CounterScreen(PostScreen):
    """A counter terminal: the counter panel and nothing else."""

    DEFAULT_CSS = """
    CounterScreen #counter-body { padding: 1 2; }
    CounterScreen #counter-title { text-style: bold; color: $accent; }
    """

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Vertical(id="counter-body"):
            yield Static(id="counter-title")
            yield CounterPanel(id="counter-panel")
        yield Footer()

    def on_mount(self) -> None:
        self._title()
        self.query_one(CounterPanel).focus()

    def _title(self) -> None:
        self.query_one("#counter-title", Static).update(_("Counter (窗口叫号)"))

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._title()
        self.query_one(CounterPanel).reload()


register(Post(
    id="counter",
    title=N_("Counter"),
    key="f12",
    permission="queue.serve",
    factory=CounterScreen,
    help=N_("Call, serve and finish queue tickets at this counter"),
    order=80,
))
