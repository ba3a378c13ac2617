"""The person dialog: another member of staff confirms with their PIN (e.g. the receiving clerk).

Unlike an approval it needs no particular role, only another person than the one
signed in::

    clerk = await self.app.push_screen_wait(
        PersonDialog("stock.receive", _("The receiving clerk confirms the issue")))

Returns that person's ``Actor``, or None when cancelled.
"""

from __future__ import annotations

from hallterm.i18n import _
from screens.shell import shell
from screens.widgets.approval import PinDialog


class PersonDialog(PinDialog):
    """Another person confirms with their employee number and PIN."""

    def __init__(self, purpose: str, title: str, *, precheck=None) -> None:
        super().__init__(title, precheck=precheck)
        self.purpose = purpose

    def title_text(self) -> str:
        return _("Confirmation by another person")

    def check(self, empno: str, pin: str):
        from hallterm.services.staff import confirm_person

        return confirm_person(shell(self).hctx, empno=empno, pin=pin, purpose=self.purpose)
