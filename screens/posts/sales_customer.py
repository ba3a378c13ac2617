"""The Sales screen's customer for orders (实名登记): identify, show masked, reveal with a reason.

A mixin of ``SalesScreen``. Ctrl+U opens the identity form; the customer (with
the agent or the guardian) then belongs to the visit and every order of the visit
is for them, until the counter panel's ticket (the visit) changes or the clerk
identifies someone else. The screen shows the document and the phone masked; Ctrl+D
shows them in full after asking why (``data.reveal``; the view is audited) until
Esc or the next customer.
"""

from __future__ import annotations

from textual import work

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from hallterm.services import customers
from screens.actions import Action
from screens.widgets.identity import Identity, identity_of
from screens.widgets.visit import VisitPanel, masked_person

CUSTOMER_ACTIONS = (
    Action("sales.customer", "ctrl+u", "identify", N_("Customer"), N_(
        "Identify the customer for orders (实名登记): document checked as typed, 代办 agent, "
        "a minor's guardian"), priority=True),
    Action("sales.reveal", "ctrl+d", "reveal", N_("Reveal"), N_(
        "Show the customer's full document number and phone: asks why; the view is logged"),
        priority=True, permission="data.reveal"),
)


class CustomerDesk:
    """The visit's customer: who orders are for."""

    identity: Identity | None = None
    known: customers.CustomerView | None = None  # the stored record, when there is one
    revealed: customers.Revealed | None = None
    customer_visit: int | None = None

    @property
    def visit_panel(self) -> VisitPanel:
        return self.query_one(VisitPanel)

    # -- identifying ----------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_identify(self) -> None:
        await self.ask_identity()
        self._set_mode("scan")

    async def ask_identity(self, intro: str = "") -> Identity | None:
        """Ask who the customer is (and who acts); keep and show them. None: cancelled."""
        from screens.widgets.identity import IdentityDialog

        values = await self.app.push_screen_wait(IdentityDialog(intro=intro))
        if values is None:
            return None
        identity = identity_of(values, self.hctx.today())
        self.set_customer(identity)
        try:
            found = await self.call_async(customers.find, self.hctx,
                                          number=identity.customer.number)
        except HallTermError:
            found = []  # a person who may not search still takes orders for who they identified
        self.known = found[0] if found else None
        self.show_customer()
        self.customer_found()
        return identity

    def customer_found(self) -> None:
        """The customer was identified (and looked up): the orders desk reads their lines."""

    def set_customer(self, identity: Identity | None) -> None:
        self.identity, self.known, self.revealed = identity, None, None
        self.customer_visit = self._visit()
        self.show_customer()

    def forget_customer(self) -> None:
        """A new visit: its customer is identified again."""
        self.set_customer(None)

    def show_customer(self) -> None:
        """The customer line(s): masked, or in full after a reveal."""
        if self.identity is None:
            self.visit_panel.show_customer([])
            return
        c = self.identity.customer
        if self.revealed is not None:
            shown = "  ".join(x for x in (self.revealed.name, self.revealed.number,
                                          self.revealed.phone or "") if x)
        else:
            shown = masked_person(c)
        lines = [_("Customer: {person} · {document}").format(
            person=shown, document=customers.doc_label(c.doc_type or ""))]
        if self.identity.agent is not None:
            lines.append(_("Agent (代办): {person}").format(
                person=masked_person(self.identity.agent)))
        if self.identity.guardian is not None:
            lines.append(_("Guardian (minor): {person}").format(
                person=masked_person(self.identity.guardian)))
        note = self.customer_note()
        if self.revealed is not None:
            note = _("Shown in full (the view is logged); Esc masks it again.")
        self.visit_panel.show_customer(lines, note)

    def customer_note(self) -> str:
        """Under the customer: known since when (the orders desk adds their lines)."""
        if self.known is None:
            return _("New customer: recorded with the first order.")
        return _("Known customer since {day}.").format(day=self.known.first_day.isoformat())

    # -- revealing --------------------------------------------------------------------------
    @work(exclusive=True, group="sales-dialog")
    async def action_reveal(self) -> None:
        from screens.widgets.form_dialog import Field

        if self.identity is None:
            self._say(_("No customer yet: Ctrl+U identifies one."), error=True)
            return
        if self.known is None:
            self._say(_("This customer is not recorded yet: there is nothing stored to "
                        "reveal."), error=True)
            return
        customer_id = self.known.id
        answer = await self._ask(
            _("Show {name}'s full document number and phone").format(name=self.known.name),
            [Field("reason", N_("Why is the full number needed? (logged)"))],
            check=lambda values: customers.check_reason(values["reason"]))
        if answer is None:
            self._set_mode("scan")
            return

        def shown(revealed: customers.Revealed) -> None:
            self.revealed = revealed
            self.show_customer()
            self._set_mode("scan")

        def refused(exc: HallTermError) -> None:
            self._say(str(exc), error=True)
            self._set_mode("scan")

        self.call(customers.reveal, self.hctx, customer_id, answer["reason"],
                  on_success=shown, on_error=refused)

    def mask_again(self) -> bool:
        """Esc: a revealed customer is masked again (True when there was one)."""
        if self.revealed is None:
            return False
        self.revealed = None
        self.show_customer()
        return True
