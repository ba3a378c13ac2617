"""The cart of the Sales screen: its lines, the running total, and the big 唱收唱付 line.

The cart itself is a list of ``hallterm.services.sales.CartLine`` kept by the
screen; this widget only shows it (and which line is selected). The total and
the "收您 ¥200.00，找您 ¥12.00" line are large so the customer can read them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.i18n import _, get_language
from hallterm.money import format_fen
from hallterm.services.sales import CartLine, PaymentIn, cart_total, method_label
from screens.widgets.fit import cut, room_for, widest


class CartView(Vertical):
    """The cart's lines and totals."""

    DEFAULT_CSS = """
    CartView { height: 1fr; border: round $accent; }
    CartView > DataTable { height: 1fr; }
    CartView > #cart-total { height: 3; content-align: right middle; text-style: bold;
                             background: $boost; padding: 0 1; }
    CartView > #cart-paid { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[CartLine] = []
        self.payments: list[PaymentIn] = []
        self.selected = 0

    def compose(self) -> ComposeResult:
        yield DataTable(id="cart-table", cursor_type="row", zebra_stripes=True,
                        show_cursor=True)
        yield Static(id="cart-paid")
        yield Static(id="cart-total")

    def on_mount(self) -> None:
        self.query_one(DataTable).can_focus = False
        self.retranslate()

    def retranslate(self) -> None:
        """Column titles in the current language."""
        self.show(self.lines, self.payments)

    def on_resize(self) -> None:
        self.show(self.lines, self.payments)

    def show(self, lines: list[CartLine], payments: list[PaymentIn], selected: int | None = None
             ) -> None:
        """Redraw with these lines and non-cash payments taken so far."""
        self.lines, self.payments = list(lines), list(payments)
        if selected is not None:
            self.selected = selected
        self.selected = max(0, min(self.selected, len(self.lines) - 1))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        lang = get_language()
        rows = []
        for i, line in enumerate(self.lines, start=1):
            price = format_fen(line.price_fen)
            if line.overridden:
                price += "*"
            rows.append((str(i), line.name(lang), line.serial or "", str(line.quantity), price,
                         format_fen(line.total_fen)))
        # Money, counts and serials stay whole; the item's name narrows first. When a
        # serial column leaves the name too little room, the serial goes under the name.
        # (With a narrow cart the line number goes too: the cursor shows the line.)
        heads = ("#", _("Item"), _("Serial"), _("Qty"), _("Price"), _("Total"))
        widths = [widest(h, [r[n] for r in rows]) for n, h in enumerate(heads)]
        width = table.size.width + (2 if len(rows) + 1 < table.size.height else 0)
        amounts = [widths[3], widths[4], widths[5]]
        shown = [0, 1, 2, 3, 4, 5]
        item = room_for(table, [widths[0], widths[2], *amounts], minimum=0,
                        natural=widths[1], width=width)
        if item < min(widths[1], 12) and any(r[2] for r in rows):
            shown = [0, 1, 3, 4, 5]
            item = room_for(table, [widths[0], *amounts], minimum=0,
                            natural=max(widths[1], widths[2]), width=width)
            if item < widths[2]:
                shown = [1, 3, 4, 5]
                item = room_for(table, amounts, minimum=8, natural=max(widths[1], widths[2]),
                                width=width)
        table.add_columns(*[heads[i] for i in shown])
        for row in rows:
            name = cut(row[1], item)
            two = 2 not in shown and bool(row[2])
            cells = {0: row[0], 1: Text.assemble(name, "\n", row[2]) if two else name,
                     2: row[2], **{i: Text(row[i], justify="right") for i in (3, 4, 5)}}
            table.add_row(*[cells[i] for i in shown], key=row[0], height=2 if two else 1)
        if self.lines:
            table.move_cursor(row=self.selected)
        total = cart_total(self.lines)
        paid = sum(p.amount_fen for p in self.payments)
        self.query_one("#cart-paid", Static).update(Text("  ".join(
            f"{method_label(p.method)} {format_fen(p.amount_fen)} ({p.reference})"
            for p in self.payments)))
        label = _("Total {total}").format(total=format_fen(total))
        if paid:
            label += "   " + _("Due {due}").format(due=format_fen(total - paid))
        self.query_one("#cart-total", Static).update(Text(label, style="bold"))

    def select(self, delta: int) -> None:
        """Move the selection up or down."""
        if self.lines:
            self.selected = (self.selected + delta) % len(self.lines)
            self.query_one(DataTable).move_cursor(row=self.selected)


class ChangeBanner(Vertical):
    """The large "收您 ¥200.00，找您 ¥12.00" after a cash sale, with the change in big digits."""

    DEFAULT_CSS = """
    ChangeBanner { height: auto; border: heavy $success; padding: 0 1; display: none; }
    ChangeBanner.-shown { display: block; }
    ChangeBanner > #banner-text { text-style: bold; color: $success; text-align: center;
                                  width: 1fr; }
    ChangeBanner > Digits { width: 1fr; text-align: center; color: $success; }
    ChangeBanner > #banner-detail { color: $text-muted; text-align: center; width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        from textual.widgets import Digits

        yield Static(id="banner-text")
        yield Digits("", id="banner-digits")
        yield Static(id="banner-detail")

    def announce(self, text: str, change_fen: int | None = None, detail: str = "") -> None:
        """Show ``text``; the change (when given) in large digits under it."""
        from textual.widgets import Digits

        self.query_one("#banner-text", Static).update(Text(text, style="bold"))
        digits = self.query_one(Digits)
        digits.display = change_fen is not None
        if change_fen is not None:
            digits.update(format_fen(change_fen, symbol=False))
        self.query_one("#banner-detail", Static).update(Text(detail))
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
