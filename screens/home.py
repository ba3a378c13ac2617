"""The home screen (首页): who is signed in, the business day, their posts, the day's figures.

The posts come from ``screens.registry`` (only those the person's roles may open,
each with its key); a hall manager also sees the headline figures that areas
register with ``hallterm.services.figures``. Nothing here changes when a post or
a figure is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from hallterm.i18n import N_, _, get_language
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.widgets.complaint_escalations import ComplaintEscalations
from screens.widgets.header import ShellHeader
from screens.widgets.review_inbox import ReviewInbox, rectify_dialog


@dataclass(frozen=True)
class HomeFacts:
    """What the home screen shows, read in one worker call."""

    day_state: str
    figures: list[tuple[str, str]] | None  # None: this person does not see figures
    alerts: tuple = ()  # staff.ApprovalAlert: wrong PINs typed under this person's number


def read_home(ctx) -> HomeFacts:
    """Read the business day and (for whoever may) the headline figures."""
    from hallterm.permissions import allowed
    from hallterm.services import figures
    from hallterm.services.day import day_status
    from hallterm.services.staff import approval_alerts

    info = day_status(ctx)
    shown = None
    if ctx.actor is not None and allowed(ctx.actor.roles, "day.figures"):
        shown = figures.headline(ctx, business_day=info.business_day)
    return HomeFacts(info.state, shown, tuple(approval_alerts(ctx)))


def alert_lines(alerts) -> list[str]:
    """What home tells a person whose number was used with wrong approval PINs today."""
    lines = []
    for a in alerts:
        line = _("Wrong PINs typed for your approval today: {attempts} on terminal {terminal} "
                 "(last at {at}; signed in there: {who}).").format(
                     attempts=a.attempts, terminal=a.terminal, at=a.last_at.strftime("%H:%M"),
                     who=", ".join(a.typed_by) or "-")
        if a.waited:
            gap = "" if get_language() == "zh_CN" else " "
            line += gap + _("Its approvals were made to wait.")
        lines.append(line)
    return lines


class HomeScreen(PostScreen):
    """The first screen after sign-in."""

    DEFAULT_CSS = """
    HomeScreen #home { padding: 1 2; }
    HomeScreen .section { text-style: bold; color: $accent; margin-top: 1; }
    HomeScreen #home-who { text-style: bold; }
    HomeScreen #home-alerts { color: $warning; text-style: bold; }
    """
    ACTIONS = declare(
        "home", N_("Home"),
        Action("home.rectify", "r", "rectify", N_("Rectify"), N_(
            "Answer a review exception on your record: a corrective record, or a note"),
               permission="review.rectify"),
        order=1)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self._facts: HomeFacts | None = None
        self._facts_language: str | None = None

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with VerticalScroll(id="home"):
            yield Static(id="home-who")
            yield Static(id="home-roles")
            yield Static(id="home-day")
            yield Static(id="home-alerts")
            yield ReviewInbox(id="home-review")
            yield ComplaintEscalations(id="home-escalations")
            yield Static(id="home-posts-title", classes="section")
            yield Static(id="home-posts")
            yield Static(id="home-figures-title", classes="section")
            yield Static(id="home-figures")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.retranslate()
        self.load()

    def on_screen_resume(self) -> None:
        # Coming back from a post: the day and the figures may have moved on.
        if self._facts is not None:
            self.load()

    def day_changed(self, state: str) -> None:
        """The day was opened or closed elsewhere: the day line and figures follow."""
        self.load()

    def load(self) -> None:
        if self.app.hctx is None or self.app.hctx.actor is None:
            return
        self.call(read_home, self.app.hctx, on_success=self._loaded)
        self.query_one(ReviewInbox).load()
        self.query_one(ComplaintEscalations).load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rectify":  # shown only while the person has an exception to answer
            inbox = self.query(ReviewInbox)
            return bool(inbox and inbox.first().facts.to_answer)
        return True

    def action_rectify(self) -> None:
        rectify_dialog(self, self.query_one(ReviewInbox))

    def _loaded(self, facts: HomeFacts) -> None:
        self._facts = facts
        self._facts_language = get_language()
        self.app.day_state = facts.day_state
        self.app.refresh_header()
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language (also after a language switch)."""
        from hallterm.permissions import role_label
        from hallterm.services.day import state_label

        actor = self.app.actor
        if actor is None:
            return
        if self._facts is not None and self._facts_language != get_language():
            self.load()  # the figures' labels come translated from their areas
        self.query_one("#home-who", Static).update(Text(
            _("Signed in: {name} ({empno})").format(name=actor.name, empno=actor.empno)))
        self.query_one("#home-roles", Static).update(Text(_("Roles: {roles}").format(
            roles=", ".join(role_label(r) for r in sorted(actor.roles)))))
        today = self.app.clock.now().date().isoformat()
        state = self._facts.day_state if self._facts else self.app.day_state
        day = _("Business day {day}: {state}").format(
            day=today, state=state_label(state) if state else "…")
        self.query_one("#home-day", Static).update(Text(day))
        alerts = alert_lines(self._facts.alerts) if self._facts else []
        box = self.query_one("#home-alerts", Static)
        box.display = bool(alerts)
        box.update(Text("\n".join(alerts)))
        self.query_one("#home-posts-title", Static).update(_("Your posts"))
        self.query_one("#home-posts", Static).update(self._posts_table())
        figures = self._facts.figures if self._facts else None
        title = self.query_one("#home-figures-title", Static)
        body = self.query_one("#home-figures", Static)
        title.display = body.display = figures is not None
        if figures is not None:
            title.update(_("Today's figures"))
            body.update(_figures_table(figures))

    def _posts_table(self) -> Table | Text:
        posts = self.app.allowed_posts()
        if not posts:
            return Text(_("No post screen is open to your roles yet; the command palette "
                          "(Ctrl+P) lists what you may do."))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold reverse")
        table.add_column(style="bold")
        table.add_column()
        for post in posts:
            table.add_row(f" {post.key.upper()} ", _(post.title),
                          _(post.help) if post.help else "")
        return table


def _figures_table(figures: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 3))
    table.add_column()
    table.add_column(style="bold", justify="right")
    for label, value in figures:
        table.add_row(label, value)
    return table
