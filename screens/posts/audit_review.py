"""The Audit post's review queue (稽核): every record of a closed day, OK or exception.

Opened from the Audit post (W). One row per reviewable record of the day (the
areas register them), with its owner, review state and amount; below the table,
the selected record's details (flags, the latest note, where to find it). The
auditor marks a record OK (O) or raises an exception (X: category and note), and
answers a rectification: accept (A) or send it back (S, with a note). The hall
manager reads the queue but does not review. Filters: kind (K), state (T); another
day (D); the cash reconciliation (C) and who viewed customer data (E).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from hallterm.errors import BadInput
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.widgets.fit import cut, room_for, widest
from screens.widgets.form_dialog import Field, FormDialog
from screens.widgets.header import ShellHeader

COLUMNS = (N_("Record"), N_("Owner"), N_("State"), N_("Amount"), N_("Summary"))
STATE_STYLE = {"ok": "green", "exception": "bold red", "reopened": "bold red",
               "rectified": "yellow", "accepted": "green"}


def reveal_text(rows) -> str:
    """Who viewed customer data, a line each, grouped by person."""
    lines: list[str] = []
    person = None
    for r in rows:
        if r.person != person:
            person = r.person
            lines.append(_("{empno}:").format(empno=person))
        lines.append(f"  {r.at:%H:%M:%S} {r.what} {r.record} {r.reason or ''}".rstrip())
    return "\n".join(lines) if lines else _("Nobody viewed customer data in full that day.")


class ReviewScreen(PostScreen):
    """A closed day's review queue."""

    DEFAULT_CSS = """
    ReviewScreen #review-title { text-style: bold; color: $accent; padding: 0 1; }
    ReviewScreen #review-table { height: 1fr; }
    ReviewScreen #review-detail { height: auto; max-height: 5; padding: 0 1;
                                  border-top: solid $primary; }
    """
    ACTIONS = declare(
        "review", N_("Audit: review queue"),
        Action("review.ok", "o", "ok", N_("OK"), N_("The selected record is in order"),
               permission="review.audit"),
        Action("review.exception", "x", "exception", N_("Exception"), N_(
            "Raise an exception on the selected record: category and note; it goes to the "
            "owner's inbox"), permission="review.audit"),
        Action("review.accept", "a", "accept", N_("Accept"), N_(
            "Accept the owner's rectification of the selected record"),
               permission="review.audit"),
        Action("review.reopen", "s", "reopen", N_("Send back"), N_(
            "Send the rectification back to the owner, saying why"), permission="review.audit"),
        Action("review.kind", "k", "kind", N_("Kind"), N_("Show one kind of record only")),
        Action("review.state", "t", "state", N_("State"), N_("Show one review state only")),
        Action("review.day", "d", "day", N_("Day"), N_("Review another closed day")),
        Action("review.cash", "c", "cash", N_("Cash"), N_(
            "The cash reconciliation of the day: expected against counted at each count")),
        Action("review.reveals", "e", "reveals", N_("Reveals"), N_(
            "Who viewed customer data in full that day")),
        Action("review.refresh", "r", "refresh", N_("Refresh"), N_(
            "Read the queue again (rectifications come in meanwhile)")),
        Action("review.back", "escape", "back", N_("Back"), N_("Back to the audit log")),
        order=62)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, day: date) -> None:
        super().__init__()
        self.day = day
        self.kind: str | None = None
        self.state: str | None = None
        self.rows: list = []

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        yield Static(id="review-title")
        yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="review-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_rows()
        self.query_one("#review-table", DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"ok", "exception", "accept", "reopen"}:
            from hallterm.permissions import allowed

            actor = self.hctx.actor if self.hctx is not None else None
            return actor is not None and allowed(actor.roles, "review.audit")
        return True

    # -- the rows -----------------------------------------------------------------------
    def refresh_rows(self) -> None:
        from hallterm.services.review import day_queue

        self.call(day_queue, self.hctx, business_day=self.day, kind=self.kind,
                  state=self.state, on_success=self._show)

    def _title(self) -> None:
        text = _("Review of {day}: {n} records").format(day=self.day, n=len(self.rows))
        open_ = sum(r.state in ("exception", "reopened", "rectified") for r in self.rows)
        todo = sum(r.state == "unreviewed" for r in self.rows)
        text += "  " + _("not reviewed {todo}, open exceptions {open}").format(
            todo=todo, open=open_)
        if self.kind or self.state:
            text += "  " + _("only {what}").format(
                what=" ".join(x for x in (self.kind, self.state) if x))
        self.query_one("#review-title", Static).update(text)

    def _show(self, rows, *, keep: int | None = None) -> None:
        from hallterm.services.review import state_label

        self.rows = rows
        table = self.query_one("#review-table", DataTable)
        at = table.cursor_row if keep is None else keep
        table.clear(columns=True)
        cells = [(r.ref, r.owner, state_label(r.state),
                  format_fen(r.amount_fen) if r.amount_fen is not None else "", r.summary)
                 for r in rows]
        widths = [widest(_(h), [c[n] for c in cells]) for n, h in enumerate(COLUMNS)]
        summary = room_for(table, widths[:4], minimum=8, natural=widths[4])
        for label in COLUMNS:
            table.add_column(_(label))
        for r, row in zip(rows, cells, strict=True):
            table.add_row(row[0], row[1], Text(row[2], style=STATE_STYLE.get(r.state, "")),
                          row[3], cut(row[4], summary))
        if rows:
            table.move_cursor(row=min(max(at, 0), len(rows) - 1))
        self._title()
        self._detail()

    def on_data_table_row_highlighted(self, _event) -> None:
        self._detail()

    def _current(self):
        table = self.query_one("#review-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _detail(self) -> None:
        from hallterm.services.review import category_label, state_label

        row = self._current()
        box = self.query_one("#review-detail", Static)
        if row is None:
            box.update(_("No reviewable records."))
            return
        lines = [f"{row.ref}  {row.summary}"]
        lines += list(row.flags)
        if row.reviewer:
            lines.append(_("{state} by {by}: {category}{note}").format(
                state=state_label(row.state), by=row.reviewer,
                category=category_label(row.category) or "-",
                note=f" — {row.note}" if row.note else ""))
        if row.with_ref:
            lines.append(_("Rectified with {ref}").format(ref=row.with_ref))
        if row.where:
            lines.append(_("Find it: {where}").format(where=row.where))
        box.update(Text("\n".join(lines)))

    def on_resize(self) -> None:
        self.call_after_refresh(lambda: self._show(self.rows) if self.rows else None)

    # -- the verdicts -----------------------------------------------------------------
    def _done(self, step) -> None:
        from hallterm.services.review import state_label

        self.notify(_("{ref}: {state}").format(ref=step.ref, state=state_label(step.state)),
                    timeout=3)
        self.refresh_rows()

    def _chosen(self):
        row = self._current()
        if row is None:
            self.notify(_("No reviewable records."), severity="warning")
        return row

    def action_ok(self) -> None:
        from hallterm.services.review import mark_ok

        row = self._chosen()
        if row is not None:
            self.call(mark_ok, self.hctx, business_day=self.day, ref=row.ref,
                      on_success=self._done)

    def action_exception(self) -> None:
        from hallterm.services.review import parse_category, raise_exception

        row = self._chosen()
        if row is None:
            return

        def check(values: dict[str, str]) -> None:
            parse_category(values["category"])
            if not values["note"].strip():
                raise BadInput(_("Say why in a note."), field="note")

        def done(values: dict[str, str] | None) -> None:
            if values:
                self.call(raise_exception, self.hctx, business_day=self.day, ref=row.ref,
                          category=values["category"], note=values["note"],
                          on_success=self._done)

        self.app.push_screen(FormDialog(_("Exception on {ref}").format(ref=row.ref), [
            Field("category", N_("Category: 1 paperwork, 2 amount, 3 customer data, "
                                 "4 approval, 5 other")),
            Field("note", N_("Note: what is wrong"))], check=check), done)

    def action_accept(self) -> None:
        from hallterm.services.review import accept

        row = self._chosen()
        if row is not None:
            self.call(accept, self.hctx, ref=row.ref, on_success=self._done)

    def action_reopen(self) -> None:
        from hallterm.services.review import reopen

        row = self._chosen()
        if row is None:
            return

        def done(values: dict[str, str] | None) -> None:
            if values:
                self.call(reopen, self.hctx, ref=row.ref, note=values["note"],
                          on_success=self._done)

        self.app.push_screen(FormDialog(_("Send {ref} back").format(ref=row.ref), [
            Field("note", N_("Why it goes back"))]), done)

    # -- filters, another day, the other views ------------------------------------------
    def _ask(self, title: str, label: str, value: str, apply) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                apply(values["value"].strip() or None)

        self.app.push_screen(FormDialog(title, [Field("value", label, value, required=False)]),
                             done)

    def action_kind(self) -> None:
        from hallterm.services.review import sources

        kinds = ", ".join(s.kind for s in sources())
        self._ask(_("Show one kind ({kinds})").format(kinds=kinds), N_("Kind (empty: all)"),
                  self.kind or "", self._set_kind)

    def _set_kind(self, value: str | None) -> None:
        from hallterm.services.review import sources

        kinds = [s.kind for s in sources()]
        if value and value.lower() not in kinds:
            self.notify(_("Unknown kind {k}; one of: {all}").format(k=value, all=", ".join(kinds)),
                        severity="error")
            return
        self.kind = value.lower() if value else None
        self.refresh_rows()

    def action_state(self) -> None:
        from hallterm.services.review import STATES

        self._ask(_("Show one state ({states})").format(states=", ".join(STATES)),
                  N_("State (empty: all)"), self.state or "", self._set_state)

    def _set_state(self, value: str | None) -> None:
        from hallterm.services.review import STATES

        if value and value.lower() not in STATES:
            self.notify(_("Unknown state {s}; one of: {all}").format(
                s=value, all=", ".join(STATES)), severity="error")
            return
        self.state = value.lower() if value else None
        self.refresh_rows()

    def action_day(self) -> None:
        self._ask(_("Review another day"), N_("Business day (YYYY-MM-DD)"),
                  self.day.isoformat(), self._set_day)

    def _set_day(self, value: str | None) -> None:
        try:
            self.day = date.fromisoformat(value or "")
        except ValueError:
            self.notify(_("Not a date (YYYY-MM-DD): {text}").format(text=value or ""),
                        severity="error")
            return
        self.refresh_rows()

    def action_cash(self) -> None:
        from hallterm.services.review import cash_lines, cash_reconciliation

        self.call(cash_reconciliation, self.hctx, business_day=self.day,
                  on_success=lambda rows: self._text(
                      _("Cash reconciliation of {day}").format(day=self.day), cash_lines(rows)))

    def action_reveals(self) -> None:
        from hallterm.services.review import reveals

        self.call(reveals, self.hctx, business_day=self.day,
                  on_success=lambda rows: self._text(
                      _("Who viewed customer data on {day}").format(day=self.day),
                      [reveal_text(rows)]))

    def _text(self, title: str, lines: list[str]) -> None:
        from screens.posts.audit import ReportDialog

        self.app.push_screen(ReportDialog("\n".join([title, "", *lines])))

    def action_refresh(self) -> None:
        self.refresh_rows()

    def action_back(self) -> None:
        self.app.pop_screen()

    def retranslate(self) -> None:
        """The language changed: the summaries come from the areas, so read them again."""
        self._show(self.rows)
        self.refresh_rows()
