"""The Handover post (交接班, F7): the duty manager runs a counter's shift handover.

The counters with their state, clerk and any handover in progress; the chosen
counter's handover in detail. The same steps as ``hallterm handover``, each a key
in the footer: the outgoing clerk starts it with their PIN (the counter pauses),
counts blind (the expected amounts appear only after the count is submitted),
the reasons and, above the hall's threshold, the witness (监交人) follow, and the
incoming clerk confirms with their PIN and takes the counter. A handover left
halfway is picked up where it stopped; the day-end variant hands the drawer in
and closes the counter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from hallterm.context import Actor
from hallterm.errors import Refused
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.parsing import parse_cash, parse_counts
from hallterm.services import handover as ho
from hallterm.services import queue
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.posts.handover_count import BlindCount, BlindCountDialog
from screens.registry import Post, register
from screens.shell import shell
from screens.widgets.approval import ApprovalDialog
from screens.widgets.form_dialog import Field, FormDialog
from screens.widgets.header import ShellHeader
from screens.widgets.person import PersonDialog

POLL_SECONDS = 5.0


@dataclass(frozen=True)
class Overview:
    """What the screen shows: every counter, and the handover in progress at each."""

    counters: list[queue.CounterInfo]
    active: dict[int, ho.HandoverView]
    latest: dict[int, ho.HandoverView]


def load(ctx) -> Overview:
    """The counters and their handovers (services only; run off the UI thread)."""
    counters = queue.queue_status(ctx, calls=0).counters
    active: dict[int, ho.HandoverView] = {}
    for c in counters:
        view = ho.active(ctx, counter=c.number)
        if view is not None:
            active[c.number] = view
    latest: dict[int, ho.HandoverView] = {}
    for view in ho.handovers(ctx):
        latest.setdefault(view.counter, view)
    return Overview(counters, active, latest)


class _NotSelf(PersonDialog):
    """A person dialog that refuses the signed-in person with a clear line."""

    def check_person(self, empno: str) -> None:
        actor = shell(self).hctx.actor
        if actor is not None and empno == actor.empno:
            raise Refused(_("Another person than the one signed in confirms here."))
        super().check_person(empno)


class WitnessDialog(ApprovalDialog):
    """The witness (监交人) approves the outgoing clerk's count: the duty manager may be it."""

    def __init__(self, description: str, outgoing: str, *, precheck=None) -> None:
        super().__init__("handover.witness", description, precheck=precheck)
        self.outgoing = outgoing

    def title_text(self) -> str:
        return _("Witness (监交人)")

    def check(self, empno: str, pin: str):
        from hallterm.services.staff import approve

        # The approval is of the outgoing clerk's count, so the signed-in duty
        # manager may give it; the outgoing clerk may not.
        ctx = replace(shell(self).hctx, actor=Actor(0, self.outgoing, self.outgoing, frozenset()))
        return approve(ctx, action="handover.witness", empno=empno, pin=pin)


def _parsed(count: BlindCount) -> dict:
    cash_fen, notes = parse_cash(count.cash)
    counts = parse_counts(count.counts)
    for sku, n in count.scanned_counts.items():
        counts[sku] = counts.get(sku, 0) + n
    return {"cash_fen": cash_fen, "denominations": notes, "serials": count.serials,
            "counts": counts}


def check(ctx, counter: int, count: BlindCount) -> None:
    """The service's check of a blind count before the dialog closes (worker thread)."""
    ho.check_count(ctx, counter=counter, **_parsed(count))


def submit(ctx, handover_id: int, count: BlindCount) -> ho.HandoverView:
    """Parse the blind count and submit it (in the worker thread)."""
    return ho.submit_count(ctx, handover_id=handover_id, **_parsed(count))


class HandoverScreen(PostScreen):
    """The duty manager's handover screen."""

    DEFAULT_CSS = """
    HandoverScreen #ho-body { padding: 0 1; }
    HandoverScreen #ho-title { text-style: bold; color: $accent; }
    HandoverScreen #ho-hint { color: $text-muted; }
    HandoverScreen #ho-counters { height: auto; max-height: 10; }
    HandoverScreen #ho-scroll { height: 1fr; border-top: solid $primary; }
    """
    ACTIONS = declare(
        "handover", N_("Handover"),
        Action("handover.start", "s", "start", N_("Start"),
               N_("The outgoing clerk starts the handover with their PIN"), permission="handover.run"),
        Action("handover.day_end", "d", "day_end", N_("Day end"),
               N_("The last clerk of the day hands the drawer in"), permission="handover.run"),
        Action("handover.count", "c", "count", N_("Count"),
               N_("Enter the blind count: cash, serials, quantities"), permission="handover.run"),
        Action("handover.review", "r", "review", N_("Reasons"),
               N_("Reasons for the differences, and the witness"), permission="handover.run"),
        Action("handover.finish", "f", "finish", N_("Take over"),
               N_("The incoming clerk confirms and takes the counter"), permission="handover.run"),
        Action("handover.restart", "n", "restart", N_("Restart"),
               N_("Cancel the handover in progress and start afresh"), permission="handover.run"),
        Action("handover.cancel", "x", "cancel", N_("Cancel"),
               N_("Give up the handover; the counter is as it was"), permission="handover.run"),
        Action("handover.refresh", "g", "refresh", N_("Refresh"),
               N_("Read the counters and handovers again")),
        order=70)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.overview: Overview | None = None
        # Reasons typed for a handover whose witness step was cancelled: offered again.
        self._reason_drafts: dict[int, dict[str, str]] = {}

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Vertical(id="ho-body"):
            yield Static(id="ho-title")
            yield Static(id="ho-hint")
            yield DataTable(id="ho-counters", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="ho-scroll"):
                yield Static(id="ho-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._texts()
        self.query_one(DataTable).focus()
        self.action_refresh()
        self.set_interval(POLL_SECONDS, self._poll)

    def _texts(self) -> None:
        self.query_one("#ho-title", Static).update(_("Shift handover (交接班)"))
        self.query_one("#ho-hint", Static).update(_(
            "Choose a counter. The outgoing clerk starts and counts blind; the incoming clerk "
            "takes over."))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(_("Counter"), _("State"), _("Clerk"), _("Handover"), _("Step"))

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._texts()
        if self.overview is not None:
            self._show(self.overview)

    # -- loading and showing ----------------------------------------------------------------
    def _poll(self) -> None:
        if not self.app.screen_stack or self.app.screen is not self:
            return
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call(load, self.hctx, on_success=self._show)

    def _show(self, overview: Overview) -> None:
        self.overview = overview
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for c in overview.counters:
            view = overview.active.get(c.number)
            table.add_row(str(c.number), _(queue.COUNTER_LABELS.get(c.state, c.state)),
                          c.clerk or "-", view.number if view else "-",
                          ho.state_label(view.state) if view else "-", key=str(c.number))
        if overview.counters:
            table.move_cursor(row=min(max(row, 0), len(overview.counters) - 1))
        self._detail()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def selected(self) -> int | None:
        if self.overview is None or not self.overview.counters:
            return None
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.overview.counters):
            return self.overview.counters[row].number
        return None

    def current(self) -> ho.HandoverView | None:
        number = self.selected()
        if number is None or self.overview is None:
            return None
        return self.overview.active.get(number)

    def _detail(self) -> None:
        number = self.selected()
        out = Text()
        if number is None or self.overview is None:
            self.query_one("#ho-detail", Static).update(out)
            return
        view = self.overview.active.get(number) or self.overview.latest.get(number)
        if view is None:
            out.append(_("Counter {n}: no handover today. S starts one, D hands the drawer in "
                         "at day end.").format(n=number))
            self.query_one("#ho-detail", Static).update(out)
            return
        out.append(f"{view.number}  {ho.kind_label(view.kind)}  ", style="bold")
        out.append(ho.state_label(view.state) + "\n", style="bold yellow" if view.active
                   else "green")
        out.append(_("Outgoing {out}, started {at:%H:%M}").format(out=view.outgoing,
                                                                 at=view.started_at))
        if view.incoming:
            out.append(_(", incoming {empno}").format(empno=view.incoming))
        if view.witness:
            out.append(_(", witness {empno}").format(empno=view.witness))
        out.append("\n")
        if view.state == "started":
            out.append(_("Blind count: the expected amounts are shown once the count is "
                         "submitted (C).") + "\n", style="italic")
        elif view.expected_fen is not None:
            diff = view.difference_fen or 0
            out.append(_("Cash: counted {counted}, expected {expected}, difference ").format(
                counted=format_fen(view.counted_fen or 0),
                expected=format_fen(view.expected_fen)))
            out.append(format_fen(diff) + "\n", style="bold red" if diff else "green")
            if view.denominations:
                out.append("  " + ", ".join(f"{format_fen(f)}×{n}" for f, n in
                                            view.denominations) + "\n")
            differences = view.stock_differences
            if differences:
                out.append(_("Stock differences ({value}):").format(
                    value=format_fen(view.stock_difference_fen or 0)) + "\n", style="bold red")
                for x in differences:
                    out.append(f"  {ho.status_label(x.status):8} {x.sku} {x.serial or ''} "
                               f"{x.difference:+d}\n")
            else:
                out.append(_("Stock: {n} line(s), no difference.").format(n=len(view.lines))
                           + "\n")
            if view.cash_reason:
                out.append(_("Cash reason: {reason}").format(reason=view.cash_reason) + "\n")
            if view.stock_reason:
                out.append(_("Stock reason: {reason}").format(reason=view.stock_reason) + "\n")
            if view.state == "counted" and view.needs_witness:
                out.append(_("Above {limit}: the witness (监交人) approves with their PIN.")
                           .format(limit=format_fen(view.threshold_fen)) + "\n",
                           style="bold yellow")
        if view.pending:
            out.append((_("Open at the counter (passes to the incoming clerk):") if view.active
                        else _("Passed on to the incoming clerk:")) + "\n", style="bold")
            for item in view.pending:
                out.append(f"  {ho.describe(item)}\n")
        step = {"started": _("Next: C to count."),
                "counted": _("Next: R for the reasons and the witness."),
                "reviewed": _("Next: F, the incoming clerk takes over.") if view.kind == "shift"
                else _("Next: F hands the drawer in; the counter closes.")}.get(view.state)
        if step:
            out.append(step, style="bold")
        self.query_one("#ho-detail", Static).update(out)

    def _done(self, view: ho.HandoverView) -> None:
        self.notify(_("Handover {number}: {state}").format(number=view.number,
                                                          state=ho.state_label(view.state)))
        self.action_refresh()

    def _need(self, *states: str) -> ho.HandoverView | None:
        view = self.current()
        if view is None:
            self.notify(_("No handover in progress at this counter; S starts one."),
                        severity="warning")
            return None
        if view.state not in states:
            self.notify(_("Handover {number} is {state}; that step cannot be done now.").format(
                number=view.number, state=ho.state_label(view.state)), severity="warning")
            return None
        return view

    # -- the steps -------------------------------------------------------------------------------
    def action_start(self) -> None:
        self._start(day_end=False, restart=False)

    def action_day_end(self) -> None:
        self._start(day_end=True, restart=False)

    def action_restart(self) -> None:
        view = self.current()
        if view is None:
            self.notify(_("No handover in progress at this counter; S starts one."),
                        severity="warning")
            return
        self._start(day_end=view.kind == "day_end", restart=True)

    @work(exclusive=True, group="handover-step")
    async def _start(self, *, day_end: bool, restart: bool) -> None:
        number = self.selected()
        if number is None:
            return
        title = (_("The last clerk of counter {n} hands the drawer in") if day_end
                 else _("The outgoing clerk of counter {n} signs")).format(n=number)
        ctx = self.hctx
        # Who may hand this counter over is checked on the number typed, before the PIN.
        person = await self.app.push_screen_wait(_NotSelf(
            "handover", title, precheck=lambda empno: ho.check_start(
                ctx, counter=number, outgoing=empno, day_end=day_end, restart=restart)))
        if person is None:
            return
        self.call(ho.start, self.hctx, counter=number, outgoing=person, day_end=day_end,
                  restart=restart, on_success=self._done)

    @work(exclusive=True, group="handover-step")
    async def action_count(self) -> None:
        view = self._need(*ho.ACTIVE)
        if view is None:
            return
        count = await self.app.push_screen_wait(BlindCountDialog(
            _("Blind count of counter {n}").format(n=view.counter), parse_cash=parse_cash,
            parse_counts=parse_counts,
            check=lambda count: check(self.hctx, view.counter, count)))
        if count is None:
            return
        self.call(submit, self.hctx, view.id, count, on_success=self._done)

    @work(exclusive=True, group="handover-step")
    async def action_review(self) -> None:
        view = self._need("counted", "reviewed")
        if view is None:
            return
        fields = []
        draft = self._reason_drafts.get(view.id, {})
        if view.needs_cash_reason:
            fields.append(Field("cash", N_("Reason for the cash difference (长短款)"),
                                draft.get("cash") or view.cash_reason or ""))
        if view.needs_stock_reason:
            fields.append(Field("stock", N_("Reason for the stock difference"),
                                draft.get("stock") or view.stock_reason or ""))
        values: dict[str, str] = {}
        ctx = self.hctx
        if fields:
            answer = await self.app.push_screen_wait(FormDialog(
                _("Differences at counter {n}").format(n=view.counter), fields))
            if answer is None:
                return
            values = answer
            self._reason_drafts[view.id] = dict(answer)
        witness = None
        # The duty manager running this screen signs any difference as witness (监交人);
        # above the hall's threshold the service requires it.
        if view.needs_witness or fields:
            witness = await self.app.push_screen_wait(WitnessDialog(
                _("Handover {number}: counted {counted}, expected {expected}").format(
                    number=view.number, counted=format_fen(view.counted_fen or 0),
                    expected=format_fen(view.expected_fen or 0)), view.outgoing,
                precheck=lambda empno: ho.check_witness(ctx, handover_id=view.id,
                                                        empno=empno)))
            if witness is None:
                return
        self.call(ho.review, self.hctx, handover_id=view.id, cash_reason=values.get("cash"),
                  stock_reason=values.get("stock"), witness=witness, on_success=self._done)

    @work(exclusive=True, group="handover-step")
    async def action_finish(self) -> None:
        view = self._need("reviewed")
        if view is None:
            return
        incoming = None
        if view.kind == "shift":
            ctx = self.hctx
            # The incoming clerk's availability is checked on the number typed, before
            # their PIN (another counter clerk, at no other counter, not the witness).
            incoming = await self.app.push_screen_wait(_NotSelf(
                "handover", _("The incoming clerk takes counter {n}").format(n=view.counter),
                precheck=lambda empno: ho.check_incoming(ctx, handover_id=view.id,
                                                         empno=empno)))
            if incoming is None:
                return
        self.call(ho.finish, self.hctx, handover_id=view.id, incoming=incoming,
                  on_success=self._done)

    @work(exclusive=True, group="handover-step")
    async def action_cancel(self) -> None:
        view = self._need(*ho.ACTIVE)
        if view is None:
            return
        values = await self.app.push_screen_wait(FormDialog(
            _("Cancel handover {number}").format(number=view.number),
            [Field("reason", N_("Why is it cancelled?"))]))
        if values is None:
            return
        self.call(ho.cancel, self.hctx, handover_id=view.id, reason=values["reason"],
                  on_success=self._done)


register(Post(
    id="handover",
    title=N_("Handover"),
    key="f7",
    permission="screen.handover",
    factory=HandoverScreen,
    help=N_("Shift handover (交接班): blind count, witness, the incoming clerk takes over"),
    order=70,
))
