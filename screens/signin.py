"""The sign-in screen (登录): hall, terminal and counter, employee number and masked PIN.

Enter moves from the employee number to the PIN and signs in from the PIN. The
store opens in the background after this screen is painted; signing in waits for
it (a spinner shows when that takes more than half a second). The demo shows its
credentials in a hint panel beside the form.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Footer, Input, Label, LoadingIndicator, Static

from hallterm.empno import EMPNO_INPUT, EMPNO_MAX
from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.shell import shell
from screens.widgets.header import ShellHeader, counter_label


class SignInScreen(PostScreen):
    """Who is at this terminal: employee number and PIN."""

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #signin-row { width: auto; height: auto; }
    SignInScreen #signin-box {
        width: 44; height: auto; padding: 0 2; border: round $primary;
    }
    SignInScreen #signin-hall { text-style: bold; color: $accent; }
    SignInScreen #signin-where { color: $text-muted; margin-bottom: 1; }
    SignInScreen Input { width: 1fr; }
    SignInScreen #signin-message { height: auto; min-height: 1; margin-top: 1; }
    SignInScreen #signin-progress { height: 1; display: none; }
    SignInScreen #signin-progress.-busy { display: block; }
    SignInScreen #signin-progress LoadingIndicator { width: 4; height: 1; }
    SignInScreen #demo-hint {
        width: 34; height: auto; padding: 0 1; margin-left: 2; border: round $secondary;
    }
    """

    # A priority binding runs before the next key is delivered, so a fast typist's
    # (or a scanner's) PIN digits never land in the employee-number field.
    ACTIONS = declare(
        "signin", N_("Sign-in screen"),
        Action("signin.enter", "enter", "enter", N_("Next / sign in"), footer=False, priority=True),
        order=91)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self._busy = False
        self._failed: str | None = None
        self._waiting: tuple[str, str] | None = None  # a sign-in typed before the store opened

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Center(), Horizontal(id="signin-row"):
            with Vertical(id="signin-box"):
                yield Static(id="signin-hall")
                yield Static(id="signin-where")
                yield Label(id="empno-label")
                yield Input(id="empno", max_length=EMPNO_MAX, restrict=EMPNO_INPUT)
                yield Label(id="pin-label")
                yield Input(id="pin", password=True, max_length=12, restrict=r"[0-9]*")
                yield Static(id="signin-message")
                with Horizontal(id="signin-progress"):
                    yield LoadingIndicator()
                    yield Static(id="progress-text")
            if shell(self).demo:
                yield Static(id="demo-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.retranslate()
        self.query_one("#empno", Input).focus()
        self.set_timer(0.5, self._show_progress)

    def retranslate(self) -> None:
        """Set every text in the current language (also after a language switch)."""
        app = self.app
        hall = app.header_facts()["hall"] if hasattr(app, "header_facts") else "HallTerm"
        self.query_one("#signin-hall", Static).update(Text(hall))
        where = _("Terminal {terminal}").format(terminal=app.settings.terminal)
        counter = counter_label(app.settings.counter)
        self.query_one("#signin-where", Static).update(
            Text(f"{where} · {counter}" if counter else where))
        self.query_one("#empno-label", Label).update(_("Employee number"))
        self.query_one("#pin-label", Label).update(_("PIN"))
        self.query_one("#empno", Input).placeholder = _("e.g. 8001")
        self.query_one("#pin", Input).placeholder = _("6 digits, hidden")
        self.query_one("#progress-text", Static).update(_("Opening the store…"))
        if self._failed is not None:
            self._say(_("HallTerm cannot start: {reason}").format(reason=self._failed),
                      error=True)
        if shell(self).demo:
            self.query_one("#demo-hint", Static).update(_demo_hint())

    # -- the store in the background --------------------------------------------------
    def _show_progress(self) -> None:
        if not shell(self).ready and self._failed is None:
            self.query_one("#signin-progress").add_class("-busy")

    def store_ready(self) -> None:
        if self.is_mounted:  # else on_mount shows it
            self.query_one("#signin-progress").remove_class("-busy")
            self.retranslate()
            waiting, self._waiting = self._waiting, None
            if waiting is not None and waiting == (self.query_one("#empno", Input).value.strip(),
                                                   self.query_one("#pin", Input).value):
                self._submit(*waiting)

    def store_failed(self, reason: str) -> None:
        self._failed = reason
        if self.is_mounted:
            self.query_one("#signin-progress").remove_class("-busy")
            self.retranslate()

    # -- the form ---------------------------------------------------------------------------
    def action_enter(self) -> None:
        """Enter: from the employee number to the PIN; from the PIN, sign in.

        Focus moves at once (so the next keys of a fast typist or a tmux burst go to
        the PIN), but the fields are read only after each has handled the keys still
        queued for it: ``call_later`` on a widget runs after its pending messages.
        """
        empno = self.query_one("#empno", Input)
        pin = self.query_one("#pin", Input)
        if self.focused is not pin:
            self.set_focus(pin)
            empno.call_later(self._check_empno)
            return
        empno.call_later(pin.call_later, self._enter_on_pin)

    def _check_empno(self) -> None:
        empno = self.query_one("#empno", Input)
        if not empno.value.strip():
            self.set_focus(empno)
            self._say(_("Type your employee number."), error=True)

    def _enter_on_pin(self) -> None:
        empno = self.query_one("#empno", Input)
        pin = self.query_one("#pin", Input)
        if not empno.value.strip():
            self.set_focus(empno)
            self._say(_("Type your employee number."), error=True)
        elif not pin.value:
            self._say(_("Type your PIN."), error=True)
        else:
            self._submit(empno.value.strip(), pin.value)

    def _submit(self, empno: str, pin: str) -> None:
        app = self.app
        if self._failed is not None:
            return
        if not app.ready:
            # Signed in as soon as the store is open (store_ready), unless the form changes.
            self._waiting = (empno, pin)
            self._say(_("The store is still opening; you are signed in as soon as it is ready."),
                      error=False)
            return
        if self._busy:
            return
        self._busy = True
        self._say(_("Checking…"), error=False)
        from hallterm.services.staff import authenticate

        self.call(authenticate, app.base_ctx, empno=empno, pin=pin, purpose="signin",
                  on_success=self._success, on_error=self._refused)

    def _success(self, actor) -> None:
        self._busy = False
        self.reset()
        self.app.signed_in(actor)

    def _refused(self, exc: HallTermError) -> None:
        self._busy = False
        pin = self.query_one("#pin", Input)
        pin.value = ""
        self.set_focus(pin)
        self._say(str(exc), error=True)

    def _say(self, message: str, *, error: bool) -> None:
        label = self.query_one("#signin-message", Static)
        label.update(Text(message, style="bold red" if error else ""))

    def reset(self) -> None:
        """Empty the form for the next person."""
        self.query_one("#empno", Input).value = ""
        self.query_one("#pin", Input).value = ""
        self._say("", error=False)
        self.query_one("#empno", Input).focus()


def _demo_hint() -> Group:
    """The demo's staff and PIN, one per role."""
    from hallterm.demo import DEMO_PIN, DEMO_STAFF
    from hallterm.permissions import role_label

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for empno, _name, roles in DEMO_STAFF:
        table.add_row(empno, ", ".join(role_label(r) for r in roles))
    return Group(
        Text(_("Demo hall: sign in as"), style="bold"),
        table,
        Text(_("PIN for everyone: {pin}").format(pin=DEMO_PIN), style="bold"),
    )
