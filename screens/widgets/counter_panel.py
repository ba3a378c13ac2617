"""The counter panel (窗口叫号面板): call, recall, no-show, transfer, serve, finish, park.

A widget, so the Sales and Complaints screens (and the plain Counter post) host
the same panel. It acts at this terminal's counter (``ctx.counter``, set by
``HALLTERM_COUNTER``), shows the current ticket with its class and wait, *why*
it was chosen, and — after a long wait — the reminder to explain and apologise
(说明原因并表示歉意). ``current_visit`` is the visit the host screen attaches its
records to; ``CounterPanel.Changed`` is posted whenever it may have changed.

Live: once a second it reads the queue's change counter (one tiny query) and
reloads only when another terminal changed the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.shell import shell

POLL_SECONDS = 1.0


def _minutes(seconds: int) -> int:
    return seconds // 60


class CounterPanel(Widget, can_focus=True):
    """Calls and serves tickets at this terminal's counter."""

    DEFAULT_CSS = """
    CounterPanel { height: auto; border: round $accent; padding: 0 1; }
    CounterPanel > Vertical { height: auto; }
    CounterPanel:focus-within { border: round $success; }
    CounterPanel #cp-counter { text-style: bold; }
    CounterPanel #cp-ticket { height: auto; margin-top: 1; }
    CounterPanel #cp-why { color: $text-muted; }
    CounterPanel #cp-apology { color: $warning; text-style: bold; height: auto; }
    CounterPanel #cp-parked { height: auto; margin-top: 1; }
    """
    ACTIONS = declare(
        "counter", N_("Counter panel"),
        Action("counter.call", "n", "call_next", N_("Call next"), N_("Call the next ticket"),
               permission="queue.serve"),
        Action("counter.recall", "r", "recall", N_("Recall"), N_("Announce the ticket again"),
               permission="queue.serve"),
        Action("counter.no_show", "x", "no_show", N_("No-show"), N_("The customer did not come"),
               permission="queue.serve"),
        Action("counter.start", "s", "start", N_("Serve"),
               N_("The customer is here: start serving"), permission="queue.serve"),
        Action("counter.finish", "f", "finish", N_("Finish"), N_("Service done"),
               permission="queue.serve"),
        Action("counter.park", "p", "park", N_("Park"), N_("Park the ticket (挂起)"),
               permission="queue.serve"),
        Action("counter.resume", "u", "resume", N_("Resume"), N_("Resume a parked ticket"),
               permission="queue.serve"),
        Action("counter.transfer", "t", "transfer", N_("Transfer"),
               N_("Move the ticket to another service"), permission="queue.serve"),
        Action("counter.open", "o", "open_counter", N_("Open"), N_("Open (or reopen) this counter"),
               permission="queue.serve"),
        Action("counter.pause", "z", "pause_counter", N_("Pause"), N_("Pause for handover (交接班暂停)"),
               permission="queue.serve"),
        order=80)
    BINDINGS = bindings(ACTIONS)

    class Changed(Message):
        """The panel reloaded: the current ticket (and visit) may have changed."""

        def __init__(self, panel: CounterPanel, view: Any) -> None:
            super().__init__()
            self.panel = panel
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = None
        self._version: int | None = None
        self._polling = False
        self._busy = False

    # -- what hosts read ------------------------------------------------------------
    @property
    def current_visit(self) -> int | None:
        """The visit of the ticket now at this counter (None when there is none)."""
        if self.view is None or self.view.current is None:
            return None
        return self.view.current.visit

    @property
    def current_ticket(self):
        return None if self.view is None else self.view.current

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="cp-counter")
            yield Static(id="cp-ticket")
            yield Static(id="cp-why")
            yield Static(id="cp-apology")
            yield Static(id="cp-parked")

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(POLL_SECONDS, self.poll)

    @property
    def hctx(self):
        return shell(self).hctx

    def _counter(self) -> int | None:
        ctx = self.hctx
        return None if ctx is None else ctx.counter

    def _call(self, fn: Callable[..., Any], *args: Any,
              on_success: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        """Run a service call off the UI thread (through the host screen when it can).

        A manager at a counter another clerk keeps is asked for the override reason,
        then the action runs again with it (``services.queue.keepers``).
        """
        def refused(exc: HallTermError) -> None:
            from hallterm.services.queue import OverrideNeeded
            from screens.widgets.override import ask_override

            if isinstance(exc, OverrideNeeded) and "override_reason" not in kwargs:
                ask_override(self.app, str(exc), lambda reason: self._call(
                    fn, *args, on_success=on_success, override_reason=reason, **kwargs))
                return
            self.notify(str(exc), severity="error", timeout=6)

        call = getattr(self.screen, "call", None)
        if call is not None:
            call(fn, *args, on_success=on_success, on_error=refused, **kwargs)
            return

        def work() -> None:  # hosted outside a PostScreen (tests, other apps)
            try:
                result = fn(*args, **kwargs)
            except HallTermError as exc:
                self.app.call_from_thread(refused, exc)
                return
            if on_success is not None:
                self.app.call_from_thread(on_success, result)

        self.run_worker(work, thread=True, group="counter-panel")

    # -- loading -----------------------------------------------------------------------
    def reload(self) -> None:
        if self._counter() is None:
            self.query_one("#cp-counter", Static).update(
                _("This terminal serves no counter: start it with HALLTERM_COUNTER=N."))
            return
        from hallterm.services.queue import counter_view

        self._call(counter_view, self.hctx, on_success=self._show)

    def poll(self) -> None:
        """Reload when another terminal changed the queue (one tiny read a second)."""
        if (self._polling or self._counter() is None or self.hctx is None
                or not self.screen.is_current):  # a kept post the clerk left: read on return
            return
        from hallterm.services.queue import changes

        self._polling = True

        def seen(version: int) -> None:
            self._polling = False
            if version != self._version:
                self.reload()

        def work() -> None:
            try:
                version = changes(self.hctx)
            except Exception:  # a busy store: try again on the next tick
                self.app.call_from_thread(setattr, self, "_polling", False)
                return
            self.app.call_from_thread(seen, version)

        self.run_worker(work, thread=True, group="counter-poll")

    def _show(self, view) -> None:
        from hallterm.services.queue import COUNTER_LABELS, PRIORITY_LABELS, STATE_LABELS, why

        self.view = view
        self._version = view.version
        c = view.counter
        clerk = f" · {c.clerk_name} ({c.clerk})" if c.clerk else ""
        head = _("Counter {number} · {state}{clerk} · {waiting} waiting for {services}").format(
            number=c.number, state=_(COUNTER_LABELS.get(c.state, c.state)), clerk=clerk,
            waiting=view.waiting, services=" ".join(c.services))
        self.query_one("#cp-counter", Static).update(head)
        t = view.current
        ticket = self.query_one("#cp-ticket", Static)
        if t is None:
            ticket.update(_("No current ticket. Press N to call the next one."))
            self.query_one("#cp-why", Static).update("")
            self.query_one("#cp-apology", Static).update("")
        else:
            text = Text()
            text.append(f" {t.number} ", style="bold reverse")
            text.append("  " + _(PRIORITY_LABELS.get(t.priority, t.priority)), style="bold")
            text.append("  " + _(STATE_LABELS.get(t.state, t.state)))
            text.append("  " + _("waited {minutes} min").format(minutes=_minutes(t.wait_s)))
            if t.recalls:
                text.append("  " + _("recalls {n}").format(n=t.recalls))
            text.append("  " + _("visit {visit}").format(visit=t.visit))
            ticket.update(text)
            run = 3
            hall = shell(self).hall
            if hall is not None:
                run = hall.queue.priority_run
            self.query_one("#cp-why", Static).update(
                _("Why: {why}").format(why=why(t, priority_run=run)))
            self.query_one("#cp-apology", Static).update(self._apology(t))
        parked = ", ".join(
            f"{p.number} ({p.reason})" if p.reason else p.number for p in view.parked)
        self.query_one("#cp-parked", Static).update(
            _("Parked: {tickets}").format(tickets=parked) if parked else "")
        self.refresh_bindings()
        self.post_message(self.Changed(self, view))

    @staticmethod
    def _apology(ticket) -> str:
        from hallterm.services.queue import apology

        return apology(ticket) or ""

    # -- actions -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action not in {b.action for b in self.BINDINGS}:
            return True
        if view is None:
            return None
        t = view.current
        state = t.state if t else None
        enabled = {
            "call_next": t is None and view.counter.state in ("open", "closing"),
            "recall": state == "called",
            "no_show": state == "called" and t.recalls >= view.recalls_before_no_show,
            "start": state == "called",
            "finish": state in ("called", "serving"),
            "park": state == "serving",
            "resume": t is None and bool(view.parked),
            "transfer": t is not None,
            "open_counter": view.counter.state != "open",
            "pause_counter": view.counter.state == "open",
        }.get(action, True)
        return bool(enabled)  # hidden: only what can be done now is shown

    def _done(self, message: str | None = None) -> Callable[[Any], None]:
        def after(result: Any) -> None:
            if message:
                self.notify(message)
            self.reload()

        return after

    def action_call_next(self) -> None:
        from hallterm.services.queue import apology, call_next

        def called(ticket) -> None:
            if ticket is None:
                self.notify(_("Nobody is waiting for this counter's services."))
            else:
                note = apology(ticket)
                self.notify(note or _("Called {number}.").format(number=ticket.number),
                            severity="warning" if note else "information")
            self.reload()

        self._call(call_next, self.hctx, on_success=called)

    def action_recall(self) -> None:
        from hallterm.services.queue import recall

        self._call(recall, self.hctx, on_success=self._done())

    def action_no_show(self) -> None:
        from hallterm.services.queue import no_show

        def after(result) -> None:
            if result.reinserted:
                self.notify(_("{number} missed: re-inserted automatically (过号保护).").format(
                    number=result.ticket.number))
            else:
                self.notify(_("{number} marked no-show.").format(number=result.ticket.number))
            self.reload()

        self._call(no_show, self.hctx, on_success=after)

    def action_start(self) -> None:
        from hallterm.services.queue import start_serving

        self._call(start_serving, self.hctx, on_success=self._done())

    def action_finish(self) -> None:
        from hallterm.services.queue import finish

        self._call(finish, self.hctx, on_success=self._done())

    def action_park(self) -> None:
        from hallterm.services.queue import park
        from screens.widgets.form_dialog import Field, FormDialog

        def answered(values) -> None:
            if values is not None:
                self._call(park, self.hctx, reason=values["reason"], on_success=self._done())

        self.app.push_screen(FormDialog(_("Park the ticket (挂起)"), [
            Field("reason", N_("Why (e.g. fetching an ID card)"), required=True)]), answered)

    def action_resume(self) -> None:
        from hallterm.services.queue import resume

        self._call(resume, self.hctx, on_success=self._done())

    def action_transfer(self) -> None:
        from hallterm.services.queue import transfer
        from screens.widgets.form_dialog import Field, FormDialog

        def answered(values) -> None:
            if values is not None:
                self._call(transfer, self.hctx, service=values["service"],
                           reason=values["reason"],
                           on_success=lambda t: self._done(
                               _("{number} transferred to {service}.").format(
                                   number=t.number, service=t.service))(t))

        self.app.push_screen(FormDialog(_("Transfer the ticket"), [
            Field("service", N_("To service (code)")),
            Field("reason", N_("Reason"), required=False)]), answered)

    def _set_state(self, state: str) -> None:
        from hallterm.services.queue import set_counter_state

        counter = self._counter()
        if counter is None:
            return
        self._call(set_counter_state, self.hctx, counter=counter, state=state,
                   on_success=self._done())

    def action_open_counter(self) -> None:
        self._set_state("open")

    def action_pause_counter(self) -> None:
        self._set_state("paused")
