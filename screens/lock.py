"""The lock screen (锁屏): covers everything, shows no customer data, waits for a PIN.

The person who locked it types their PIN and is back where they were. Another
person may sign in instead: the first is signed out (audited) and the new person
starts on their own home screen.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Footer, Input, Label, Static

from hallterm.empno import EMPNO_INPUT, EMPNO_MAX
from hallterm.errors import HallTermError
from hallterm.i18n import N_, _, ngettext
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.widgets.header import ShellHeader


def unlock_or_switch(base_ctx, locked_ctx, *, empno: str, pin: str, ended: bool = False):
    """Check the PIN; for another person, sign the locked-out person out first.

    ``ended``: the locked-out person's session already ended (signed out); any PIN,
    theirs too, signs in afresh. Returns ``(actor, back_where_they_were)``.
    """
    from hallterm.services.staff import authenticate, record_session_event

    same = empno == locked_ctx.actor.empno and not ended
    actor = authenticate(base_ctx, empno=empno, pin=pin,
                         purpose="unlock" if same else "signin")
    if not same and not ended:
        record_session_event(locked_ctx, event="signout")
    return actor, same


class LockScreen(PostScreen):
    """The locked terminal."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; }
    LockScreen #lock-box { width: 52; height: auto; padding: 0 2; border: heavy $warning; }
    LockScreen #lock-title { text-style: bold; color: $warning; }
    LockScreen #lock-why { margin-bottom: 1; }
    LockScreen #lock-message { height: auto; min-height: 1; margin-top: 1; }
    LockScreen #lock-other { color: $text-muted; }
    """

    ACTIONS = declare(
        "lock", N_("Lock screen"),
        Action("lock.enter", "enter", "enter", N_("Next / unlock"), footer=False, priority=True),
        order=92)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, actor, *, idle: bool, at: datetime, ended: str | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.idle = idle
        self.at = at
        self.ended = ended  # why the session ended (a counter taken over), else None
        self._busy = False

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Center(), Vertical(id="lock-box"):
            yield Static(id="lock-title")
            yield Static(id="lock-why")
            yield Label(id="lock-empno-label")
            yield Input(self.actor.empno, id="lock-empno", max_length=EMPNO_MAX,
                        restrict=EMPNO_INPUT)
            yield Label(id="lock-pin-label")
            yield Input(id="lock-pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static(id="lock-message")
            yield Static(id="lock-other")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.retranslate()
        self.query_one("#lock-pin", Input).focus()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.query_one("#lock-title", Static).update(_("This terminal is locked"))
        when = self.at.strftime("%H:%M")
        minutes = self.app.settings.idle_lock_minutes
        why = (ngettext("Locked at {time} after {minutes} minute without a key press.",
                        "Locked at {time} after {minutes} minutes without a key press.",
                        minutes).format(time=when, minutes=minutes)
               if self.idle else _("Locked at {time} by {name} ({empno}).").format(
                   time=when, name=self.actor.name, empno=self.actor.empno))
        if self.ended is not None:
            why = self.ended
        self.query_one("#lock-why", Static).update(Text(why, style="bold" if self.ended else ""))
        self.query_one("#lock-empno-label", Label).update(_("Employee number"))
        self.query_one("#lock-pin-label", Label).update(_("PIN"))
        self.query_one("#lock-other", Static).update(Text(_(
            "Type your PIN to continue where you were. Someone else may sign in "
            "instead; {name} is then signed out.").format(name=self.actor.name)
            if self.ended is None else _("Sign in again to start a new session.")))

    def end_session(self, message: str) -> None:
        """The locked-out person's session ended meanwhile (their counter was taken over)."""
        self.ended = message
        self.retranslate()

    def action_enter(self) -> None:
        """Enter: from the employee number to the PIN; from the PIN, unlock."""
        empno = self.query_one("#lock-empno", Input)
        pin = self.query_one("#lock-pin", Input)
        if self.focused is not pin:
            self.set_focus(pin)
            return
        # Read the fields after they have handled their queued keys (a fast burst).
        empno.call_later(pin.call_later, self._enter_on_pin)

    def _enter_on_pin(self) -> None:
        empno = self.query_one("#lock-empno", Input)
        pin = self.query_one("#lock-pin", Input)
        if not empno.value.strip():
            self.set_focus(empno)
            return
        if not pin.value or self._busy:
            return
        self._busy = True
        self.call(unlock_or_switch, self.app.base_ctx, self.app.hctx,
                  empno=empno.value.strip(), pin=pin.value, ended=self.ended is not None,
                  on_success=self._done, on_error=self._refused)

    def _done(self, result) -> None:
        self._busy = False
        actor, same = result
        if same:
            self.app.unlocked()
        else:
            self.app.call_later(self.app.switch_user, actor)

    def _refused(self, exc: HallTermError) -> None:
        self._busy = False
        pin = self.query_one("#lock-pin", Input)
        pin.value = ""
        self.set_focus(pin)
        self.query_one("#lock-message", Static).update(Text(str(exc), style="bold red"))
