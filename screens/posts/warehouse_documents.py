"""The Warehouse screen's documents: the forms that start a receipt, an issue, a return
or a write-off, the draft being scanned, and posting it (with the receiving clerk's,
approver's or witness's PIN where the rule asks for one).

A mixin of ``WarehouseScreen`` (it uses the host's ``hctx``, ``call``, ``_set_mode`` and
``_show_error``), kept apart so each module stays readable. Each form checks its
fields in place before anything is scanned; nothing is written until the document
is posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import work

from hallterm.errors import BadInput, HallTermError
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services import stock
from screens.widgets.form_dialog import Field, FormDialog


@dataclass
class Draft:
    """A document being scanned (kept on screen until posted)."""

    kind: str
    from_place: str
    to_place: str
    counter: int | None = None
    reference: str | None = None
    supplier: str | None = None
    reason: str | None = None
    lines: list[stock.LineIn] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    @property
    def value_fen(self) -> int:
        return sum(self.values)


class DocumentForms:
    """Starting a document on the warehouse screen."""

    draft: Draft | None = None

    def action_receive(self) -> None:
        self.app.push_screen(FormDialog(_("Receive a delivery (入库)"), [
            Field("document", N_("Delivery document number")),
            Field("supplier", N_("Supplier"))], check=self._receive_check()),
            self._start_receive)

    def _receive_check(self):
        """A form check: a delivery not received yet (the lines are checked as scanned)."""
        ctx = self.hctx
        return lambda values: stock.check_receive(ctx, document_no=values["document"],
                                                  supplier=values["supplier"])

    def _start_receive(self, values) -> None:
        if values:
            self.draft = Draft("receive", stock.SUPPLIER, stock.WAREHOUSE,
                               reference=values["document"], supplier=values["supplier"])
            self._set_mode("document")

    def _counter_check(self):
        """A form check: the counter exists and is not being stocktaken (nothing scanned yet)."""
        ctx = self.hctx

        def check(values: dict) -> None:
            text = values["counter"].strip()
            if not text.isdigit() or not 1 <= int(text) <= 999:
                raise BadInput(_("A counter number is 1-999."), field="counter")
            try:
                stock.check_place(ctx, place=stock.counter_place(int(text)))
            except HallTermError as exc:
                exc.field = "counter"
                raise

        return check

    def action_issue(self) -> None:
        self.app.push_screen(FormDialog(_("Issue to a counter (出库/领用)"), [
            Field("counter", N_("Counter number"))], check=self._counter_check()),
            self._start_issue)

    def _start_issue(self, values) -> None:
        counter = self._counter(values)
        if counter is not None:
            self.draft = Draft("issue", stock.WAREHOUSE, stock.counter_place(counter),
                               counter=counter)
            self._set_mode("document")

    def action_return(self) -> None:
        self.app.push_screen(FormDialog(_("Return from a counter (退库)"), [
            Field("counter", N_("Counter number")),
            Field("reason", N_("Reason"), required=False)], check=self._counter_check()),
            self._start_return)

    def _start_return(self, values) -> None:
        counter = self._counter(values)
        if counter is not None:
            self.draft = Draft("return", stock.counter_place(counter), stock.WAREHOUSE,
                               counter=counter, reason=values.get("reason") or None)
            self._set_mode("document")

    def action_write_off(self) -> None:
        self.app.push_screen(FormDialog(_("Write off (报损/丢失/退供应商)"), [
            Field("place", N_("From (warehouse or counter:N)"), "warehouse"),
            Field("to", N_("To (damaged, lost or returned_to_supplier)"), "damaged"),
            Field("reason", N_("Reason"))], check=self._write_off_check()),
            self._start_write_off)

    def _write_off_check(self):
        """A form check: from a holding place that can move now, to a write-off place."""
        ctx = self.hctx

        def check(values: dict) -> None:
            place, _to = _write_off_places(values)
            try:
                stock.check_place(ctx, place=place)
            except HallTermError as exc:
                exc.field = "place"
                raise

        return check

    def _start_write_off(self, values) -> None:
        if not values:
            return
        try:
            place, to = _write_off_places(values)
        except HallTermError as exc:
            self._show_error(exc)
            return
        self.draft = Draft("write_off", place, to, counter=stock.counter_of(place),
                           reason=values["reason"])
        self._set_mode("document")

    def _counter(self, values) -> int | None:
        if not values:
            return None
        text = values["counter"].strip()
        if not text.isdigit() or not 1 <= int(text) <= 999:
            self.notify(_("A counter number is 1-999."), severity="error")
            return None
        return int(text)

    # -- posting ------------------------------------------------------------------------
    def action_post(self) -> None:
        if self._posting:
            return
        if self.mode == "document" and self.draft is not None:
            if not self.draft.lines:
                self.notify(_("The document has no lines yet."), severity="warning")
                return
            self._post_document()
        elif self.mode == "stocktake" and self.take is not None:
            self._post_stocktake()

    @work(exclusive=True, group="warehouse-post")
    async def _post_document(self) -> None:
        from screens.widgets.approval import ApprovalDialog
        from screens.widgets.person import PersonDialog

        d = self.draft
        cards = d.kinds.count("valuable_card")
        summary = _("{n} line(s), {value}").format(n=len(d.lines), value=format_fen(d.value_fen))
        receiver = approver = witness = None
        ctx, lines = self.hctx, list(d.lines)
        # The whole document first (counter, stocktake, every line): no one is asked for
        # a PIN for a document that would be refused.
        if d.kind == "issue":
            ok = await self.checked(stock.check_issue, ctx, counter=d.counter, lines=lines)
        elif d.kind in ("return", "write_off"):
            ok = await self.checked(stock.check_move, ctx, kind=d.kind, from_place=d.from_place,
                                    to_place=d.to_place, lines=lines, reason=d.reason)
        else:
            ok = True
        if not ok:
            return
        if d.kind == "issue":
            receiver = await self.app.push_screen_wait(PersonDialog(
                "stock.issue", _("Counter {n}'s clerk confirms taking {what} into custody."
                                 ).format(n=d.counter, what=summary),
                precheck=lambda empno: stock.check_issue(ctx, counter=d.counter, lines=lines,
                                                         receiver=empno)))
            if receiver is None:
                return
        if d.kind == "write_off":
            approver = await self.app.push_screen_wait(ApprovalDialog(
                "stock.write_off", _("Write off {what} to {place}: {reason}").format(
                    what=summary, place=stock.place_label(d.to_place), reason=d.reason)))
            if approver is None:
                return
        elif cards:
            witness = await self.app.push_screen_wait(ApprovalDialog(
                "stock.valuable_card", _("Second person (双人复核) for {n} valuable card(s)."
                                         ).format(n=cards)))
            if witness is None:
                return
        self._posting = True
        if d.kind == "receive":
            self.call(stock.receive, self.hctx, document_no=d.reference, supplier=d.supplier,
                      lines=lines, witness=witness, on_success=self._posted,
                      on_error=self._post_failed)
        elif d.kind == "issue":
            self.call(stock.issue, self.hctx, counter=d.counter, lines=lines, receiver=receiver,
                      witness=witness, on_success=self._posted, on_error=self._post_failed)
        elif d.kind == "return":
            self.call(stock.return_from_counter, self.hctx, counter=d.counter, lines=lines,
                      witness=witness, reason=d.reason, on_success=self._posted,
                      on_error=self._post_failed)
        else:
            self.call(stock.write_off, self.hctx, place=d.from_place, to=d.to_place,
                      lines=lines, reason=d.reason, approver=approver,
                      on_success=self._posted, on_error=self._post_failed)

    def _posted(self, doc) -> None:
        self._posting = False
        self.notify(_("Posted {number}: {kind}, {quantity} unit(s), {value}.").format(
            number=doc.number, kind=stock.kind_label(doc.kind), quantity=doc.quantity,
            value=format_fen(doc.value_fen)), timeout=8)
        self.draft = None
        self._set_mode("stock")
        self.action_refresh()

    def _post_failed(self, exc: HallTermError) -> None:
        self._posting = False
        self._show_error(exc)


def _write_off_places(values: dict) -> tuple[str, str]:
    """(from, to) of the write-off form, or ``BadInput`` naming the wrong field."""
    try:
        place = stock.parse_place(values["place"])
    except BadInput as exc:
        raise BadInput(str(exc), field="place") from None
    if not stock.is_holding(place):
        raise BadInput(_("Stock is written off from the warehouse or a counter."), field="place")
    try:
        to = stock.parse_place(values["to"])
    except BadInput as exc:
        raise BadInput(str(exc), field="to") from None
    if to not in stock.WRITE_OFF_PLACES:
        raise BadInput(_("A write-off goes to damaged, lost or returned_to_supplier."),
                       field="to")
    return place, to
