"""The visit's customer and orders beside the cart (one visit holds sales and orders).

The customer line shows who was identified for this visit — name, document and
phone masked (``110***********002X``, ``138****1234``), the agent (代办) or the
guardian when there is one — and, after a reveal (its reason logged), the full
values until the next customer. Under it, the orders taken in this visit: number,
kind, the line (phone number), state and when each takes effect (告知开通时间).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.i18n import _
from hallterm.services import customers
from screens.widgets.fit import cut, room_for, widest


@dataclass(frozen=True)
class OrderRow:
    """One order of the visit as the panel shows it (already translated)."""

    number: str
    kind: str
    line: str
    state: str
    effective: str


def masked_person(person: customers.Person) -> str:
    """A person as the screen shows them: name, masked document (and phone)."""
    parts = [person.name, customers.mask_id(person.number)]
    if person.phone:
        parts.append(customers.mask_phone(person.phone))
    return "  ".join(parts)


class VisitPanel(Vertical):
    """Who the visit's customer is, and the visit's orders."""

    DEFAULT_CSS = """
    VisitPanel { height: auto; max-height: 35%; border: round $secondary; display: none; }
    VisitPanel.-shown { display: block; }
    VisitPanel > #visit-customer { height: auto; padding: 0 1; }
    VisitPanel > #visit-note { height: auto; padding: 0 1; color: $text-muted; }
    VisitPanel > DataTable { height: auto; max-height: 7; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer_text: list[str] = []
        self.note_text = ""
        self.orders: list[OrderRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="visit-customer")
        yield Static(id="visit-note")
        yield DataTable(id="visit-orders", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).can_focus = False
        self.border_title = _("Customer and orders")
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def show_customer(self, lines: list[str], note: str = "") -> None:
        """The customer's lines (already masked or revealed) and a note under them."""
        self.customer_text, self.note_text = list(lines), note
        self.redraw()

    def show_orders(self, rows: Sequence[OrderRow]) -> None:
        self.orders = list(rows)
        self.redraw()

    def clear(self) -> None:
        self.customer_text, self.note_text, self.orders = [], "", []
        self.redraw()

    def retranslate(self) -> None:
        self.border_title = _("Customer and orders")
        self.redraw()

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        self.set_class(bool(self.customer_text or self.orders), "-shown")
        self.query_one("#visit-customer", Static).update(Text("\n".join(self.customer_text)))
        note = self.query_one("#visit-note", Static)
        note.update(Text(self.note_text))
        note.display = bool(self.note_text)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.display = bool(self.orders)
        heads = (_("Order"), _("Kind"), _("Line"), _("State"), _("Takes effect"))
        rows = [(o.number, o.kind, o.line, o.state, o.effective) for o in self.orders]
        widths = [widest(h, [r[n] for r in rows]) for n, h in enumerate(heads)]
        kind = room_for(table, [widths[0], *widths[2:]], minimum=4, natural=widths[1])
        table.add_columns(*heads)
        for row in rows:
            table.add_row(row[0], cut(row[1], kind), row[2], row[3], row[4])
