"""The Sales screen keeps its cart: taken card/QR money is in the store, the cart survives F1.

A mixin of ``SalesScreen``. A card/WeChat/Alipay payment is written the moment it
is entered (``services.sales.carts.take_payment``) with the cart's lines; later line
changes are kept too. Opening the screen finds the cart again: the one left by
F1 (kept in the app's memory, also without payments) or, after a restart or a
crash, the one the store holds for this counter. Clearing a cart asks first; a
cart with taken money is never cleared: the clerk completes the sale or gives the
money back to the card/QR (Ctrl+B, the duty manager approves).
"""

from __future__ import annotations

import uuid

from textual import work

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _, ngettext
from hallterm.money import format_fen
from hallterm.services import sales


class CartKeeping:
    """Taken payments, the kept cart, clearing and giving money back."""

    taken: tuple[sales.carts.Taken, ...] = ()

    # -- finding the cart again ---------------------------------------------------------
    def _restore_cart(self) -> None:
        """A new Sales screen: find an unfinished sale of this counter (after a restart,
        or left by the person before); F1 and back keeps the screen itself."""
        actor = self.hctx.actor if self.hctx is not None else None
        if self.counter is not None and actor is not None:
            self.call(sales.carts.open_carts, self.hctx, counter=self.counter,
                      on_success=self._found_open_carts)

    def _found_open_carts(self, found: list[sales.carts.OpenCart]) -> None:
        if not found or self.cart.lines:
            return
        cart = found[0]
        self.cart_id = cart.id
        self._show_kept(cart)
        more = len(found) - 1
        text = _("Unfinished sale by {empno} found: {money} taken. Complete it (Ctrl+T cash, "
                 "Ctrl+Y card/QR) or give the money back (Ctrl+B).").format(
            empno=cart.clerk, money=_money(cart.taken))
        if more:
            text += " " + _("{n} more unfinished sales wait at this counter.").format(n=more)
        self._say(text, error=True)

    def _show_kept(self, cart: sales.carts.OpenCart) -> None:
        self.taken = cart.taken
        lines = self.cart.lines or list(cart.lines)
        self.cart.show(lines, [t.as_payment() for t in self.taken])

    # -- what the shell asks before sign-out or quit ---------------------------------------
    def leave_problem(self) -> str | None:
        """Why this person cannot sign out or quit now (money taken for an unwritten sale)."""
        if not self.taken:
            return None
        return _("{money} was taken for the sale on the cart: complete the sale, or give the "
                 "money back with Ctrl+B (the duty manager approves), before you leave.").format(
            money=_money(self.taken))

    def leave_question(self) -> str | None:
        """What leaving would throw away (asked first), or None."""
        if not self.cart.lines:
            return None
        return ngettext("The cart ({n} line, {total}) will be emptied.",
                        "The cart ({n} lines, {total}) will be emptied.",
                        len(self.cart.lines)).format(
            n=len(self.cart.lines), total=format_fen(sales.cart_total(self.cart.lines)))

    # -- taking a card/QR payment ---------------------------------------------------------
    def _take(self, payment: sales.PaymentIn, due: int) -> None:
        """Write the payment with the cart; complete the sale when it pays all that is due."""
        lines = list(self.cart.lines)

        def taken(cart: sales.carts.OpenCart) -> None:
            self.taken = cart.taken
            payments = [t.as_payment() for t in self.taken]
            self.cart.show(self.cart.lines, payments)
            if payment.amount_fen == due:
                self._complete(payments)
            else:
                self._say(_("{method} {amount} taken and recorded; {rest} still due (Ctrl+T "
                            "cash, Ctrl+Y another).").format(
                    method=sales.method_label(payment.method),
                    amount=format_fen(payment.amount_fen),
                    rest=format_fen(due - payment.amount_fen)))
                self._set_mode("scan")

        def refused(exc: HallTermError) -> None:
            self._say(str(exc), error=True)
            self._set_mode("scan")

        self.call(sales.carts.take_payment, self.hctx, cart_id=self.cart_id, counter=self.counter,
                  visit_id=self._visit(), lines=lines, method=payment.method,
                  amount_fen=payment.amount_fen, reference=payment.reference or "",
                  command_id=uuid.uuid4().hex, on_success=taken, on_error=refused)

    def _keep_lines(self) -> None:
        """The lines changed: a cart holding taken money keeps them in the store."""
        if self.taken:
            self.call(sales.carts.save_lines, self.hctx, cart_id=self.cart_id,
                      lines=list(self.cart.lines), visit_id=self._visit())

    def _sold(self) -> None:
        self.taken = ()

    # -- clearing ------------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_clear_cart(self) -> None:
        from screens.widgets.confirm import ConfirmDialog

        if not self.cart.lines and not self.taken:
            self._say(_("The cart is empty."))
            self._set_mode("scan")
            return
        if self.taken:
            yes = await self.app.push_screen_wait(ConfirmDialog(
                _("Money was taken for this cart"),
                _("{money} was taken and is recorded. The cart is cleared only when the money "
                  "is given back to the card/QR. Give it back now (the duty manager approves)? "
                  "N keeps the cart: complete the sale instead.").format(
                    money=_money(self.taken))))
            if not yes or not await self._give_back():
                self._set_mode("scan")
                return
        else:
            yes = await self.app.push_screen_wait(ConfirmDialog(
                _("Clear the cart?"), self.leave_question() or ""))
            if not yes:
                self._say(_("The cart is kept."))
                self._set_mode("scan")
                return
        self._empty_cart()
        self._say(_("Cart cleared."))
        self._set_mode("scan")

    def _empty_cart(self) -> None:
        had_serials = any(x.serial for x in self.cart.lines)
        old = self.cart_id
        self.cart.show([], [], 0)
        self.taken = ()
        self.cart_id = uuid.uuid4().hex
        if had_serials:
            self.call(sales.release_holds, self.hctx, cart_id=old)

    # -- giving taken money back ----------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_refund_taken(self) -> None:
        if not self.taken:
            self._say(_("No card or QR payment was taken on this cart."), error=True)
            return
        if await self._give_back() and not self.taken:
            self._say(_("All taken money was given back; the cart stays until you clear it "
                        "(Ctrl+L) or the customer pays again."))
        self._set_mode("scan")

    async def _give_back(self) -> bool:
        """Ask for each taken payment's refund reference, one approval, then record them.
        True when every taken payment was given back."""
        from screens.widgets.form_dialog import Field

        approver = None
        ctx, cart_id = self.hctx, self.cart_id
        for payment in list(self.taken):
            def check(values: dict, payment=payment) -> None:  # before a PIN is asked
                sales.carts.check_refund_taken(ctx, cart_id=cart_id, payment_id=payment.id,
                                         refund_reference=values["reference"],
                                         reason=values["reason"])

            answer = await self._ask(
                _("Give back {money} to the card/QR").format(money=payment.label()),
                [Field("reference", N_("Refund reference from the terminal")),
                 Field("reason", N_("Reason"))], check=check)
            if answer is None:
                return False
            if approver is None:
                approver = await self._approve("sale.refund", _(
                    "Give back {money} (refund {reference}): {reason}").format(
                    money=payment.label(), reference=answer["reference"],
                    reason=answer["reason"]))
                if approver is None:
                    return False
            try:
                cart = await self._run(sales.carts.refund_taken, self.hctx, cart_id=self.cart_id,
                                       payment_id=payment.id,
                                       refund_reference=answer["reference"],
                                       reason=answer["reason"], approver=approver,
                                       command_id=uuid.uuid4().hex)
            except HallTermError as exc:
                self._say(str(exc), error=True)
                return False
            self.taken = cart.taken
            self.cart.show(self.cart.lines, [t.as_payment() for t in self.taken])
            self._say(_("{money} given back (refund {reference}), approved by {empno}.").format(
                money=payment.label(), reference=answer["reference"].strip(),
                empno=approver.empno))
        return not self.taken

    async def _run(self, fn, /, *args, **kwargs):
        """A service call awaited from a dialog worker (off the UI thread)."""
        import asyncio
        import functools

        return await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(fn, *args, **kwargs))


def _money(taken) -> str:
    return ", ".join(t.label() for t in taken)
