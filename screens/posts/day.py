"""The Day screen (营业日, F11): the business day's blockers, the close, the X report.

Any manager sees what still blocks the close and prints an interim X report
(today's figures so far; nothing is locked). The hall manager closes the day
(日结) — with their PIN when nothing blocks it, or forced with a reason and their
PIN — and sees the Z result and the day report. The same services as
``hallterm day close`` / ``hallterm day xreport``.
"""

from __future__ import annotations

import functools

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.registry import Post, register
from screens.shell import in_thread, shell
from screens.translate import TranslatedKeys
from screens.widgets.header import ShellHeader


def _close_with_pin(ctx, *, pin: str, force: bool, reason: str | None, reports_dir):
    """The signed-in hall manager confirms with their own PIN, then the day closes."""
    from hallterm.errors import AuthFailed
    from hallterm.services.day import close_day
    from hallterm.services.staff import authenticate

    who = authenticate(ctx, empno=ctx.actor.empno, pin=pin, purpose="day_close")
    if who.id != ctx.actor.id:
        raise AuthFailed(_("Only the signed-in hall manager can close the day here."))
    return close_day(ctx, force=force, reason=reason, reports_dir=reports_dir)


class CloseDayDialog(TranslatedKeys, ModalScreen):
    """Close the day: (forced: a reason, then) the hall manager's PIN; shows why not."""

    DEFAULT_CSS = """
    CloseDayDialog { align: center middle; }
    CloseDayDialog #close-dialog {
        width: 70; max-width: 100%; height: auto; padding: 0 2;
        border: thick $warning; background: $panel;
    }
    CloseDayDialog #close-title { text-style: bold; color: $warning; }
    CloseDayDialog #close-what { margin-bottom: 1; }
    CloseDayDialog #close-message { height: auto; min-height: 1; margin-top: 1; }
    """
    ACTIONS = declare(
        "close_day", N_("Day: closing the day"),
        Action("close_day.cancel", "escape", "cancel", N_("Cancel")),
        Action("close_day.enter", "enter", "enter", N_("Next / confirm"), footer=False,
               priority=True),
        order=91)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, *, force: bool, day: str, blockers: tuple[str, ...]) -> None:
        super().__init__()
        self.force = force
        self.day = day
        self.blockers = blockers
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="close-dialog"):
            yield Static(id="close-title")
            yield Static(id="close-what")
            yield Label(id="close-reason-label")
            yield Input(id="close-reason", max_length=500)
            yield Label(id="close-pin-label")
            yield Input(id="close-pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static(id="close-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        title = (_("Force the close of business day {day}") if self.force
                 else _("Close business day {day} (日结)")).format(day=self.day)
        self.query_one("#close-title", Static).update(Text(title))
        what = _("The day is locked for good and its day report (Z) is written.")
        if self.force:
            what += "\n" + _("{n} blocker(s) are recorded with your reason.").format(
                n=len(self.blockers))
        self.query_one("#close-what", Static).update(Text(what))
        self.query_one("#close-reason-label", Label).update(_("Reason for forcing the close"))
        self.query_one("#close-pin-label", Label).update(_("Your PIN"))
        for widget in ("#close-reason-label", "#close-reason"):
            self.query_one(widget).display = self.force
        self.set_focus(self.query_one("#close-reason" if self.force else "#close-pin", Input))

    def _say(self, message: str, *, error: bool = True) -> None:
        self.query_one("#close-message", Static).update(
            Text(message, style="bold red" if error else ""))

    def action_enter(self) -> None:
        pin = self.query_one("#close-pin", Input)
        if self.focused is not pin:
            self.set_focus(pin)
            return
        pin.call_later(self._submit)

    def _submit(self) -> None:
        reason = self.query_one("#close-reason", Input)
        pin = self.query_one("#close-pin", Input)
        # Everything is checked before the PIN is: a missing reason keeps what was typed.
        if self.force and not reason.value.strip():
            self._say(_("A forced close needs a reason."))
            self.set_focus(reason)
            return
        if not pin.value or self._busy:
            return
        self._busy = True
        self._say(_("Closing…"), error=False)
        app = shell(self)
        settings = app.settings
        reports_dir = settings.resolved_reports_dir() if settings is not None else None
        secret, why = pin.value, reason.value.strip() or None
        in_thread(self, functools.partial(_close_with_pin, app.hctx, pin=secret,
                                          force=self.force, reason=why,
                                          reports_dir=reports_dir),
                  group="close-dialog", exclusive=True, done=self.dismiss,
                  refused=self._refused, bug=functools.partial(self._refused, None))

    def _refused(self, exc: HallTermError | None) -> None:
        self._busy = False
        pin = self.query_one("#close-pin", Input)
        pin.value = ""
        self.set_focus(pin)
        self._say(str(exc) if exc is not None else _("Sorry, something went wrong."))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DayScreen(PostScreen):
    """The business day for managers: blockers, X report, and the close."""

    DEFAULT_CSS = """
    DayScreen #day-body { padding: 0 2; }
    DayScreen .section { text-style: bold; color: $accent; margin-top: 1; }
    DayScreen #day-state { text-style: bold; }
    DayScreen #day-blockers { color: $warning; }
    DayScreen #day-message { height: auto; }
    """
    ACTIONS = declare(
        "day", N_("Day"),
        Action("day.xreport", "x", "xreport", N_("X report"), N_(
            "Print an interim X report: today's figures so far; nothing is locked"),
               permission="day.xreport"),
        Action("day.close_day", "c", "close_day", N_("Close day"), N_(
            "Close the business day (日结) when nothing blocks it; asks your PIN"), permission="day.close"),
        Action("day.force_close", "f", "force_close", N_("Force close"), N_(
            "Close despite the blockers, with a reason and your PIN (hall manager)"),
               permission="day.force_close"),
        Action("day.reload", "r", "reload", N_("Refresh"), N_(
            "Read the day's state and blockers again")),
        order=90)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.view = None
        self.result_text: str = ""
        self._loading = False
        self._again = False

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with VerticalScroll(id="day-body"):
            yield Static(id="day-state")
            yield Static(id="day-blockers-title", classes="section")
            yield Static(id="day-blockers")
            yield Static(id="day-message")
            yield Static(id="day-result-title", classes="section")
            yield Static(id="day-result")
        yield Footer()

    def on_mount(self) -> None:
        self.retranslate()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def day_changed(self, state: str) -> None:
        """The day changed state elsewhere (the header saw it): read it again."""
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        from hallterm.services.day import day_overview

        if self.hctx is None or self.hctx.actor is None:
            return
        if self._loading:  # one read at a time (mount and resume both ask): once more after
            self._again = True
            return
        self._loading = True

        def done(view) -> None:
            self._loaded()
            self._show(view)

        def refused(exc: HallTermError) -> None:
            self._loaded()
            self._show_error(exc)

        self.call(day_overview, self.hctx, on_success=done, on_error=refused,
                  on_bug=self._loaded)

    def _loaded(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()

    def _show(self, view) -> None:
        self.view = view
        self.retranslate()
        self.refresh_bindings()

    def _allowed(self, permission: str) -> bool:
        from hallterm.permissions import allowed

        actor = self.hctx.actor if self.hctx is not None else None
        return actor is not None and allowed(actor.roles, permission)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        is_open = self.view is not None and self.view.state == "open"
        if action == "xreport":
            return self._allowed("day.xreport") and is_open
        if action == "close_day":
            return self._allowed("day.close") and is_open
        if action == "force_close":
            return self._allowed("day.force_close") and is_open
        return True

    def retranslate(self) -> None:
        """Every text in the current language (also after a language switch)."""
        from hallterm.services.day import state_label

        view = self.view
        state = self.query_one("#day-state", Static)
        blockers_title = self.query_one("#day-blockers-title", Static)
        blockers = self.query_one("#day-blockers", Static)
        if view is None:
            state.update(_("Reading the business day…"))
            blockers_title.display = blockers.display = False
        else:
            line = _("Business day {day}: {state}").format(
                day=view.business_day.isoformat(), state=state_label(view.state))
            if view.z_number is not None:
                line += " · " + _("Z {z}").format(z=view.z_number)
            if view.earlier_open:
                line += " · " + _("an earlier day still open: it closes first")
            state.update(Text(line))
            blockers_title.display = blockers.display = view.state == "open"
            blockers_title.update(_("What blocks the close"))
            if view.blockers:
                blockers.update(Text("\n".join(f"- {b}" for b in view.blockers)))
            else:
                blockers.update(Text(_("Nothing: the day can close."), style="bold green"))
        title = self.query_one("#day-result-title", Static)
        title.display = bool(self.result_text)
        title.update(_("Report"))
        self.query_one("#day-result", Static).update(Text(self.result_text))

    def _message(self, text: str, *, error: bool = False) -> None:
        self.query_one("#day-message", Static).update(
            Text(text, style="bold red" if error else "bold"))

    # -- X report ----------------------------------------------------------------------
    def action_xreport(self) -> None:
        from hallterm.services.day import x_report

        settings = self.shell.settings
        reports_dir = settings.resolved_reports_dir() if settings is not None else None

        def done(result) -> None:
            self._message(_("X report {x} written: {path}").format(x=result.x_number,
                                                                  path=result.text_file))
            self.result_text = result.text
            self.retranslate()
            self.reload()

        self.call(x_report, self.hctx, business_day=self.view.business_day,
                  reports_dir=reports_dir, on_success=done,
                  on_error=lambda exc: self._message(str(exc), error=True))

    # -- closing -----------------------------------------------------------------------
    def action_close_day(self) -> None:
        view = self.view
        if view is None:
            return
        if view.blockers:
            self._message(_("The day cannot close yet: {n} blocker(s) above. Finish them, or "
                            "force the close (F) with a reason.").format(n=len(view.blockers)),
                          error=True)
            return
        self._ask_close(force=False)

    def action_force_close(self) -> None:
        if self.view is not None:
            self._ask_close(force=True)

    @work(exclusive=True, group="day-close")
    async def _ask_close(self, *, force: bool) -> None:
        view = self.view
        result = await self.app.push_screen_wait(CloseDayDialog(
            force=force, day=view.business_day.isoformat(), blockers=view.blockers))
        if result is None:
            return
        from hallterm.services.day import report

        self._message(_("Business day {day} is closed: Z number {z}.").format(
            day=result.business_day.isoformat(), z=result.z_number) + "\n"
            + _("Report: {text}").format(text=result.text_file))

        def shown(day_report) -> None:
            self.result_text = day_report.text
            self.retranslate()

        self.call(report, self.hctx, result.business_day, on_success=shown)
        if result.business_day == self.hctx.today():
            self.shell.day_changed("closed")
        self.reload()


register(Post(
    id="day",
    title=N_("Day"),
    key="f11",
    permission="screen.day",
    factory=DayScreen,
    help=N_("The business day: what blocks the close, the X report, the close (日结)"),
    order=90,
))
