"""Overdue complaints on the managers' home screens (the escalation).

A complaint past a deadline goes to the duty manager; overdue by the hall's
``hall_manager_after_hours`` more, to the hall manager too. The levels are computed
from each complaint's events when read (``complaints.deadlines``). The duty manager
sees every overdue complaint, the hall manager those escalated to them; nothing
shows when nothing is overdue, or to anyone else. F4 opens the Complaints post.
Showing one records it in the audit log, once a complaint, level and manager
(``complaints.show_escalations``).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from hallterm.i18n import _
from hallterm.permissions import DUTY_MANAGER

SHOWN = 5  # complaints listed on home; the rest are counted


def escalation_text(lines: list, *, hall_manager: bool) -> Text:
    """The heading and a line a complaint: number, what is late, by how much, the owner."""
    from hallterm.services import complaints
    from screens.posts.complaints_text import CLOCK_TITLES, level_text

    text = Text()
    if not lines:
        return text
    head = (_("Complaints escalated to the hall manager: {n}") if hall_manager
            else _("Overdue complaints (escalated to the duty manager): {n}"))
    text.append(head.format(n=len(lines)) + "\n", style="bold red")
    for x in lines[:SHOWN]:
        late = [c for c in x.clocks.clocks if c.overdue]
        worst = min(late, key=lambda c: c.left) if late else None
        what = _("{clock} overdue by {left}").format(
            clock=_(CLOCK_TITLES[worst.name]),
            left=complaints.describe_left(-worst.left, worst.basis)) if worst else ""
        line = _("{number} ({category}) owner {owner}: {what}").format(
            number=x.number, category=complaints.label(complaints.CATEGORIES, x.category),
            owner=x.owner, what=what)
        text.append("  ")
        text.append(level_text(x.clocks.level, line))
        text.append("\n")
    if len(lines) > SHOWN:
        text.append("  " + _("… and {n} more (Complaints post, F4)").format(
            n=len(lines) - SHOWN) + "\n")
    text.rstrip()
    return text


class ComplaintEscalations(Static):
    """The escalated complaints of a manager's home (hidden while none)."""

    DEFAULT_CSS = """
    ComplaintEscalations { margin-top: 1; height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list = []

    def load(self) -> None:
        screen = self.screen
        ctx = screen.hctx  # type: ignore[attr-defined]
        if ctx is None or ctx.actor is None:
            return
        from hallterm.services import complaints

        screen.call(complaints.show_escalations, ctx,  # type: ignore[attr-defined]
                    on_success=self.show)

    def show(self, lines: list) -> None:
        self.lines = lines
        roles = set(self.screen.hctx.actor.roles)  # type: ignore[attr-defined]
        self.update(escalation_text(lines, hall_manager=DUTY_MANAGER not in roles))
        self.display = bool(lines)
