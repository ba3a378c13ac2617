"""The Sales screen's orders on a line in service: plan change, SIM swap, cancellation, port-out.

A mixin of ``SalesScreen`` (with ``OrderDesk``). The customer's lines are offered
by their masked number and plan. A plan change says when it takes effect (the next
billing month unless the plan starts at once). A SIM swap takes the new SIM from
this counter's custody and its price through the payment form. A cancellation
records the retention offer and its outcome before anything else (维系挽留) and
asks once more before the line goes. A port-out enquiry (携号转网) is never blocked
or delayed: an offer is asked only if the customer agrees to hear one, and the
outcome is recorded whatever it is.
"""

from __future__ import annotations

from textual.binding import Binding

from hallterm.errors import BadInput
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services import customers, orders, stock
from screens.posts.sales_customer import CUSTOMER_ACTIONS, CustomerDesk
from screens.posts.sales_orders import (
    ORDER_ACTIONS,
    Offer,
    OrderDesk,
    paper_flags,
    paperwork_of,
    plan_label,
)
from screens.widgets.entry_form import Choice, Typed, Values


class LineOrders:
    """Orders on one of the customer's lines."""

    def line_choice(self, offer: Offer) -> Choice | None:
        """The customer's lines to choose from (None, said, when they hold none)."""
        if not offer.lines:
            self._say(_("{who} holds no line with us.").format(who=self.who()), error=True)
            return None
        return Choice("number", N_("Line"), tuple(
            (f"{customers.mask_phone(x.number)}  {self.line_plans(x.now)}", x.number)
            for x in offer.lines))

    def line_plans(self, now: orders.LineNow) -> str:
        """A line's plan, and the change still pending (``59 元套餐 → 129 元套餐 12-01``)."""
        name = self.plan_names.get(now.plan_sku or "", now.plan_sku or "-")
        if now.next_plan_sku is None or now.next_plan_on is None:
            return name
        return _("{plan}, changing to {next} on {date}").format(
            plan=name, next=self.plan_names.get(now.next_plan_sku, now.next_plan_sku),
            date=now.next_plan_on.isoformat())

    def order_args(self, values: Values) -> dict:
        return {"counter": self.counter, "number": values["number"],
                "paperwork": paperwork_of(values), "visit_id": self.visit_for_orders(),
                **self.parties()}

    # -- plan change --------------------------------------------------------------------
    async def plan_change(self, offer: Offer) -> None:
        line = self.line_choice(offer)
        if line is None:
            return
        ctx = self.hctx

        def write(values: Values) -> orders.OrderDone:
            return orders.plan_change(ctx, plan=values["plan"], **self.order_args(values))

        now = offer.lines[0].now  # the default: a plan neither in effect nor pending
        other = next((p.sku for p in offer.plans if p.sku not in (
            now.plan_sku, now.next_plan_sku)), None)
        _values, done = await self.ask(
            _("Plan change for {who}").format(who=self.who()),
            [line, Choice("plan", N_("New plan"), tuple(
                (plan_label(p), p.sku) for p in offer.plans), other),
             *paper_flags("plan_change")],
            check=write, intro=_("A plan change takes effect the next billing month unless "
                                 "the plan starts at once; the customer is told when. A "
                                 "change still pending is replaced by the new one."))
        if done is not None:
            self.order_done(done)

    # -- SIM replacement ---------------------------------------------------------------------
    async def sim_replace(self, offer: Offer) -> None:
        line = self.line_choice(offer)
        if line is None:
            return

        def in_custody(values: Values) -> None:
            iccid = stock.clean_serial(values["iccid"])
            if iccid not in offer.sims:
                raise BadInput(_("SIM {iccid} is not in this counter's custody.").format(
                    iccid=iccid), field="iccid")

        values, _ok = await self.ask(
            _("SIM replacement for {who}").format(who=self.who()),
            [line, Typed("iccid", N_("New SIM card ICCID (scan)"), max_length=32),
             *paper_flags("sim_replace")],
            check=in_custody, intro=_("The holder, or an agent (代办) with both identities. "
                                      "The old SIM is retired."))
        if values is None:
            return
        iccid = stock.clean_serial(values["iccid"])
        ctx, args = self.hctx, self.order_args(values)
        done = await self.ask_payment(
            _("SIM replacement: {due} due").format(due=format_fen(offer.sims[iccid])),
            offer.sims[iccid],
            lambda payments: orders.sim_replace(ctx, iccid=iccid, payments=payments, **args))
        if done is not None:
            self.order_done(done)
            self.print_order_receipt(done)

    # -- cancellation -----------------------------------------------------------------------
    async def cancel_line(self, offer: Offer) -> None:
        from screens.widgets.confirm import ConfirmDialog

        line = self.line_choice(offer)
        if line is None:
            return

        def attempt(values: Values) -> orders.Retention:
            return orders.check_retention(orders.Retention(
                values["outcome"], True, values["offer"], values.get("reason") or None),
                port_out=False)

        values, _ok = await self.ask(
            _("Cancellation for {who}: the retention offer first").format(who=self.who()),
            [line, Typed("offer", N_("Retention offer made (维系挽留)"), max_length=200),
             Choice("outcome", N_("Outcome"), (
                 (_("The customer stays: keep the line"), "stayed"),
                 (_("The customer goes ahead: cancel the line"), "left"))),
             Typed("reason", N_("The customer's reason (optional)"), required=False,
                  max_length=200), *paper_flags("cancel")],
            check=attempt, intro=_("Make the retention offer first and record it with the "
                                   "outcome; the line is cancelled only if the customer goes "
                                   "ahead."))
        if values is None:
            return
        retention = attempt(values)
        if retention.outcome == "left" and not await self.app.push_screen_wait(ConfirmDialog(
                _("Cancel line {number}?").format(number=customers.mask_phone(values["number"])),
                _("The number goes back to the pool and the SIM is retired. Y cancels the "
                  "line; N keeps it (nothing is recorded)."))):
            return
        self.call(orders.cancel_line, self.hctx, retention=retention, **self.order_args(values),
                  on_success=self.order_done, on_error=self.order_refused)

    def order_refused(self, exc) -> None:
        self._say(str(exc), error=True)

    # -- port-out enquiry -------------------------------------------------------------------
    async def port_out(self, offer: Offer) -> None:
        line = self.line_choice(offer)
        if line is None:
            return
        ctx = self.hctx

        def write(values: Values) -> orders.OrderDone:
            retention = orders.Retention(values["outcome"], values["heard"] == "yes",
                                         values.get("offer") or None,
                                         values.get("reason") or None)
            return orders.port_out(ctx, retention=retention, **self.order_args(values))

        _values, done = await self.ask(
            _("Port-out enquiry (携号转网) for {who}").format(who=self.who()),
            [line, Choice("heard", N_("Does the customer want to hear an offer?"), (
                (_("No: make no offer"), "no"), (_("Yes, the customer agrees to hear one"), "yes"))),
             Typed("offer", N_("The offer made"), max_length=200, group="offer"),
             Choice("outcome", N_("Outcome"), (
                 (_("The customer goes ahead with the port-out"), "left"),
                 (_("The customer stays"), "stayed"))),
             Typed("reason", N_("The customer's reason (optional)"), required=False,
                  max_length=200), *paper_flags("port_out")],
            check=write, groups=lambda v: {"offer"} if v.get("heard") == "yes" else set(),
            intro=_("Porting out is the customer's right: it is never blocked or delayed. "
                    "Ask first; make an offer only if they agree to hear it."))
        if done is not None:
            self.order_done(done)


class OrderWork(LineOrders, OrderDesk, CustomerDesk):
    """Everything the Sales screen does for orders: the customer, the menu, each kind."""

    @property
    def active_bindings(self):
        """The screen's keys in the footer in the order declared (the till's first): a
        focused input's own bindings of the same keys would put theirs first."""
        found = super().active_bindings
        rank = {b.key: i for i, b in enumerate(type(self).BINDINGS)
                if isinstance(b, Binding)}
        mine = sorted((k for k, a in found.items() if a.node is self), key=lambda k: rank.get(
            k, len(rank)))
        return {**{k: found[k] for k in mine}, **found}

    def desk_allows(self, action: str, parameters: tuple[object, ...]) -> bool:
        """An order or reveal key only for a person whose roles allow it (footer, palette)."""
        from hallterm.permissions import allowed

        name = f"{action}({parameters[0]!r})" if parameters else action
        need = next((a.permission for a in DESK_ACTIONS if a.action == name), None)
        actor = self.hctx.actor if self.hctx is not None else None
        return need is None or (actor is not None and allowed(actor.roles, need))


DESK_ACTIONS = (CUSTOMER_ACTIONS[0], *ORDER_ACTIONS, CUSTOMER_ACTIONS[1])
"""The keys of the customer and the orders, declared with the Sales screen's own."""
