"""Ask a manager why they act at a counter another clerk keeps (an audited override).

A service refuses a manager at another clerk's counter with ``OverrideNeeded``;
the screen shows that message as the title of a one-field form and, when the
manager gives a reason, runs the action again with ``override_reason``.
"""

from __future__ import annotations

from collections.abc import Callable

from hallterm.i18n import N_


def ask_override(app, message: str, retry: Callable[[str], None]) -> None:
    """Ask for the override reason; ``retry(reason)`` runs the action again with it."""
    from screens.widgets.form_dialog import Field, FormDialog

    def answered(values) -> None:
        if values is not None and values.get("reason"):
            retry(values["reason"])

    app.push_screen(FormDialog(message, [
        Field("reason", N_("Override reason (kept in the audit log)"))]), answered)
