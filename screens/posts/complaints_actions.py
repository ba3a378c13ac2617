"""The Complaints post's actions: each asks with a form checked field by field first.

A mixin of ``ComplaintsScreen`` (kept apart so each module stays small). Every form
is given the service's side-effect-free ``check_…``: a wrong value keeps the form
open with everything typed and the wrong field marked, and only a request the check
accepts is written (or, for a compensation, put to a manager's PIN).
"""

from __future__ import annotations

from textual import work
from textual.widgets import Input

from hallterm.errors import BadInput, HallTermError
from hallterm.i18n import N_, _
from hallterm.money import format_fen, parse_fen
from hallterm.parsing import whole_number
from hallterm.services import complaints
from screens.widgets.form_dialog import Field, FormDialog


class CompactForm(FormDialog):
    """The form with one-line inputs (the seven fields of a new complaint fit 80x24) and
    labels and messages that wrap.

    (``!important``: the app's stylesheet gives every Input a tall border.)
    """

    DEFAULT_CSS = """
    CompactForm > Vertical { padding: 0 2; }
    CompactForm .title { margin-bottom: 0; }
    CompactForm Label { width: 1fr; }
    CompactForm Input { padding: 0 1; background: $boost; }
    CompactForm Input:focus { background: $accent 25%; }
    CompactForm Input.-invalid { background: $error 35%; }
    """

    def on_mount(self) -> None:
        for field in self.query(Input):  # inline: above the app's tall border
            field.styles.height = 1
            field.styles.border = ("none", "black")


def _amount(text: str) -> int:
    try:
        return parse_fen(text, allow_zero=False)
    except HallTermError as exc:
        raise BadInput(str(exc), field="amount") from exc


def _number(text: str, field: str, *, minimum: int = 0, maximum: int = 999) -> int | None:
    """A whole number typed in ``field`` (empty: ``None``)."""
    if not text:
        return None
    value = whole_number(text, minimum=minimum, maximum=maximum)
    if value is None:
        raise BadInput(_("{text} is not a whole number from {low} to {high}.").format(
            text=text, low=minimum, high=maximum), field=field)
    return value


class ComplaintActions:
    """The actions of the Complaints post that ask something first."""

    async def _form(self, title: str, fields: list[Field], check) -> dict | None:
        return await self.app.push_screen_wait(CompactForm(title, fields, check=check))

    def _done(self, message: str, number: str) -> None:
        self.notify(message)
        self.reload(number)

    async def _write(self, fn, message: str, shown: str, /, **kwargs) -> None:
        """Run a write off the UI thread; say what happened or why not; show ``shown``."""
        try:
            await self.call_async(fn, self.hctx, **kwargs)
        except HallTermError as exc:
            self._show_error(exc)
            self.reload(shown)
            return
        self._done(message, shown)

    # -- a new complaint ----------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_new(self) -> None:
        ctx = self.hctx

        def request(v: dict) -> dict:
            return {"customer": complaints.Customer(v["phone"]), "category": v["category"],
                    "text": v["text"], "channel": v["channel"] or None,
                    "receipt": v["receipt"] or None, "order_no": v["order"] or None,
                    "ticket": v["ticket"] or None}

        answer = await self._form(_("New complaint (you own it)"), [
            Field("phone", N_("Customer's phone")),
            Field("category", N_("Category: billing, network, service, goods, business, "
                                 "broadband or other")),
            Field("channel", N_("Channel: counter or phone"), "counter" if ctx.counter else "phone"),
            Field("text", N_("The complaint, in the customer's words")),
            Field("receipt", N_("Receipt number (empty: none)"), required=False),
            Field("order", N_("Order number (empty: none)"), required=False),
            Field("ticket", N_("Ticket number (empty: none)"), required=False),
        ], check=lambda v: complaints.check_open(ctx, **request(v)))
        if answer is None:
            return
        try:
            opened = await self.call_async(complaints.open_complaint, ctx, **request(answer))
        except HallTermError as exc:
            self._show_error(exc)
            return
        message = _("Complaint {number} opened; it is yours.").format(number=opened.number)
        if opened.repeat_of:
            message += " " + _("A repeat: earlier {numbers}.").format(
                numbers=", ".join(opened.repeat_of))
        self.view = "mine" if not self.is_manager else self.view
        self._done(message, opened.number)

    async def _ask_and_write(self, title: str, fields: list[Field], args, check, write,
                             message) -> None:
        """The usual action on the highlighted complaint: a form whose values (as the
        service's keywords, ``args(values)``) ``check`` accepts, then ``write``;
        ``message(values)`` says what was done."""
        c, ctx = self.current, self.hctx
        if c is None:
            return
        answer = await self._form(title, fields, check=None if check is None else (
            lambda v: check(ctx, number=c.number, **args(v))))
        if answer is not None:
            await self._write(write, message(answer), c.number, number=c.number, **args(answer))

    # -- the next stage -----------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_stage(self) -> None:
        c = self.current
        if c is None or c.stage >= 4:
            return
        stage = c.stage + 1
        title = complaints.label(complaints.STAGE_TITLES, stage)
        await self._ask_and_write(
            _("{number}, stage {n}/4: {stage}").format(number=c.number, n=stage, stage=title),
            [Field("done", N_("What was done"))], lambda v: {"stage": stage, "done": v["done"]},
            complaints.check_stage, complaints.record_stage,
            lambda _v: _("Stage {n} recorded.").format(n=stage))

    # -- pause and resume ---------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_pause(self) -> None:
        number = self.current.number if self.current else ""
        await self._ask_and_write(
            _("{number}: pause the clocks while waiting for the customer").format(number=number),
            [Field("waiting_for", N_("Waiting for the customer to…"))],
            lambda v: {"waiting_for": v["waiting_for"]}, complaints.check_pause,
            complaints.pause, lambda _v: _("Paused: the clocks stand still."))

    @work(exclusive=True, group="complaints-dialog")
    async def action_resume(self) -> None:
        number = self.current.number if self.current else ""
        await self._ask_and_write(
            _("{number}: the customer is back").format(number=number),
            [Field("note", N_("What the customer brought (may be empty)"), required=False)],
            lambda v: {"note": v["note"] or None}, None, complaints.resume,
            lambda _v: _("Resumed: the clocks run again."))

    # -- ownership ----------------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_transfer(self) -> None:
        number = self.current.number if self.current else ""
        await self._ask_and_write(
            _("{number}: offer it to a colleague").format(number=number),
            [Field("to", N_("To (employee number)")), Field("reason", N_("Reason"))],
            lambda v: {"to": v["to"], "reason": v["reason"]}, complaints.check_transfer,
            complaints.transfer,
            lambda v: _("Offered to {empno}; it stays yours until they accept.").format(
                empno=v["to"]))

    @work(exclusive=True, group="complaints-dialog")
    async def action_accept(self) -> None:
        from screens.widgets.confirm import ConfirmDialog

        c = self.current
        if c is None or not await self.checked(complaints.check_accept, self.hctx,
                                               number=c.number):
            return
        yes = await self.app.push_screen_wait(ConfirmDialog(
            _("Take over {number}?").format(number=c.number),
            _("From {owner}: from now on it is yours, with its deadlines.").format(
                owner=c.owner)))
        if yes:
            await self._write(complaints.accept, _("{number} is yours now.").format(
                number=c.number), c.number, number=c.number)

    # -- compensation -------------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_compensate(self) -> None:
        from screens.widgets.approval import ApprovalDialog

        c, ctx = self.current, self.hctx
        if c is None:
            return
        drawer = str(ctx.counter) if ctx.counter else ""

        def request(v: dict) -> dict:  # the fields in their order: the first wrong is named
            kind = complaints.compensation_kind(v["kind"])
            return {"number": c.number, "kind": kind, "amount_fen": _amount(v["amount"]),
                    "description": v["description"],
                    "counter": _number(v["counter"], "counter", minimum=1)}

        needs: list[str] = []

        def check(v: dict) -> None:
            needs[:] = [complaints.check_compensate(ctx, **request(v))]

        answer = await self._form(
            _("{number}: compensation (a manager approves)").format(number=c.number),
            [Field("kind", N_("Kind: cash, credit (bill credit) or goods")),
             Field("amount", N_("Amount (¥)")),
             Field("description", N_("What is given, and why")),
             Field("counter", N_("Counter whose drawer pays cash (number)"), drawer, required=False)],
            check=check)
        if answer is None or not needs:
            return
        req = request(answer)
        approver = await self.app.push_screen_wait(ApprovalDialog(needs[0], _(
            "Compensation for {number}: {kind} {amount}, {what}").format(
            number=c.number, kind=complaints.label(complaints.COMPENSATION_KINDS, req["kind"]),
            amount=format_fen(req["amount_fen"]), what=req["description"])))
        if approver is None:
            return
        await self._write(complaints.compensate,
                          _("Compensation recorded, approved by {empno}.").format(
                              empno=approver.empno), c.number, approver=approver, **req)

    # -- appeal and close ---------------------------------------------------------------
    @work(exclusive=True, group="complaints-dialog")
    async def action_appeal(self) -> None:
        number = self.current.number if self.current else ""
        await self._ask_and_write(
            _("{number}: taken to the regulator (申诉)").format(number=number),
            [Field("reference", N_("The regulator's reference"))],
            lambda v: {"reference": v["reference"]}, complaints.check_appeal, complaints.appeal,
            lambda _v: _("Appeal recorded."))

    @work(exclusive=True, group="complaints-dialog")
    async def action_close(self) -> None:
        number = self.current.number if self.current else ""
        await self._ask_and_write(
            _("{number}: close with the customer's follow-up result").format(number=number),
            [Field("result", N_("Result: satisfied, dissatisfied or unreachable")),
             Field("attempts", N_("Follow-up calls made (for unreachable)"), required=False),
             Field("summary", N_("Summary"))],
            lambda v: {"result": v["result"].lower(), "summary": v["summary"],
                       "attempts": _number(v["attempts"], "attempts", minimum=1, maximum=99)},
            complaints.check_close, complaints.close,
            lambda _v: _("{number} closed.").format(number=number))
