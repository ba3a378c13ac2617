"""The Complaints post (投诉接待岗, F4): my complaints by deadline, and the hall's.

The list shows the complaints I own or am offered, the next deadline first, with the
time left and the escalation (warning, overdue: duty manager, overdue: hall
manager); a manager sees the hall's open complaints (``v`` switches, ``o`` keeps only
the overdue ones). Below it the highlighted complaint in full: the customer (phone
masked), what it is about, the four stages, every clock with its deadline and the
time left, the appeal and the compensations. Every deadline is computed from the
complaint's events when it is read (``complaints.deadlines``), never stored.

The actions (``screens.posts.complaints_actions``) each ask with a small form whose
every field is checked before anything is written: new complaint, the next stage,
pause and resume (only while waiting for the customer), transfer and accept,
compensation (a manager approves with their PIN), appeal and close.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from hallterm.i18n import N_, _
from hallterm.permissions import MANAGERS, allowed
from hallterm.services import complaints
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.posts.complaints_actions import ComplaintActions
from screens.posts.complaints_text import detail_lines, level_text, line_cells
from screens.registry import Post, register
from screens.widgets.fit import cut, room_for, widest
from screens.widgets.header import ShellHeader

VIEWS = ("mine", "hall")
REFRESH_SECONDS = 60.0


def heads() -> tuple[str, ...]:
    """The list's column heads, in the current language."""
    return (_("Number"), _("Stage"), _("Due"), _("Left"), _("Status"), _("Owner"))


class ComplaintsScreen(ComplaintActions, PostScreen):
    """The complaints desk's screen; managers see the whole hall."""

    DEFAULT_CSS = """
    ComplaintsScreen #cp-body { padding: 0 1; height: 1fr; }
    ComplaintsScreen #cp-title { text-style: bold; color: $accent; }
    ComplaintsScreen #cp-list { height: 1fr; min-height: 4; max-height: 12; }
    ComplaintsScreen #cp-detail { height: 1fr; border-top: solid $primary; }
    """
    ACTIONS = declare(
        "complaints", N_("Complaints"),
        Action("complaints.new", "n", "new", N_("New"),
               N_("Take a new complaint: you own it (首问负责制)"), permission="complaint.open"),
        Action("complaints.stage", "s", "stage", N_("Stage done"),
               N_("Record the next of the four stages with what was done"),
               permission="complaint.work"),
        Action("complaints.pause", "p", "pause", N_("Pause"),
               N_("Stop the clocks while waiting for the customer (only for that)"),
               permission="complaint.work"),
        Action("complaints.resume", "r", "resume", N_("Resume"),
               N_("The customer is back: the clocks run again"), permission="complaint.work"),
        Action("complaints.transfer", "t", "transfer", N_("Reassign"),
               N_("Offer the complaint to a colleague; it is yours until they accept"),
               permission="complaint.work"),
        Action("complaints.accept", "a", "accept", N_("Accept offer"),
               N_("Take over a complaint offered to you"), permission="complaint.work"),
        Action("complaints.compensate", "m", "compensate", N_("Compensation"),
               N_("Cash, bill credit or goods, approved by a manager"),
               permission="complaint.work"),
        Action("complaints.appeal", "e", "appeal", N_("Appeal"),
               N_("The customer took it to the regulator (申诉): record the reference"),
               permission="complaint.work"),
        Action("complaints.close", "c", "close", N_("Close"),
               N_("Close with the follow-up result and a summary"), permission="complaint.work"),
        Action("complaints.view", "v", "switch_view", N_("Mine / hall"),
               N_("Switch between my complaints and the hall's open complaints")),
        Action("complaints.overdue", "o", "overdue_only", N_("Overdue only"),
               N_("Show only the overdue complaints, or all again")),
        Action("complaints.refresh", "g", "refresh", N_("Refresh"),
               N_("Read the complaints again (the clocks move on)")),
        order=40)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.view = "mine"
        self.overdue_only = False
        self.lines: list = []
        self.current = None  # complaints.ComplaintView of the highlighted line
        self._shown_number: str | None = None

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Vertical(id="cp-body"):
            yield Static(id="cp-title")
            yield DataTable(id="cp-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="cp-detail"):
                yield Static(id="cp-text")
        yield Footer()

    def on_mount(self) -> None:
        if self.is_manager:
            self.view = "hall"
        self._columns()
        self._title()
        self.action_refresh()
        self.query_one("#cp-list", DataTable).focus()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)  # the clocks move on

    def on_screen_resume(self) -> None:
        # Back from home or another post: read again, the clocks have moved on.
        if self.hctx is not None:
            self.action_refresh()

    def _columns(self) -> None:
        table = self.query_one("#cp-list", DataTable)
        table.clear(columns=True)
        table.add_columns(*heads())

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._show_list()

    @property
    def empno(self) -> str | None:
        actor = self.hctx.actor if self.hctx else None
        return actor.empno if actor else None

    @property
    def is_manager(self) -> bool:
        actor = self.hctx.actor if self.hctx else None
        return actor is not None and bool(set(actor.roles) & MANAGERS)

    def may(self, permission: str) -> bool:
        actor = self.hctx.actor if self.hctx else None
        return actor is not None and allowed(actor.roles, permission)

    # -- what may be done now -----------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        c = self.current
        mine = c is not None and c.owner == self.empno
        working = c is not None and c.state in ("open", "paused", "appealed")
        if action == "stage":
            return mine and c.state in ("open", "appealed") and c.stage < 4
        if action == "pause":
            return mine and c.state == "open"
        if action == "resume":
            return mine and c.state == "paused"
        if action == "transfer":
            return working and (mine or self.is_manager)
        if action == "accept":
            return working and c.offered_to == self.empno
        if action == "compensate":
            return mine and working
        if action == "appeal":
            return working and c.state != "appealed" and (mine or self.is_manager)
        if action == "close":
            return mine and working and c.stage >= 3
        return True

    # -- reading ------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.call(complaints.list_complaints, self.hctx, overdue=self.overdue_only,
                  on_success=self._listed)

    def action_switch_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.action_refresh()

    def action_overdue_only(self) -> None:
        self.overdue_only = not self.overdue_only
        self.action_refresh()

    def _listed(self, lines: list) -> None:
        if self.view == "mine":
            lines = [x for x in lines if self.empno in (x.owner, x.offered_to)]
        self.lines = lines
        self._show_list()

    def _title(self) -> None:
        overdue = sum(1 for x in self.lines if x.overdue)
        if self.view == "mine":
            text = _("My complaints by deadline: {n} open, {overdue} overdue")
        else:
            text = _("The hall's open complaints: {n}, {overdue} overdue")
        text = text.format(n=len(self.lines), overdue=overdue)
        if self.overdue_only:
            text += "  " + _("(overdue only)")
        self.query_one("#cp-title", Static).update(Text(text))

    def on_resize(self) -> None:
        # After the layout: the table's new width is known only then.
        self.call_after_refresh(self._show_list)

    def _show_list(self, select: str | None = None) -> None:
        self._title()
        table = self.query_one("#cp-list", DataTable)
        keep = select or self._shown_number
        self._columns()  # a column keeps the width of its widest cell until it goes
        rows = [line_cells(x, self.empno) for x in self.lines]
        widths = [widest(h, [r[n] for r in rows]) for n, h in enumerate(heads())]
        status = room_for(table, widths[:4] + widths[5:], minimum=8, natural=widths[4])
        for x, r in zip(self.lines, rows, strict=True):
            table.add_row(Text(r[0]), Text(r[1]), Text(r[2]), Text(r[3], justify="right"),
                          level_text(x.clocks.level, cut(r[4], status)), Text(r[5]),
                          key=x.number)
        if not self.lines:
            self.current = None
            self._shown_number = None
            self.query_one("#cp-text", Static).update(Text(
                _("No complaint here. N takes a new one.") if self.may("complaint.open")
                else _("No complaint here.")))
            self.refresh_bindings()
            return
        numbers = [x.number for x in self.lines]
        row = numbers.index(keep) if keep in numbers else 0
        table.move_cursor(row=row)
        self._load_detail(numbers[row])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        number = event.row_key.value if event.row_key else None
        if number and number != self._shown_number:
            self._load_detail(number)

    def _load_detail(self, number: str) -> None:
        self._shown_number = number
        self.call(complaints.get_complaint, self.hctx, number=number, on_success=self._detail)

    def _detail(self, view) -> None:
        if view.number != self._shown_number:
            return  # the cursor moved on meanwhile
        self.current = view
        self.query_one("#cp-text", Static).update(Text("\n").join(detail_lines(view)))
        self.refresh_bindings()

    def reload(self, number: str | None = None) -> None:
        """After a change: the list and the complaint again (``number`` highlighted)."""
        if number:
            self._shown_number = number
        self.action_refresh()


register(Post(
    id="complaints",
    title=N_("Complaints"),
    key="f4",
    permission="screen.complaints",
    factory=ComplaintsScreen,
    help=N_("The four stages, deadlines, transfers, compensation, appeals; the hall's overdue"),
    order=40,
))
