"""The counter custody view (领用在手): what stock a counter holds, for any counter post.

Place it on a screen with ``CustodyView(counter)``; it loads in a thread worker
and reloads on ``reload()`` (call it after a sale or an issue). It shows each item
with its quantity, value and serials, and the totals (valuable cards also in face
value).
"""

from __future__ import annotations

import functools

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.i18n import _
from hallterm.money import format_fen
from screens.shell import in_thread, shell
from screens.widgets.fit import cut, room_for, widest


class CustodyView(Vertical):
    """A table of one counter's custody stock and its totals."""

    DEFAULT_CSS = """
    CustodyView { height: auto; max-height: 20; border: round $secondary; }
    CustodyView > #custody-title { text-style: bold; }
    CustodyView > DataTable { height: auto; max-height: 14; }
    """

    def __init__(self, counter: int | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counter = counter
        self.view = None

    def compose(self) -> ComposeResult:
        yield Static(id="custody-title")
        yield DataTable(id="custody-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="custody-totals")

    def on_mount(self) -> None:
        self.reload()

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(_("Item"), _("Qty"), _("Value"))

    def show_counter(self, counter: int | None) -> None:
        """Show another counter's custody."""
        self.counter = counter
        self.reload()

    def reload(self) -> None:
        """Load the custody again (in a thread; the table updates when it arrives)."""
        self._columns()  # in the current language
        title = self.query_one("#custody-title", Static)
        if self.counter is None:
            title.update(_("No counter on this terminal."))
            return
        title.update(Text(_("Custody of counter {n}").format(n=self.counter)))
        from hallterm.services.stock import custody

        in_thread(self, functools.partial(custody, shell(self).hctx, counter=self.counter),
                  group="custody", exclusive=True, done=self._show)

    def on_resize(self) -> None:
        if self.view is not None:
            self._show(self.view)

    def _show(self, view) -> None:
        self.view = view
        table = self.query_one(DataTable)
        table.clear(columns=True)
        rows = [(f"{line.sku} {line.name}", str(line.quantity), format_fen(line.value_fen),
                 ", ".join(line.serials[:3]) + (" …" if len(line.serials) > 3 else ""))
                for line in view.lines]
        # Quantity and value stay whole; the name narrows, the serials go when no room.
        heads = (_("Item"), _("Qty"), _("Value"), _("Serials"))
        widths = [widest(h, [r[n] for r in rows]) for n, h in enumerate(heads)]
        item = room_for(table, widths[1:3], minimum=6, natural=widths[0])
        serials = room_for(table, [widths[0], *widths[1:3]], minimum=0, natural=widths[3])
        with_serials = serials >= min(widths[3], 17)
        table.add_columns(*(heads if with_serials else heads[:3]))
        for name, quantity, value, serial in rows:
            cells = [cut(name, item), Text(quantity, justify="right"),
                     Text(value, justify="right")]
            table.add_row(*cells, *([cut(serial, serials)] if with_serials else []))
        totals = _("Total: {quantity} units, {value}").format(
            quantity=view.quantity, value=format_fen(view.value_fen))
        if view.cards:
            totals += "  " + _("valuable cards {n}, face value {face}").format(
                n=view.cards, face=format_fen(view.cards_face_fen))
        self.query_one("#custody-totals", Static).update(Text(totals))
