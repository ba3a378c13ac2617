"""The approval dialog (授权): a duty or hall manager authorises an action with their PIN.

Later screens call it when an action needs a second person::

    approver = await self.app.push_screen_wait(
        ApprovalDialog("sale.void", _("Void receipt {number}").format(number=n)))
    if approver is None:
        return  # cancelled

(from an async worker: ``@work`` on the calling method). It names the action,
asks for the approver's employee number and PIN, shows why it was refused if it
was (wrong PIN, not allowed to approve this, your own action), and returns the
approver's ``Actor`` for the caller to pass to its write.
"""

from __future__ import annotations

import functools
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from hallterm.empno import EMPNO_INPUT, EMPNO_MAX
from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.shell import in_thread, shell
from screens.translate import TranslatedKeys


class PinDialog(TranslatedKeys, ModalScreen):
    """A modal asking another person for their employee number and PIN."""

    DEFAULT_CSS = """
    PinDialog { align: center middle; }
    PinDialog #pin-dialog {
        width: 56; height: auto; padding: 0 2; border: thick $warning; background: $panel;
    }
    PinDialog #dialog-title { text-style: bold; color: $warning; }
    PinDialog #dialog-what { margin-bottom: 1; }
    PinDialog #dialog-message { height: auto; min-height: 1; margin-top: 1; }
    """
    ACTIONS = declare(
        "pin", N_("PIN and approval dialogs"),
        Action("pin.cancel", "escape", "cancel", N_("Cancel")),
        Action("pin.enter", "enter", "enter", N_("Next / confirm"), footer=False, priority=True),
        order=98)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, description: str, *, precheck=None) -> None:
        super().__init__()
        self.description = description
        self._busy = False
        # Run (in the thread) on the employee number before the PIN is checked: a person
        # who may not do this is refused without a PIN attempt counted or recorded.
        self.precheck = precheck

    def title_text(self) -> str:
        """The dialog's title (subclasses name what is asked)."""
        return _("Confirmation by another person")

    def check(self, empno: str, pin: str):
        """Run in a thread: return the person or raise a ``HallTermError``.

        By default another person confirms with their PIN; ``ApprovalDialog`` also
        checks that they may approve the action.
        """
        from hallterm.services.staff import confirm_person

        return confirm_person(shell(self).hctx, empno=empno, pin=pin)

    def check_person(self, empno: str) -> None:
        """Run in a thread before the PIN is checked: may this person do it at all?"""
        if self.precheck is not None:
            self.precheck(empno)

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-dialog"):
            yield Static(id="dialog-title")
            yield Static(Text(self.description), id="dialog-what")
            yield Label(id="dialog-empno-label")
            yield Input(id="dialog-empno", max_length=EMPNO_MAX, restrict=EMPNO_INPUT)
            yield Label(id="dialog-pin-label")
            yield Input(id="dialog-pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static(id="dialog-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#dialog-title", Static).update(Text(self.title_text()))
        self.query_one("#dialog-empno-label", Label).update(_("Employee number"))
        self.query_one("#dialog-pin-label", Label).update(_("PIN"))
        self.query_one("#dialog-empno", Input).focus()

    def action_enter(self) -> None:
        """Enter: from the employee number to the PIN; from the PIN, check."""
        empno = self.query_one("#dialog-empno", Input)
        pin = self.query_one("#dialog-pin", Input)
        if self.focused is not pin:
            self.set_focus(pin)
            return
        # Read the fields after they have handled their queued keys (a fast burst).
        empno.call_later(pin.call_later, self._enter_on_pin)

    def _enter_on_pin(self) -> None:
        empno = self.query_one("#dialog-empno", Input)
        pin = self.query_one("#dialog-pin", Input)
        if not pin.value:
            return
        if not empno.value.strip():
            self.set_focus(empno)
            return
        if self._busy:
            return
        self._busy = True
        self.query_one("#dialog-message", Static).update(_("Checking…"))
        who, secret = empno.value.strip(), pin.value

        def work() -> tuple[HallTermError | None, Any]:
            try:
                self.check_person(who)
            except HallTermError as exc:
                return exc, None  # the wrong person: the number field, not the PIN
            return None, self.check(who, secret)

        def done(result: tuple[HallTermError | None, Any]) -> None:
            wrong, person = result
            if wrong is not None:
                self._wrong_person(wrong)
            else:
                self.dismiss(person)

        in_thread(self, work, group="pin-dialog", exclusive=True, done=done,
                  refused=self._refused, bug=functools.partial(self._refused, None))

    def _refused(self, exc: HallTermError | None) -> None:
        self._busy = False
        pin = self.query_one("#dialog-pin", Input)
        pin.value = ""
        self.set_focus(pin)
        message = str(exc) if exc is not None else _("Sorry, something went wrong.")
        self.query_one("#dialog-message", Static).update(Text(message, style="bold red"))

    def _wrong_person(self, exc: HallTermError) -> None:
        """The person named may not do this: keep the number, mark it, clear the PIN."""
        self._busy = False
        self.query_one("#dialog-pin", Input).value = ""
        empno = self.query_one("#dialog-empno", Input)
        empno.add_class("-invalid")
        self.set_focus(empno)
        self.query_one("#dialog-message", Static).update(Text(str(exc), style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ApprovalDialog(PinDialog):
    """A second person (duty or hall manager) authorises ``action`` (``APPROVERS`` names who)."""

    def __init__(self, action: str, description: str, *, precheck=None) -> None:
        super().__init__(description, precheck=precheck)
        self.action = action

    def title_text(self) -> str:
        return _("Approval needed")

    def check(self, empno: str, pin: str):
        from hallterm.services.staff import approve

        return approve(shell(self).hctx, action=self.action, empno=empno, pin=pin)
