"""The Sales screen's actions that ask first or finish a sale: quantity, search, override,
card/QR, completing (with the receipt), void/refund, reprint.

A mixin of ``SalesScreen`` (kept apart so each module stays small). Each action
asks with a small form (``FormDialog``) and, where a rule wants the duty
manager, with the shell's approval dialog; then calls one service function.
"""

from __future__ import annotations

import uuid

from textual import work

from hallterm.errors import BadInput, HallTermError
from hallterm.i18n import N_, _, get_language
from hallterm.money import format_fen, parse_fen
from hallterm.parsing import parse_refund_lines
from hallterm.services import sales
from screens.widgets.cart import ChangeBanner


class SalesDialogs:
    """Actions of the Sales screen that ask something first."""

    async def _ask(self, title: str, fields: list, check=None) -> dict | None:
        """A form; with ``check`` it stays open, the wrong field marked, until it passes."""
        from screens.widgets.form_dialog import FormDialog

        return await self.app.push_screen_wait(FormDialog(title, fields, check=check))

    async def _approve(self, action: str, description: str):
        from screens.widgets.approval import ApprovalDialog

        return await self.app.push_screen_wait(ApprovalDialog(action, description))

    # -- quantity ----------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_quantity(self) -> None:
        from screens.widgets.form_dialog import Field

        picked = self._selected()
        if picked is None:
            return
        i, line = picked
        answer = await self._ask(_("Quantity of {name}").format(name=line.name(get_language())),
                                 [Field("qty", N_("Quantity"), str(line.quantity))])
        if answer is None:
            return
        try:
            qty = int(answer["qty"])
            new = sales.with_quantity(line, qty)
        except (ValueError, BadInput) as exc:
            self._say(str(exc) if isinstance(exc, BadInput) else
                      _("A quantity is a whole number."), error=True)
            return
        lines = list(self.cart.lines)
        lines[i] = new
        try:  # against the counter's custody now, not only at payment
            await self.call_async(sales.check_cart, self.hctx, counter=self.counter, lines=lines)
        except HallTermError as exc:
            self._say(str(exc), error=True)
            self._set_mode("scan")
            return
        self._redraw(lines, selected=i)
        self._set_mode("scan")

    # -- search by name ----------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_find(self) -> None:
        from screens.widgets.form_dialog import Field

        answer = await self._ask(_("Find an item by name (中文 or English)"),
                                 [Field("text", N_("Name"))])
        if answer is None:
            self._set_mode("scan")
            return
        self.call(sales.scan, self.hctx, counter=self.counter, code=answer["text"],
                  in_cart=self._in_cart(), on_success=self._scanned)

    # -- price override / discount -----------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_override(self) -> None:
        from screens.widgets.form_dialog import Field

        picked = self._selected()
        if picked is None:
            return
        i, line = picked

        def check(values: dict) -> None:  # before the duty manager is asked
            price, discount = _override_amounts(values)
            sales.check_override(line, unit_price_fen=price, discount_fen=discount,
                                 reason=values["reason"])

        answer = await self._ask(
            _("Price or discount for {name} (catalog {price})").format(
                name=line.name(get_language()), price=format_fen(line.list_price_fen)),
            [Field("price", N_("New unit price (empty: keep)"), required=False),
             Field("discount", N_("Discount on the line (empty: none)"), required=False),
             Field("reason", N_("Reason"))], check=check)
        if answer is None:
            self._set_mode("scan")
            return
        price, discount = _override_amounts(answer)
        approver = await self._approve("sale.price_override", _(
            "{name}: {old} to {new}, discount {discount} ({reason})").format(
            name=line.name(get_language()), old=format_fen(line.list_price_fen),
            new=format_fen(line.list_price_fen if price is None else price),
            discount=format_fen(discount), reason=answer["reason"]))
        if approver is None:
            self._set_mode("scan")
            return
        try:
            new = sales.with_override(line, unit_price_fen=price, discount_fen=discount,
                                      approver=approver, reason=answer["reason"])
        except BadInput as exc:
            self._say(str(exc), error=True)
            return
        lines = list(self.cart.lines)
        lines[i] = new
        self._redraw(lines, selected=i)
        self._say(_("Price changed, approved by {empno}").format(empno=approver.empno))
        self._set_mode("scan")

    # -- card / WeChat / Alipay (split payment) ----------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_other_payment(self) -> None:
        from screens.widgets.form_dialog import Field

        if not self.cart.lines:
            self._say(_("The cart is empty."), error=True)
            return
        total = sales.cart_total(self.cart.lines)
        due = total - sum(p.amount_fen for p in self.cart.payments)
        answer = await self._ask(_("Card or QR payment (due {due})").format(due=format_fen(due)),
                                 [Field("method", N_("Method: card, wechat or alipay"), "card"),
                                  Field("amount", N_("Amount"), format_fen(due, symbol=False)),
                                  Field("reference", N_("Terminal reference number"))],
                                 check=lambda values: _card_payment(values, due))
        if answer is None:
            self._set_mode("scan")
            return
        try:
            payment = _card_payment(answer, due)
        except BadInput as exc:
            self._say(str(exc), error=True)
            return
        # Real money on another device: recorded now, with the cart (services.sales.carts).
        self._take(payment, due)

    # -- voids and refunds -------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_reverse(self) -> None:
        from screens.widgets.form_dialog import Field

        ctx, counter = self.hctx, self.counter

        def check(values: dict) -> None:  # the whole request, before the duty manager is asked
            kind, receipt, lines = _reversal_request(values)
            if kind == "void":
                sales.reversals.check_void(ctx, receipt_no=receipt, reason=values["reason"],
                                     counter=counter)
            else:
                sales.reversals.check_refund(ctx, receipt_no=receipt, lines=lines,
                                       reason=values["reason"], counter=counter)

        answer = await self._ask(_("Void or refund"), [
            Field("receipt", N_("Receipt number"), self.last_receipt or ""),
            Field("kind", N_("void (whole sale of today) or refund"), "void"),
            Field("lines", N_("Refund lines: all, or line:qty like 1:1 3:2"), "all",
                  required=False),
            Field("reason", N_("Reason"))], check=check)
        if answer is None:
            self._set_mode("scan")
            return
        kind, receipt, lines = _reversal_request(answer)
        what = (_("Void receipt {number}") if kind == "void" else
                _("Refund receipt {number}")).format(number=receipt)
        approver = await self._approve(f"sale.{kind}", f"{what}: {answer['reason']}")
        if approver is None:
            self._set_mode("scan")
            return

        def done(r: sales.reversals.Reversal) -> None:
            money = ", ".join(f"{sales.method_label(m)} {format_fen(a)}"
                              for m, a in r.by_method.items())
            self.query_one("#sales-banner").announce(
                _("{number}: {amount} back to the customer ({money})").format(
                    number=r.number, amount=format_fen(r.amount_fen), money=money or "-"),
                None, _("Approved by {empno}; receipt {receipt}").format(
                    empno=r.approver, receipt=r.receipt_no))
            self._say()
            self._reload_custody()
            self._set_mode("scan")

        if kind == "void":
            self.call(sales.reversals.void_sale, self.hctx, receipt_no=receipt, reason=answer["reason"],
                      approver=approver, counter=self.counter, on_success=done)
        else:
            self.call(sales.reversals.refund_sale, self.hctx, receipt_no=receipt, lines=lines,
                      reason=answer["reason"], approver=approver, counter=self.counter,
                      on_success=done)

    # -- completing --------------------------------------------------------------------
    @work(exclusive=True, group="sales-complete")
    async def _complete(self, payments: list[sales.PaymentIn]) -> None:
        if self._busy:
            return
        witness = None
        if any(x.kind == "valuable_card" for x in self.cart.lines):
            from screens.widgets.approval import ApprovalDialog

            witness = await self.app.push_screen_wait(ApprovalDialog(
                "stock.valuable_card", _("Valuable cards are sold with a second person's PIN "
                                         "(双人复核).")))
            if witness is None:
                return
        self._busy = True
        lines, counter = list(self.cart.lines), self.counter
        visit = self._visit()
        ctx, printer = self.hctx, self._printer()
        command_id = uuid.uuid4().hex
        language = self.receipt_language

        def done(result) -> None:
            self._busy = False
            sale, printed, print_error = result
            self.last_receipt = sale.receipt_no
            self.cart_id = uuid.uuid4().hex
            self.receipt_printed()
            self._sold()
            self.cart.show([], [], 0)
            lang = get_language()
            where = (_("Receipt {number} printed: {where}").format(
                number=sale.receipt_no, where=printed.where) if printed else
                _("Receipt {number}: not printed ({error}); reprint with Ctrl+S").format(
                    number=sale.receipt_no, error=print_error))
            if sale.tendered_fen:
                self.query_one(ChangeBanner).announce(
                    sales.receipts.received_change(sale.tendered_fen, sale.change_fen, lang),
                    sale.change_fen, where)
            else:
                self.query_one(ChangeBanner).announce(
                    _("Paid {total}").format(total=format_fen(sale.total_fen)), None, where)
            self._say()
            self._set_mode("scan")
            self._reload_custody()

        def failed(exc: HallTermError) -> None:
            self._busy = False
            self._say(str(exc), error=True)
            self._set_mode("scan")

        self.call(_sell_and_print, ctx, counter=counter, visit_id=visit, lines=lines,
                  payments=payments, command_id=command_id, cart_id=self.cart_id,
                  witness=witness, printer=printer, language=language, on_success=done,
                  on_error=failed)

    def _visit(self) -> int | None:
        from screens.widgets.counter_panel import CounterPanel

        panels = self.query(CounterPanel)
        return panels.first().current_visit if panels else None

    def _printer(self):
        settings = self.shell.settings
        return sales.printer_from_settings(settings) if settings is not None else sales.Printer()

    def _reload_custody(self) -> None:
        from screens.widgets.custody import CustodyView

        for view in self.query(CustodyView):
            view.reload()

    # -- reprint -----------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_reprint(self) -> None:
        from screens.widgets.form_dialog import Field

        answer = await self._ask(_("Reprint a receipt (重打)"),
                                 [Field("receipt", N_("Receipt number"), self.last_receipt or "")])
        if answer is None:
            self._set_mode("scan")
            return

        def done(printed) -> None:
            self._say(_("Copy {n} of {number} printed: {where}").format(
                n=printed.copy, number=printed.receipt_no, where=printed.where))
            self.receipt_printed()
            self._set_mode("scan")

        def failed(exc: HallTermError) -> None:
            self._say(str(exc), error=True)

        self.call(sales.receipts.print_receipt, self.hctx, receipt_no=answer["receipt"].strip().upper(),
                  printer=self._printer(), reprint=True, language=self.receipt_language,
                  on_success=done, on_error=failed)


def _sell_and_print(ctx, *, printer, language=None, **sale):
    """Complete the sale, then print its receipt in the customer's language (the hall's
    unless they asked); a printer problem never undoes a sale."""
    done = sales.complete_sale(ctx, **sale)
    try:
        printed = sales.receipts.print_receipt(ctx, receipt_no=done.receipt_no, printer=printer,
                                language=language)
    except HallTermError as exc:
        return done, None, str(exc)
    return done, printed, None


def _override_amounts(values: dict) -> tuple[int | None, int]:
    """The new unit price (None: keep) and the discount typed in the override form."""
    out = []
    for name in ("price", "discount"):
        try:
            out.append(parse_fen(values[name]) if values[name] else None)
        except BadInput as exc:
            raise BadInput(str(exc), field=name) from None
    return out[0], out[1] or 0


def _reversal_request(values: dict) -> tuple[str, str, list[sales.reversals.RefundLine] | None]:
    """(kind, receipt, lines) of the void/refund form, or ``BadInput`` naming the field."""
    kind = values["kind"].strip().lower()
    if kind not in ("void", "refund"):
        raise BadInput(_("Type void or refund."), field="kind")
    try:
        lines = _refund_lines(values.get("lines") or "all")
    except BadInput as exc:
        raise BadInput(str(exc), field="lines") from None
    return kind, values["receipt"].strip().upper(), lines


def _refund_lines(text: str) -> list[sales.reversals.RefundLine] | None:
    """``all`` (None) or ``line:qty`` pairs like ``1:1 3:2`` (``hallterm.parsing``)."""
    lines = parse_refund_lines(text)
    return None if lines is None else [sales.reversals.RefundLine(n, q) for n, q in lines]


def _card_payment(values: dict, due: int) -> sales.PaymentIn:
    """The card/QR payment the form asks for; a ``BadInput`` names the wrong field."""
    method = values["method"].strip().lower()
    if method not in sales.METHODS:
        raise BadInput(_("Unknown payment method {method}.").format(method=method),
                       field="method")
    try:
        amount = parse_fen(values["amount"], allow_zero=False)
    except BadInput as exc:
        raise BadInput(str(exc), field="amount") from None
    if amount > due:
        raise BadInput(_("{amount} is more than the {due} due.").format(
            amount=format_fen(amount), due=format_fen(due)), field="amount")
    payment = sales.PaymentIn(method, amount, reference=values["reference"])
    try:
        sales.settle(amount, [payment])  # checks the reference
    except BadInput as exc:
        raise BadInput(str(exc), field="reference") from None
    return payment
