"""The Sales post (前台销售, F3): cart, payment with 唱收唱付, receipts, voids and refunds.

The scanner types into the scan field and presses Enter: a barcode or SKU adds
one line; a serialised item then asks for its serial (checked against this
counter's custody and held for this cart). Text that is no code searches the
catalog by name; an item not offered or out of stock lists its alternatives,
and a digit key adds one. Every other action is one key, shown in the footer.
"""

from __future__ import annotations

import uuid

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.errors import BadInput, HallTermError
from hallterm.i18n import N_, _, get_language
from hallterm.money import format_fen, parse_fen
from hallterm.services import sales
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.posts.sales_actions import SalesDialogs
from screens.posts.sales_cart import CartKeeping
from screens.posts.sales_line_orders import DESK_ACTIONS, OrderWork
from screens.registry import Post, register
from screens.widgets.cart import CartView, ChangeBanner
from screens.widgets.header import ShellHeader
from screens.widgets.scanner import ScannerInput
from screens.widgets.visit import VisitPanel


def pick_keys(n: int, one: str, many: str) -> str:
    """The keys that pick a choice: "Press 1" for one choice, never "Press 1-1"."""
    return one if n == 1 else many.format(n=n)


class SalesScreen(OrderWork, CartKeeping, SalesDialogs, PostScreen):
    """The counter's cart and till."""

    DEFAULT_CSS = """
    SalesScreen #sales-body { height: 1fr; }
    SalesScreen #sales-side { width: 44; }
    SalesScreen #sales-main { width: 1fr; padding: 0 1; }
    SalesScreen #sales-prompt { height: 1; color: $accent; text-style: bold; }
    SalesScreen #sales-message { height: auto; color: $warning; }
    SalesScreen #sales-receipt-language { height: auto; color: $accent; display: none; }
    SalesScreen #sales-options { height: auto; max-height: 11; border: round $warning;
                                 display: none; }
    SalesScreen #sales-options.-shown { display: block; }
    SalesScreen CustodyView { height: 1fr; max-height: 16; }
    SalesScreen CustodyView > DataTable { height: 1fr; }
    """
    ACTIONS = declare(
        "sales", N_("Sales"),
        Action("sales.line_up", "up", "select(-1)", N_("Line up"), N_("Select the line above"),
               footer=False, palette=False),
        Action("sales.line_down", "down", "select(1)", N_("Line down"), N_("Select the line below"),
               footer=False, palette=False),
        # The till's keys first: a narrow (80-column) footer still shows them.
        Action("sales.cash", "ctrl+t", "cash", N_("Cash"),
               N_("Take cash: enter the amount tendered"), priority=True),
        Action("sales.other_payment", "ctrl+y", "other_payment", N_("Card/QR"), N_(
            "Bank card, WeChat Pay or Alipay with the terminal's reference (split payment)"), priority=True),
        Action("sales.queue", "ctrl+e", "queue_panel", N_("Queue"), N_(
            "Go to the counter panel: N calls the next ticket, S serves, F finishes; Esc comes "
            "back to scanning"), priority=True),
        *DESK_ACTIONS,
        Action("sales.quantity", "ctrl+n", "quantity", N_("Qty"), N_("Change the selected line's "
                "quantity"), priority=True),
        Action("sales.remove", "ctrl+r", "remove_line", N_("Remove"),
               N_("Remove the selected line"), priority=True),
        Action("sales.clear", "ctrl+l", "clear_cart", N_("Clear"), N_(
            "Empty the cart (asks first; money taken is given back first)"), priority=True),
        Action("sales.refund_taken", "ctrl+b", "refund_taken", N_("Give back"), N_(
            "Give card/QR money taken on this cart back to the customer (duty manager "
            "approves)"), priority=True),
        Action("sales.find", "ctrl+f", "find", N_("Find"), N_("Search the catalog by name"),
               priority=True),
        Action("sales.override", "ctrl+o", "override", N_("Price/discount"), N_(
            "Change the selected line's price or give a discount (duty manager approves)"), priority=True),
        Action("sales.reverse", "ctrl+g", "reverse", N_("Void/refund"), N_(
            "Void a sale of today or refund lines of a sale (duty manager approves)"), priority=True),
        Action("sales.reprint", "ctrl+s", "reprint", N_("Reprint"), N_("Reprint a receipt (重打)"),
               priority=True, permission="sale.reprint"),
        Action("sales.receipt_language", "ctrl+k", "receipt_language", N_("Receipt 中/EN"), N_(
            "The customer asks for the other language: this receipt prints in it (then back "
            "to the hall's receipt language)"), priority=True),
        Action("sales.back", "escape", "back", N_("Back"), N_("Back to scanning")),
        Action("sales.pick", "1", "pick(1)", N_("Add"),
               N_("Add the item with this number from the list shown"), footer=False, palette=False,
               key_display="1-9", more_keys=tuple((str(n), f"pick({n})") for n in range(2, 10))),
        order=30)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.cart_id = uuid.uuid4().hex
        self.mode = "scan"  # scan | serial | tendered
        self.pending: sales.Scanned | None = None
        self.options: tuple[sales.Option, ...] = ()
        self.serial_choices: tuple[str, ...] = ()
        self.last_receipt: str | None = None
        self.receipt_language: str | None = None  # the customer's choice; None: the hall's
        self._busy = False

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from screens.widgets.counter_panel import CounterPanel
        from screens.widgets.custody import CustodyView

        yield ShellHeader()
        with Horizontal(id="sales-body"):
            with Vertical(id="sales-side"):
                yield CounterPanel(id="sales-counter")
                yield CustodyView(self.counter, id="sales-custody")
            with Vertical(id="sales-main"):
                yield VisitPanel(id="sales-visit")
                yield CartView(id="sales-cart")
                yield ChangeBanner(id="sales-banner")
                yield Label(id="sales-prompt")
                yield Static(id="sales-receipt-language")
                yield ScannerInput(id="sales-scan", max_length=64, keep_empty=True,
                                   on_scan=self._on_scan)
                yield Static(id="sales-message")
                yield OptionList(id="sales-options")
        yield Footer()

    def on_mount(self) -> None:
        self._set_mode("scan")
        self.query_one("#sales-scan", ScannerInput).focus()
        self._restore_cart()

    def on_resize(self) -> None:
        # No media queries in Textual CSS: on a narrow terminal the side column shrinks
        # so the cart keeps most of the width.
        narrow = self.size.width < 100
        self.query_one("#sales-side").styles.width = 30 if narrow else 44

    @property
    def counter(self) -> int | None:
        ctx = self.hctx
        return None if ctx is None else ctx.counter

    @property
    def cart(self) -> CartView:
        return self.query_one(CartView)

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._set_mode(self.mode)
        self._show_receipt_language()
        self.cart.retranslate()
        self.visit_panel.retranslate()
        self.show_customer()
        from screens.widgets.counter_panel import CounterPanel
        from screens.widgets.custody import CustodyView

        for panel in self.query(CounterPanel):
            panel.reload()
        for view in self.query(CustodyView):
            view.reload()

    # -- the scan field ----------------------------------------------------------------
    def _set_mode(self, mode: str, prompt: str | None = None) -> None:
        self.mode = mode
        texts = {
            "scan": _("Scan a barcode or type a SKU or a name, then Enter"),
            "serial": _("Scan the serial number"),
            "tendered": _("Amount tendered, then Enter"),
        }
        self.query_one("#sales-prompt", Label).update(prompt or texts[mode])
        # Not cleared here: the scanner input cleared itself on Enter, and what it holds
        # now is the next scan of a burst, already being typed.
        self.query_one("#sales-scan", ScannerInput).focus()

    def action_receipt_language(self) -> None:
        """The customer asks for the other receipt language (for the next receipt only)."""

        def toggle(default: str) -> None:
            current = self.receipt_language or default
            chosen = "en" if current == "zh_CN" else "zh_CN"
            self.receipt_language = None if chosen == default else chosen
            self._show_receipt_language()

        self.call(sales.receipts.receipt_language, self.hctx, on_success=toggle)

    def _show_receipt_language(self) -> None:
        label = self.query_one("#sales-receipt-language", Static)
        label.display = self.receipt_language is not None
        if self.receipt_language is not None:
            name = "中文" if self.receipt_language == "zh_CN" else "English"
            label.update(_("The customer asked: this receipt prints in {language} "
                           "(Ctrl+K switches back).").format(language=name))

    def receipt_printed(self) -> None:
        """A receipt went out in the customer's language: the next one is the hall's again."""
        self.receipt_language = None
        self._show_receipt_language()

    def _say(self, message: str = "", *, error: bool = False) -> None:
        self.query_one("#sales-message", Static).update(
            Text(message, style="bold red" if error else ""))

    async def _on_scan(self, text: str) -> None:
        """One scan (or typed line + Enter), handled after the one before it."""
        if self.counter is None:
            self._say(_("This terminal serves no counter: start it with HALLTERM_COUNTER=N."),
                      error=True)
            return
        if self.mode == "scan" and text:
            self.query_one(ChangeBanner).hide()
            await self._scan(text, self._in_cart())
        elif self.mode == "serial" and len(text) == 1 and text.isdigit() and self.serial_choices:
            if int(text) <= len(self.serial_choices) and self.pending is not None:
                await self._hold(self.pending.line, self.serial_choices[int(text) - 1])
        elif self.mode == "serial" and text and self.pending is not None:
            # The custody list stays until a serial is held: a mistyped scan keeps it.
            await self._hold(self.pending.line, text)
        elif self.mode == "tendered":
            self._pay_cash(text)

    def _in_cart(self) -> dict[str, int]:
        """How many of each SKU the cart holds (checked against the counter's custody)."""
        in_cart: dict[str, int] = {}
        for line in self.cart.lines:
            in_cart[line.sku] = in_cart.get(line.sku, 0) + line.quantity
        return in_cart

    async def _scan(self, text: str, in_cart: dict[str, int]) -> None:
        """The scan's catalog read off the UI thread, awaited: scans are handled in the
        order scanned (see screens/widgets/scanner.py and bench/sales_bench.py)."""
        try:
            found = await self.call_async(sales.scan, self.hctx, counter=self.counter,
                                          code=text, in_cart=in_cart)
        except HallTermError as exc:
            self._show_error(exc)
            return
        self._scanned(found)

    def _scanned(self, found: sales.Scanned) -> None:
        if found.line is None:
            self._show_options(found.problem or "", found.options)
            return
        self._hide_options()
        self._add(found.line, found.serialised, found.serials)

    def _add(self, line: sales.CartLine, serialised: bool, serials: tuple[str, ...] = ()
             ) -> None:
        if serialised:
            self.pending = sales.Scanned(line.sku, line, True)
            self._set_mode("serial", _("Scan the serial number of {name}").format(
                name=line.name(get_language())))
            taken = {x.serial for x in self.cart.lines}
            self._show_serials(tuple(s for s in serials if s not in taken))
            return
        for i, have in enumerate(self.cart.lines):
            if have.sku == line.sku and have.serial is None and not have.overridden:
                lines = list(self.cart.lines)
                lines[i] = sales.with_quantity(have, have.quantity + 1)
                self._redraw(lines, selected=i)
                self._say(_("Added {name}").format(name=line.name(get_language())))
                return
        self._redraw([*self.cart.lines, line], selected=len(self.cart.lines))
        self._say(_("Added {name}").format(name=line.name(get_language())))

    async def _hold(self, line: sales.CartLine, serial: str) -> None:
        """Check and hold a scanned serial for this cart (awaited: the next scan waits)."""
        try:
            h = await self.call_async(sales.hold_serial, self.hctx, counter=self.counter,
                                      code=line.sku, serial=serial, cart_id=self.cart_id)
        except HallTermError as exc:
            self._say(str(exc), error=True)
            return
        self._hide_options()
        self.pending = None
        if any(x.serial == h.serial for x in self.cart.lines):
            self._say(_("Serial {serial} is already on the cart.").format(serial=h.serial),
                      error=True)
        else:
            self._redraw([*self.cart.lines, h.line], selected=len(self.cart.lines))
            self._say(_("Added {name}, serial {serial}").format(
                name=h.line.name(get_language()), serial=h.serial))
        self._set_mode("scan")

    def _redraw(self, lines, selected: int | None = None) -> None:
        self.cart.show(lines, self.cart.payments, selected)
        self._keep_lines()

    # -- not offered / out of stock / search ------------------------------------------
    def _show_options(self, problem: str, options) -> None:
        self.options = tuple(options)
        self._say(problem, error=True)
        box = self.query_one("#sales-options", OptionList)
        box.clear_options()
        lang = get_language()
        for n, opt in enumerate(self.options[:9], start=1):
            stock = "" if opt.available is None else "  " + _("{n} at this counter").format(
                n=opt.available)
            box.add_option(Option(f"{n}  {opt.line.name(lang)}  "
                                  f"{format_fen(opt.line.list_price_fen)}{stock}"))
        if self.options:
            box.add_class("-shown")
            box.border_title = pick_keys(min(9, len(self.options)),
                                         _("Press 1 to add it instead; Esc to go back"),
                                         _("Press 1-{n} to add instead; Esc to go back"))
            box.focus()
        else:
            self._hide_options()

    def _show_serials(self, serials: tuple[str, ...]) -> None:
        """The serials this counter holds of the pending item: a digit picks one."""
        self.options = ()
        self.serial_choices = serials
        box = self.query_one("#sales-options", OptionList)
        box.clear_options()
        if not serials:
            box.remove_class("-shown")
            return
        for n, serial in enumerate(serials, start=1):
            box.add_option(Option(f"{n}  {serial}"))
        box.border_title = pick_keys(len(serials),
                                     _("In this counter's custody: scan, or type 1 and Enter"),
                                     _("In this counter's custody: scan, or type 1-{n} and Enter"))
        box.add_class("-shown")

    def _hide_options(self) -> None:
        self.options = ()
        self.serial_choices = ()
        self.query_one("#sales-options", OptionList).remove_class("-shown")

    def action_pick(self, n: int) -> None:
        """A digit while alternatives or search hits are shown: add that one."""
        if self.mode == "serial" and self.serial_choices:
            if n <= len(self.serial_choices) and self.pending is not None:
                serial = self.serial_choices[n - 1]
                self.run_worker(self._hold(self.pending.line, serial), group="sales-hold")
            return
        if not self.options or n > len(self.options):
            return
        opt = self.options[n - 1]
        self._hide_options()
        self._say()
        if opt.available is not None and opt.available < 1 and not opt.serialised:
            self._say(_("{name} is out of stock at this counter.").format(
                name=opt.line.name(get_language())), error=True)
            self._set_mode("scan")
            return
        self._set_mode("scan")
        if opt.serialised:  # look it up again: its serials at this counter are offered
            self.call(sales.scan, self.hctx, counter=self.counter, code=opt.line.sku,
                      on_success=self._scanned)
            return
        self.run_worker(self._add_checked(opt.line), group="sales-hold")

    async def _add_checked(self, line: sales.CartLine) -> None:
        """Add a chosen line once the cart, with it, is within the counter's custody."""
        try:
            await self.call_async(sales.check_cart, self.hctx, counter=self.counter,
                                  lines=[*self.cart.lines, line])
        except HallTermError as exc:
            self._say(str(exc), error=True)
            return
        self._add(line, False)

    @on(OptionList.OptionSelected, "#sales-options")
    def _option_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option_index + 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return bool(self.options) and self.focused is self.query_one("#sales-options")
        return self.desk_allows(action, parameters)

    # -- cart keys ---------------------------------------------------------------------
    def action_select(self, delta: int) -> None:
        self.cart.select(delta)

    def action_queue_panel(self) -> None:
        """Put the focus on the counter panel, whose one-letter keys then work."""
        from screens.widgets.counter_panel import CounterPanel

        self.query_one(CounterPanel).focus()
        self._say(_("Counter panel: N calls the next ticket; Esc comes back to scanning."))

    def action_back(self) -> None:
        if self.mask_again():
            return
        self._hide_options()
        self.pending = None
        self._say()
        self._set_mode("scan")

    def _selected(self) -> tuple[int, sales.CartLine] | None:
        if not self.cart.lines:
            self._say(_("The cart is empty."), error=True)
            return None
        return self.cart.selected, self.cart.lines[self.cart.selected]

    def action_remove_line(self) -> None:
        picked = self._selected()
        if picked is None:
            return
        i, line = picked
        lines = [x for j, x in enumerate(self.cart.lines) if j != i]
        self._redraw(lines, selected=max(0, i - 1))
        if line.serial:
            self.call(sales.release_holds, self.hctx, cart_id=self.cart_id,
                      serials=[line.serial])
        self._say(_("Removed {name}").format(name=line.name(get_language())))

    def action_cash(self) -> None:
        if not self.cart.lines:
            self._say(_("The cart is empty."), error=True)
            return
        due = sales.cart_total(self.cart.lines) - sum(p.amount_fen for p in self.cart.payments)
        self._set_mode("tendered", _("Due {due}: amount tendered, then Enter").format(
            due=format_fen(due)))

    def _pay_cash(self, text: str) -> None:
        total = sales.cart_total(self.cart.lines)
        due = total - sum(p.amount_fen for p in self.cart.payments)
        if not text.strip() and due > 0:  # Enter on an empty field: nothing was tendered yet
            self._say(_("Type the amount tendered: {due} is due.").format(due=format_fen(due)),
                      error=True)
            return
        try:
            tendered = parse_fen(text) if text.strip() else 0
            payments = sales.split_cash_rest(total, self.cart.payments, tendered)
            sales.settle(total, payments)
        except BadInput as exc:
            self._say(str(exc), error=True)
            return
        self._complete(payments)


register(Post(
    id="sales",
    title=N_("Sales"),
    key="f3",
    permission="screen.sales",
    factory=SalesScreen,
    help=N_("Sell goods and services: cart, payment, receipts, voids and refunds"),
    order=30,
))
