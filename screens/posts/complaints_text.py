"""What the Complaints post and the managers' home screens say about a complaint.

Plain functions from the service's read models to text: a list line's cells, the
escalation in colour, the complaint in full (stages, every clock with its deadline
and the time left, appeal, compensations).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services import complaints

LEVEL_STYLE = {"none": "", "warning": "bold yellow", "duty_manager": "bold red",
               "hall_manager": "bold white on red"}
CLOCK_TITLES = {
    "accept": N_("Accept stage"),
    "explain": N_("Contact (explain)"),
    "resolve": N_("Resolution"),
    "reply": N_("Reply (regulator's clock)"),
}
STATE_STYLE = {"met": "green", "late": "red"}


def state_word(state: str) -> str:
    """A complaint's state in the reader's language."""
    return complaints.label(complaints.STATES, state)


def when(at: datetime | None) -> str:
    """A deadline, short: ``12-01 15:30``."""
    return at.strftime("%m-%d %H:%M") if at else "-"


def level_text(level: str, text: Text | str) -> Text:
    """``text`` in the colour of an escalation level."""
    shown = text if isinstance(text, Text) else Text(text)
    shown.stylize(LEVEL_STYLE.get(level, ""))
    return shown


def status(line, empno: str | None) -> str:
    """A list line's status: waiting, offered, appealed, or the escalation."""
    c = line.clocks
    if line.offered_to:
        if line.offered_to == empno:
            return _("offered to you")
        return _("offered to {empno}").format(empno=line.offered_to)
    if line.state == "paused" and c.level in ("none", "warning"):
        return state_word("paused")
    if line.state == "appealed" and c.level == "none":
        return state_word("appealed")
    return complaints.level_label(c.level)


def line_cells(line, empno: str | None) -> tuple[str, str, str, str, str, str]:
    """Number, stage, next deadline, time left, status, owner."""
    nxt = line.clocks.next
    repeat = " ↻" if line.repeat else ""
    return (line.number + repeat, f"{line.stage}/4", when(nxt.due if nxt else None),
            complaints.describe_left(nxt.left, nxt.basis) if nxt else "-", status(line, empno),
            line.owner)


def _clock_line(clock) -> Text:
    title = _(CLOCK_TITLES[clock.name])
    if clock.state in ("met", "late"):
        word = _("done on time") if clock.state == "met" else _("done late")
        return Text(_("{clock}: due {due}, {state} ({at})").format(
            clock=title, due=when(clock.due), state=word, at=when(clock.ended)),
            style=STATE_STYLE[clock.state])
    if clock.overdue and clock.left.total_seconds() < 0:
        text = _("{clock}: due {due}, overdue by {left}").format(
            clock=title, due=when(clock.due),
            left=complaints.describe_left(-clock.left, clock.basis))
    elif clock.overdue:  # past its time, with no working time since
        text = _("{clock}: due {due}, overdue").format(clock=title, due=when(clock.due))
    else:
        text = _("{clock}: due {due}, {left} left").format(
            clock=title, due=when(clock.due), left=complaints.describe_left(clock.left, clock.basis))
    if clock.state == "paused":
        text += "  " + _("(paused)")
    return level_text(clock.level, text)


def detail_lines(view) -> list[Text]:
    """The complaint in full, the deadlines first (what an 80x24 terminal shows)."""
    lines: list[Text] = []
    about = [view.number, complaints.label(complaints.CATEGORIES, view.category),
             complaints.label(complaints.CHANNELS, view.channel), view.phone or "-"]
    lines.append(Text("  ".join(about), style="bold"))
    if view.stage < 4 and view.state != "closed":
        where = _("{state}, stage {n}/4 done; next: {stage}").format(
            state=state_word(view.state), n=view.stage,
            stage=complaints.label(complaints.STAGE_TITLES, view.stage + 1))
    else:
        where = _("{state}, stage {n}/4 done").format(state=state_word(view.state), n=view.stage)
    lines.append(Text(where, style="bold"))
    owner = _("Owner {owner} (taken by {taker} at {at})").format(
        owner=view.owner, taker=view.taken_by, at=view.opened_at.strftime("%Y-%m-%d %H:%M"))
    if view.offered_to:
        owner += "  " + _("offered to {empno}, not yet accepted").format(empno=view.offered_to)
    if view.state != "closed":
        lines.extend(_clock_line(clock) for clock in view.clocks.clocks)
    lines.append(Text(owner))
    if view.repeat_of:
        lines.append(Text(_("Repeat complaint: earlier {numbers}").format(
            numbers=", ".join(view.repeat_of)), style="yellow"))
    appeal = view.clocks.appeal
    if appeal is not None:
        lines.append(Text(_("Appealed ({reference}) {at}: the regulator accepts by {accept}, "
                            "replies by {reply}").format(
            reference=view.appeal_reference or "-", at=when(appeal.at),
            accept=when(appeal.accept_by), reply=when(appeal.reply_by)), style="magenta"))
    lines.append(Text(view.text))
    related = [f"{word} {value}" for word, value in (
        (_("receipt"), view.receipt), (_("order"), view.order_no), (_("ticket"), view.ticket))
        if value]
    if related:
        lines.append(Text(_("Related: {records}").format(records=", ".join(related))))
    for stage in view.stages:
        if stage.done_at:
            title = complaints.label(complaints.STAGE_TITLES, stage.number)
            lines.append(Text(f"✓ {stage.number}. {title}: {stage.done or ''} "
                              f"({stage.by}, {when(stage.done_at)})", style="green"))
    for pay in view.compensations:
        kind = complaints.label(complaints.COMPENSATION_KINDS, pay.kind)
        drawer = _(", drawer of counter {n}").format(n=pay.counter) if pay.counter else ""
        lines.append(Text(_("Compensation: {kind} {amount}, {what} (approved by {approver}"
                            "{where})").format(kind=kind, amount=format_fen(pay.amount_fen),
                                               what=pay.description, approver=pay.approver,
                                               where=drawer)))
    if view.result:
        lines.append(Text(_("Closed: {result}. {summary}").format(
            result=complaints.label(complaints.RESULTS, view.result), summary=view.summary or ""),
            style="bold"))
    if view.state == "closed":
        lines.extend(_clock_line(clock) for clock in view.clocks.clocks)
    return lines
