"""The Sales screen's service orders (业务受理): the menu, a new line, paying and withdrawing.

A mixin of ``SalesScreen``. Ctrl+W opens the order menu for the identified
customer (Ctrl+U first when nobody is); every kind is also in the command palette.
Each order is a form (``EntryForm``) whose check is the order's own write, so a
wrong value — a number not free, a SIM not in this counter's custody, the
一证五号 cap with its count — keeps the form open with the field marked and
nothing written. A new line is written open (its number and SIM held), then its
first payment is taken (cash with 唱收唱付, or card/QR) and the receipt printed; a
payment not taken leaves it open, to pay (A) or withdraw (W) from the menu. The
visit's orders are listed beside the cart with when each takes effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import work

from hallterm.errors import BadInput, HallTermError
from hallterm.i18n import N_, _, get_language
from hallterm.money import format_fen, parse_fen
from hallterm.services import catalog, customers, orders, sales, stock
from screens.actions import Action
from screens.widgets.cart import ChangeBanner
from screens.widgets.entry_form import Choice, EntryForm, Flag, Typed, Values
from screens.widgets.visit import OrderRow

KIND_PERMISSIONS = {  # who may take each kind (the services check the same)
    "new_line": "order.accept", "plan_change": "order.accept", "sim_replace": "order.accept",
    "pay": "order.accept", "cancel": "order.retain", "port_out": "order.retain",
    "withdraw": "order.withdraw"}
ORDER_ACTIONS = (
    Action("sales.orders", "ctrl+w", "orders", N_("Orders"), N_(
        "Service orders for the identified customer (业务受理): new line, plan change, SIM "
        "swap, cancellation, port-out"), priority=True, permission="order.accept"),
    Action("sales.new_line", "alt+n", "order('new_line')", N_("New line"), N_(
        "A new line: a number from the pool, the SIM from this counter, a plan, the first "
        "payment"), footer=False, priority=True, permission=KIND_PERMISSIONS["new_line"]),
    Action("sales.plan_change", "alt+p", "order('plan_change')", N_("Plan change"), N_(
        "Change a line's plan: the next billing month unless the plan says now"),
        footer=False, priority=True, permission=KIND_PERMISSIONS["plan_change"]),
    Action("sales.sim_replace", "alt+s", "order('sim_replace')", N_("SIM swap"), N_(
        "Replace a line's SIM (补换卡) with one from this counter; the old one is retired"),
        footer=False, priority=True, permission=KIND_PERMISSIONS["sim_replace"]),
    Action("sales.cancel_line", "alt+c", "order('cancel')", N_("Cancel line"), N_(
        "Cancel a line (销户): the retention offer and its outcome are recorded first"),
        footer=False, priority=True, permission=KIND_PERMISSIONS["cancel"]),
    Action("sales.port_out", "alt+o", "order('port_out')", N_("Port-out"), N_(
        "A port-out enquiry (携号转网): never blocked; an offer only if the customer agrees "
        "to hear one"), footer=False, priority=True, permission=KIND_PERMISSIONS["port_out"]),
)
PAPER_FLAGS = {"id_copy": N_("ID copy taken"), "form_signed": N_("Form signed"),
               "photo": N_("Photo taken")}


@dataclass(frozen=True)
class Offer:
    """What this counter can offer the customer now (read in one go, off the UI thread)."""

    numbers: tuple[str, ...]
    plans: tuple[catalog.Item, ...]
    sims: dict[str, int]  # ICCID in this counter's custody -> its price
    lines: tuple[orders.LineView, ...]


def counter_offer(ctx, *, counter: int, customer_id: int | None) -> Offer:
    """Free numbers, the plans, the SIMs in custody and the customer's lines."""
    items = {i.sku: i for i in catalog.items(ctx)}
    plans = tuple(i for i in items.values() if i.kind == "plan" and i.offered)
    sims = {serial: items[line.sku].price_fen
            for line in stock.custody(ctx, counter=counter).lines
            if line.sku in items and items[line.sku].serial_type == "iccid"
            for serial in line.serials}
    lines = tuple(orders.lines_of(ctx, customer_id=customer_id)) if customer_id else ()
    return Offer(tuple(orders.free_numbers(ctx, limit=8)), plans, sims, lines)


def plan_label(item: catalog.Item) -> str:
    return _("{name} · {fee} a month").format(name=item.name(get_language()),
                                               fee=format_fen(item.price_fen))


def paper_flags(kind: str) -> list[Flag]:
    """The tick boxes of the paperwork this kind files (第五章)."""
    return [Flag(f, PAPER_FLAGS[f]) for f in orders.REQUIRED_PAPERWORK.get(kind, ())]


def paperwork_of(values: Values) -> orders.Paperwork:
    return orders.Paperwork(**{f: bool(values.get(f)) for f in PAPER_FLAGS})


def payments_of(values: Values, due: int) -> list[sales.PaymentIn]:
    """The payment the payment form describes; ``BadInput`` names the wrong field."""
    method = values["method"]
    if method == sales.CASH:
        try:
            tendered = parse_fen(values.get("tendered") or "", allow_zero=due == 0)
            payments = sales.split_cash_rest(due, [], tendered)
            sales.settle(due, payments)
        except BadInput as exc:
            raise BadInput(str(exc), field="tendered") from None
        return payments
    payment = sales.PaymentIn(method, due, reference=values.get("reference") or "")
    try:
        sales.settle(due, [payment])
    except BadInput as exc:
        raise BadInput(str(exc), field="reference") from None
    return [payment]


def order_row(o: orders.OrderView, plans: dict[str, str]) -> OrderRow:
    what = orders.kind_label(o.kind)
    if o.plan_sku and o.kind in ("new_line", "plan_change"):
        what += " · " + plans.get(o.plan_sku, o.plan_sku)
    when = ""
    if o.effective_on is not None:  # the whole sentence is in the message and on the receipt
        when = _("now") if o.effective_on <= o.business_day else o.effective_on.isoformat()
    return OrderRow(o.order_no, what, customers.mask_phone(o.number), orders.state_label(o.state),
                    when)


class OrderDesk:
    """Service orders inside the visit."""

    order_visit: int | None = None
    plan_names: dict[str, str] = {}
    held: tuple[str, ...] = ()  # the customer's active lines

    # -- the customer's lines (一证五号) ---------------------------------------------------
    def customer_found(self) -> None:
        self.held = ()
        if self.known is None:
            return

        def shown(lines: list[orders.LineView]) -> None:
            self.held = tuple(x.number for x in lines)
            self.show_customer()

        self.call(orders.lines_of, self.hctx, customer_id=self.known.id, on_success=shown,
                  on_error=lambda _exc: None)

    def customer_note(self) -> str:
        note = super().customer_note()
        if self.known is None:
            return note
        hall = self.shell.hall
        cap = hall.thresholds.lines_per_id if hall is not None else 5
        lines = ", ".join(customers.mask_phone(n) for n in self.held) or "-"
        return note + " " + _("Lines with us: {n} of {cap} ({numbers}).").format(
            n=len(self.held), cap=cap, numbers=lines)

    # -- the menu -----------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_orders(self) -> None:
        from screens.widgets.order_menu import OrderMenu

        if not await self.customer_for_orders():
            return
        kind = await self.app.push_screen_wait(OrderMenu(self.identity.customer.name,
                                                         self.kinds_allowed()))
        if kind is not None:
            await self.run_order(kind)
        self._set_mode("scan")

    def kinds_allowed(self) -> set[str]:
        """The order kinds this person's roles allow (the services check the same table)."""
        from hallterm.permissions import allowed

        roles = self.hctx.actor.roles if self.hctx.actor is not None else frozenset()
        return {kind for kind, permission in KIND_PERMISSIONS.items()
                if allowed(roles, permission)}

    @work(exclusive=True, group="sales-dialog")
    async def action_order(self, kind: str) -> None:
        if await self.customer_for_orders():
            await self.run_order(kind)
        self._set_mode("scan")

    async def customer_for_orders(self) -> bool:
        """Orders need the customer's identity: asked first when nobody is identified."""
        if self.counter is None:
            self._say(_("This terminal serves no counter: start it with HALLTERM_COUNTER=N."),
                      error=True)
            return False
        if self.identity is None:
            await self.ask_identity(_("Orders need the customer's identity first (实名登记)."))
        return self.identity is not None

    async def run_order(self, kind: str) -> None:
        try:
            offer = await self.call_async(counter_offer, self.hctx, counter=self.counter,
                                          customer_id=self.known.id if self.known else None)
        except HallTermError as exc:
            self._say(str(exc), error=True)
            return
        self.plan_names = {p.sku: p.name(get_language()) for p in offer.plans}
        flows = {"new_line": self.new_line, "plan_change": self.plan_change,
                 "sim_replace": self.sim_replace, "cancel": self.cancel_line,
                 "port_out": self.port_out, "pay": self.pay_open, "withdraw": self.withdraw}
        await flows[kind](offer)

    def visit_for_orders(self) -> int | None:
        """The ticket's visit; without a ticket, the walk-up visit of this customer's first
        order (so the visit's orders stay together)."""
        return self._visit() or self.order_visit

    async def ask(self, title: str, fields: list, *, check=None, intro: str = "",
                  groups=None) -> tuple[Values | None, object]:
        form = EntryForm(title, fields, check=check, intro=intro, groups=groups)
        values = await self.app.push_screen_wait(form)
        return values, form.outcome

    def who(self) -> str:
        c = self.identity.customer
        return f"{c.name} {customers.mask_id(c.number)}"

    def parties(self) -> dict:
        i = self.identity
        return {"holder": i.customer, "agent": i.agent, "guardian": i.guardian}

    # -- a new line -------------------------------------------------------------------------
    async def new_line(self, offer: Offer) -> None:
        if not offer.plans:
            self._say(_("No plan is offered in the catalog."), error=True)
            return
        if not offer.numbers:
            self._say(_("The number pool has no free number."), error=True)
            return
        numbers = ((_("The next free number ({number})").format(number=offer.numbers[0]), ""),
                   *((n, n) for n in offer.numbers))
        ctx, counter, visit = self.hctx, self.counter, self.visit_for_orders()

        def write(values: Values) -> orders.OrderDone:
            return orders.new_line(ctx, counter=counter, iccid=values["iccid"],
                                   plan=values["plan"], number=values["number"] or None,
                                   paperwork=paperwork_of(values), visit_id=visit,
                                   **self.parties())

        sims = ", ".join(list(offer.sims)[:3]) or _("none")
        _values, done = await self.ask(
            _("New line for {who}").format(who=self.who()),
            [Choice("number", N_("Number"), numbers),
             Typed("iccid", N_("SIM card ICCID (scan)"), max_length=32),
             Choice("plan", N_("Plan"), tuple((plan_label(p), p.sku) for p in offer.plans)),
             *paper_flags("new_line")],
            check=write, intro=_("SIMs at this counter: {sims}").format(sims=sims))
        if done is None:
            return
        self.order_done(done)
        due = offer.sims.get(done.iccid or "", 0) + next(
            (p.price_fen for p in offer.plans if p.sku == done.plan_sku), 0)
        await self.take_payment(done.order_no, due)

    async def take_payment(self, order_no: str, due: int) -> None:
        """The first payment of an open order, then the receipt."""
        ctx = self.hctx
        done = await self.ask_payment(
            _("First payment of {order}: {due} due").format(order=order_no, due=format_fen(due)),
            due, lambda payments: orders.pay(ctx, order_no=order_no, payments=payments))
        if done is None:
            self._say(_("Order {order} is open: its first payment is due (Ctrl+W, A pays; W "
                        "withdraws).").format(order=order_no), error=True)
            self.reload_orders()
            return
        self.order_done(done)
        self.print_order_receipt(done)

    async def ask_payment(self, title: str, due: int,
                          write: Callable[[list[sales.PaymentIn]], orders.OrderDone]
                          ) -> orders.OrderDone | None:
        """Cash (唱收唱付) or card/QR for ``due``; ``write`` records it (the form's check)."""
        methods = tuple((sales.method_label(m), m) for m in sales.METHODS)
        _values, done = await self.ask(
            title,
            [Choice("method", N_("Paid by"), methods, sales.CASH),
             Typed("tendered", N_("Amount tendered"), format_fen(due, symbol=False),
                  group="cash"),
             Typed("reference", N_("Terminal reference number"), group="other")],
            check=lambda values: write(payments_of(values, due)),
            groups=lambda v: {"cash" if v["method"] == sales.CASH else "other"})
        return done

    def print_order_receipt(self, done: orders.OrderDone) -> None:
        """The order's receipt (its sale), with 唱收唱付 for cash; a printer problem undoes
        nothing."""
        lang, language = get_language(), self.receipt_language

        def shown(printed) -> None:
            where = _("Receipt {number} printed: {where}").format(
                number=done.receipt_no, where=printed.where)
            self.announce_paid(done, lang, where)
            self.receipt_printed()

        def not_printed(exc: HallTermError) -> None:
            self.announce_paid(done, lang, _("Receipt {number}: not printed ({error}); "
                                             "reprint with Ctrl+S").format(
                number=done.receipt_no, error=str(exc)))

        self.call(sales.receipts.print_receipt, self.hctx, receipt_no=done.receipt_no,
                  printer=self._printer(), language=language, on_success=shown,
                  on_error=not_printed)

    def announce_paid(self, done: orders.OrderDone, lang: str, where: str) -> None:
        banner = self.query_one(ChangeBanner)
        if done.tendered_fen:
            banner.announce(sales.receipts.received_change(done.tendered_fen, done.change_fen,
                                                           lang), done.change_fen, where)
        else:
            banner.announce(_("Paid {total}").format(total=format_fen(done.total_fen)), None,
                            where)
        self.last_receipt = done.receipt_no
        self._reload_custody()

    # -- open orders: pay or withdraw ----------------------------------------------------
    async def open_order(self, title: str) -> str | None:
        """Pick one of this counter's open orders (new lines waiting for their payment)."""
        try:
            found = await self.call_async(orders.list_orders, self.hctx, counter=self.counter,
                                          state="open")
        except HallTermError as exc:
            self._say(str(exc), error=True)
            return None
        if not found:
            self._say(_("No open order at this counter."), error=True)
            return None
        values, _ok = await self.ask(title, [Choice("order", N_("Order"), tuple(
            (f"{o.order_no}  {orders.kind_label(o.kind)}  {o.number}", o.order_no)
            for o in found))])
        return None if values is None else values["order"]

    async def pay_open(self, offer: Offer) -> None:
        order_no = await self.open_order(_("Take the first payment of an open order"))
        if order_no is None:
            return
        try:
            o = await self.call_async(orders.get_order, self.hctx, order_no=order_no)
        except HallTermError as exc:
            self._say(str(exc), error=True)
            return
        due = offer.sims.get(o.iccid or "", 0) + next(
            (p.price_fen for p in offer.plans if p.sku == o.plan_sku), 0)
        await self.take_payment(order_no, due)

    async def withdraw(self, offer: Offer) -> None:
        order_no = await self.open_order(_("Withdraw an open order"))
        if order_no is None:
            return
        ctx = self.hctx
        _values, done = await self.ask(
            _("Withdraw {order}: its number goes back to the pool").format(order=order_no),
            [Typed("reason", N_("Reason"), max_length=200)],
            check=lambda v: orders.withdraw(ctx, order_no=order_no, reason=v["reason"]))
        if done is not None:
            self.order_done(done, _("Order {order} withdrawn.").format(order=order_no))

    # -- after every order -----------------------------------------------------------------
    def order_done(self, done: orders.OrderDone, said: str | None = None) -> None:
        if self._visit() is None:
            self.order_visit = done.visit_id
        text = said or _("{kind} {order}: {state}.").format(
            kind=orders.kind_label(done.kind), order=done.order_no,
            state=orders.state_label(done.state))
        if done.replaced_plan and done.replaced_on:
            text += " " + _("Replaces the pending change to {plan} on {date}.").format(
                plan=self.plan_names.get(done.replaced_plan, done.replaced_plan),
                date=done.replaced_on.isoformat())
        if done.effective:
            text += " " + _("The customer is told: {when}.").format(when=done.effective)
        if done.missing:
            text += " " + _("Paperwork missing: {what}.").format(
                what=orders.missing_labels(done.missing))
        self._say(text)
        self.reload_orders()

    def reload_orders(self) -> None:
        """The visit's orders (and the customer's lines) again."""
        visit = self.visit_for_orders()
        if visit is None:
            self.visit_panel.show_orders([])
            return
        plans = dict(self.plan_names)

        def shown(found: list[orders.OrderView]) -> None:
            self.visit_panel.show_orders([order_row(o, plans) for o in found])

        self.call(orders.list_orders, self.hctx, visit_id=visit, on_success=shown)
        if self.identity is not None and self.known is None:
            self.call(customers.find, self.hctx, number=self.identity.customer.number,
                      on_success=self._found_customer, on_error=lambda _exc: None)
        else:
            self.customer_found()

    def _found_customer(self, found: list[customers.CustomerView]) -> None:
        if found and self.known is None:
            self.known = found[0]
            self.show_customer()
            self.customer_found()

    def on_counter_panel_changed(self) -> None:
        """Another ticket at the counter: another visit, another customer."""
        if self._visit() is not None and self._visit() != self.customer_visit:
            self.order_visit = None
            self.forget_customer()
            self.reload_orders()
