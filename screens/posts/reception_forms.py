"""The Reception screen's forms: transfer, cancel or re-insert a ticket, and change a
counter's state (open, pause, closing, close) with a manager's override reason when the
counter's keeper is someone else.

A mixin of ``ReceptionScreen`` (it uses the host's ``hctx``, ``call``, ``status`` and
``reload``), kept apart so each module stays readable.
"""

from __future__ import annotations

from textual.widgets import DataTable

from hallterm.i18n import N_, _
from screens.widgets.form_dialog import Field, FormDialog


class ReceptionForms:
    """The guide's and manager's forms on the reception screen."""

    # -- tickets -----------------------------------------------------------------------
    def action_transfer(self) -> None:
        from hallterm.services.queue import transfer

        def answered(values) -> None:
            if values is not None:
                self.call(transfer, self.hctx, number=values["number"],
                          service=values["service"], reason=values["reason"],
                          on_success=lambda t: self._done(_("{number} now waits for {service}.")
                                                          .format(number=t.number,
                                                                  service=t.service)))

        self.app.push_screen(FormDialog(_("Transfer a ticket"), [
            Field("number", N_("Ticket number")), Field("service", N_("To service (code)")),
            Field("reason", N_("Reason"), required=False)]), answered)

    def action_cancel_ticket(self) -> None:
        from hallterm.services.queue import cancel

        def answered(values) -> None:
            if values is not None:
                self.call(cancel, self.hctx, number=values["number"], reason=values["reason"],
                          on_success=lambda t: self._done(_("{number} cancelled.").format(
                              number=t.number)))

        self.app.push_screen(FormDialog(_("Cancel a ticket"), [
            Field("number", N_("Ticket number")), Field("reason", N_("Reason"))]), answered)

    def action_reinsert(self) -> None:
        from hallterm.services.queue import reinsert

        def answered(values) -> None:
            if values is not None:
                self.call(reinsert, self.hctx, number=values["number"], reason=values["reason"],
                          on_success=lambda t: self._done(_("{number} is back in line.").format(
                              number=t.number)))

        self.app.push_screen(FormDialog(_("Re-insert a missed ticket (顺延)"), [
            Field("number", N_("Ticket number")), Field("reason", N_("Reason"))]), answered)

    # -- counters ----------------------------------------------------------------------
    def _highlighted_counter(self) -> str:
        table = self.query_one("#rc-counters", DataTable)
        if self.status is None or not self.status.counters or table.cursor_row is None:
            return ""
        return str(self.status.counters[min(table.cursor_row, len(self.status.counters) - 1)]
                   .number)

    def action_counter(self, state: str) -> None:
        from hallterm.services.queue import COUNTER_LABELS, set_counter_state

        fields = [Field("counter", N_("Counter number"), self._highlighted_counter())]
        if state == "open":
            fields.append(Field("clerk", N_("Clerk's employee number"), required=False))
        fields.append(Field("reason", N_("Reason"), required=False))

        def answered(values) -> None:
            if values is None:
                return
            try:
                number = int(values["counter"])
            except ValueError:
                self.notify(_("A counter number is a whole number."), severity="error")
                return

            def changed(info) -> None:
                message = _("Counter {number} is {state}.").format(
                    number=info.number, state=_(COUNTER_LABELS[info.state]))
                if info.orphans:
                    message += " " + _("Still waiting only for it: {numbers}").format(
                        numbers=" ".join(info.orphans))
                self._done(message)

            def refused(exc) -> None:
                from hallterm.services.queue import OverrideNeeded
                from screens.widgets.override import ask_override

                if not isinstance(exc, OverrideNeeded):
                    self.notify(str(exc), severity="error", timeout=6)
                    return
                ask_override(self.app, str(exc), lambda why: self.call(
                    set_counter_state, self.hctx, counter=number, state=state,
                    clerk=values.get("clerk") or None, reason=values["reason"],
                    override_reason=why, on_success=changed))

            self.call(set_counter_state, self.hctx, counter=number, state=state,
                      clerk=values.get("clerk") or None, reason=values["reason"],
                      on_success=changed, on_error=refused)

        self.app.push_screen(FormDialog(
            _("Counter: {state}").format(state=_(COUNTER_LABELS[state])), fields), answered)

    def _done(self, message: str) -> None:
        self.notify(message)
        self.reload()
