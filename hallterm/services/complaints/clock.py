"""The complaint clocks (SLA), computed from a complaint's events whenever it is read.

Nothing here is stored: ``deadlines(events, calendar, settings, now)`` reads the
event list — rows ``(at, kind, stage, by)`` with kind one of ``KINDS`` — and returns
every deadline, the time left and the escalation level. Counters kept in a row drift
(a missed update, a changed calendar); the events do not.

The clocks:

- the stage clocks: ``accept`` and ``explain`` within the contact allowance, ``resolve``
  within the resolution allowance, all counted from the opening (hall thresholds
  ``complaint_contact_hours``/``complaint_resolve_hours``, in working or calendar
  hours as ``complaints.stage_clock`` says); a clock ends when its stage is done;
- ``reply``: the regulator's 15 days (calendar days, or working days), ending when the
  complaint is closed.

A clock pauses only while waiting for the customer (``paused`` .. ``resumed``). A pause
is a gap the clock does not count: what it gives back is exactly the time the clock
would have counted in it — working time for a working clock. (The trap: adding the
paused *wall-clock* seconds to a working-hours deadline, which moves it by a whole night
for a pause taken overnight.) After an appeal (``appealed``) the regulator's own dates
are shown: acceptance within 5 working days, a reply within 30 days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from hallterm.hallconfig import HallConfig
from hallterm.i18n import _
from hallterm.services.complaints.workcal import Basis, Span, WorkCalendar, counted, due

KINDS = ("opened", "stage_done", "paused", "resumed", "transferred", "accepted", "appealed",
         "closed")
STAGES = ("accept", "explain", "resolve", "follow_up")
Level = Literal["none", "warning", "duty_manager", "hall_manager"]
LEVELS: tuple[Level, ...] = ("none", "warning", "duty_manager", "hall_manager")
State = Literal["running", "paused", "met", "late"]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Event:
    """One complaint event: when, what, which stage (for ``stage_done``) and by whom."""

    at: datetime
    kind: str
    stage: str | None = None
    by: Any = None


@dataclass(frozen=True)
class ClockSettings:
    """The clocks' allowances and thresholds (``settings_for`` reads them from the hall)."""

    stage_basis: Basis = "working_hours"
    contact: timedelta = 24 * HOUR
    resolve: timedelta = 48 * HOUR
    reply_basis: Basis = "calendar"
    reply: timedelta = 15 * DAY
    appeal_accept: timedelta = 5 * DAY  # working days
    appeal_reply: timedelta = 30 * DAY  # calendar days
    warn_before: timedelta = 4 * HOUR
    reply_warn: timedelta = 3 * DAY
    hall_manager_after: timedelta = 8 * HOUR

    def allowance(self, name: str) -> tuple[Basis, timedelta, timedelta]:
        """A clock's basis, allowance and warning margin."""
        if name == "reply":
            return self.reply_basis, self.reply, self.reply_warn
        return self.stage_basis, (self.resolve if name == "resolve" else self.contact), self.warn_before


def settings_for(hall: HallConfig) -> ClockSettings:
    """The clock settings of a hall configuration."""
    rules, limits = hall.complaints, hall.thresholds
    return ClockSettings(
        stage_basis="working_hours" if rules.stage_clock == "working" else "calendar",
        contact=limits.complaint_contact_hours * HOUR,
        resolve=limits.complaint_resolve_hours * HOUR,
        reply_basis="working_days" if rules.reply_clock == "working" else "calendar",
        reply=rules.reply_days * DAY,
        appeal_accept=rules.appeal_accept_working_days * DAY,
        appeal_reply=rules.appeal_reply_days * DAY,
        warn_before=rules.warn_before_hours * HOUR,
        reply_warn=rules.reply_warn_days * DAY,
        hall_manager_after=rules.hall_manager_after_hours * HOUR,
    )


@dataclass(frozen=True)
class Clock:
    """One deadline as of ``now``.

    ``due`` is in the hall's timezone (while paused: the deadline if the customer came
    back now); ``left`` is the counted time left (working time for a working clock),
    negative when overdue; ``ended`` is when the stage was done or the complaint closed.
    """

    name: str
    basis: Basis
    allowance: timedelta
    due: datetime | None
    left: timedelta
    ended: datetime | None
    state: State
    level: Level

    @property
    def overdue(self) -> bool:
        return self.state in ("running", "paused") and self.level in ("duty_manager", "hall_manager")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "basis": self.basis,
                "allowance_seconds": int(self.allowance.total_seconds()),
                "due": self.due.isoformat() if self.due else None,
                "left_seconds": int(self.left.total_seconds()),
                "ended": self.ended.isoformat() if self.ended else None,
                "state": self.state, "level": self.level, "overdue": self.overdue}


@dataclass(frozen=True)
class Appeal:
    """A complaint taken to the regulator (申诉) and the regulator's own dates."""

    at: datetime
    accept_by: datetime | None
    reply_by: datetime | None


@dataclass(frozen=True)
class Clocks:
    """Every clock of one complaint as of ``now`` (times in the hall's timezone)."""

    opened: datetime
    now: datetime
    owner: Any
    transfer_pending: Event | None
    stages_done: tuple[str, ...]
    paused_since: datetime | None
    closed: datetime | None
    appeal: Appeal | None
    clocks: tuple[Clock, ...]

    @property
    def stage(self) -> str | None:
        """The next stage to do (``None`` when all four are done)."""
        return next((s for s in STAGES if s not in self.stages_done), None)

    @property
    def level(self) -> Level:
        """The escalation: the highest level of any clock."""
        return max((c.level for c in self.clocks), key=LEVELS.index, default="none")

    @property
    def overdue(self) -> bool:
        return any(c.overdue for c in self.clocks)

    @property
    def next(self) -> Clock | None:
        """The running (or paused) clock due first: what "by deadline" sorts on."""
        live = [c for c in self.clocks if c.state in ("running", "paused") and c.due]
        return min(live, key=lambda c: (c.due, c.name), default=None)

    def clock(self, name: str) -> Clock:
        return next(c for c in self.clocks if c.name == name)

    def to_json(self) -> dict[str, Any]:
        return {"opened": self.opened.isoformat(), "stage": self.stage,
                "stages_done": list(self.stages_done),
                "paused_since": self.paused_since.isoformat() if self.paused_since else None,
                "closed": self.closed.isoformat() if self.closed else None,
                "appeal": None if self.appeal is None else {
                    "at": self.appeal.at.isoformat(),
                    "regulator_accepts_by": _iso(self.appeal.accept_by),
                    "regulator_replies_by": _iso(self.appeal.reply_by)},
                "level": self.level, "overdue": self.overdue,
                "clocks": [c.to_json() for c in self.clocks]}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def event(row: Any) -> Event:
    """An ``Event`` from a tuple ``(at, kind, stage, by)``, a mapping or a row by name."""
    if isinstance(row, Event):
        ev = row
    elif isinstance(row, Mapping):
        ev = Event(row["at"], row["kind"], row.get("stage"), row.get("by"))
    elif isinstance(row, tuple) and not hasattr(row, "_fields"):
        ev = Event(*row)
    else:
        ev = Event(row.at, row.kind, getattr(row, "stage", None), getattr(row, "by", None))
    if isinstance(ev.at, str):
        ev = Event(datetime.fromisoformat(ev.at), ev.kind, ev.stage, ev.by)
    if ev.at.tzinfo is None:
        raise ValueError(f"event time without a timezone: {ev.at!r}")
    if ev.kind not in KINDS:
        raise ValueError(f"unknown complaint event kind: {ev.kind!r}")
    if ev.kind == "stage_done" and ev.stage not in STAGES:
        raise ValueError(f"unknown complaint stage: {ev.stage!r}")
    return ev


def _level(left: timedelta, warn: timedelta, overdue: bool, settings: ClockSettings) -> Level:
    if overdue:
        return "hall_manager" if -left >= settings.hall_manager_after else "duty_manager"
    return "warning" if warn and left <= warn else "none"


def _clock(name: str, cal: WorkCalendar, settings: ClockSettings, start: datetime,
           ended: datetime | None, gaps: list[Span], paused: bool, now: datetime) -> Clock:
    """One clock; every time here is the hall's wall time (``WorkCalendar.wall``)."""
    basis, allowance, warn = settings.allowance(name)
    left = allowance - counted(cal, basis, start, ended if ended is not None else now, gaps)
    deadline = due(cal, basis, start, allowance, gaps)
    shown = _aware(cal, deadline)
    if ended is not None:
        late = deadline is not None and ended > deadline
        return Clock(name, basis, allowance, shown, left, cal.aware(ended),
                     "late" if late else "met", "none")
    overdue = deadline is not None and now > deadline
    return Clock(name, basis, allowance, shown, left, None, "paused" if paused else "running",
                 _level(left, warn, overdue, settings))


def _aware(cal: WorkCalendar, wall: datetime | None) -> datetime | None:
    return cal.aware(wall) if wall is not None else None


def deadlines(events: Iterable[Any], calendar: WorkCalendar, settings: ClockSettings,
              now: datetime) -> Clocks:
    """Every deadline, the time left and the escalation of one complaint as of ``now``.

    ``events`` in any order (sorted by time, ties kept in the given order); the first
    must be ``opened``; times timezone-aware (any zone: the clocks count the hall's
    wall-clock time). Raises ``ValueError`` on an event the service cannot have written.
    """
    cal = calendar
    now_wall = cal.wall(now)
    evs = sorted((event(e) for e in events), key=lambda e: e.at.astimezone(UTC))
    if not evs or evs[0].kind != "opened":
        raise ValueError("a complaint's events start with 'opened'")
    opened = cal.wall(evs[0].at)
    owner, pending = evs[0].by, None
    done: dict[str, datetime] = {}
    gaps: list[Span] = []
    paused_at: datetime | None = None
    closed: datetime | None = None
    appealed: datetime | None = None
    at = opened
    for ev in evs[1:]:
        at = max(cal.wall(ev.at), at)  # wall time never runs back (a DST fall-back hour)
        if ev.kind == "appealed" and appealed is None:
            appealed = at
        if closed is not None:
            continue
        if ev.kind == "stage_done" and ev.stage is not None:
            done.setdefault(ev.stage, at)
        elif ev.kind == "paused" and paused_at is None:
            paused_at = at
        elif ev.kind == "resumed" and paused_at is not None:
            gaps.append((paused_at, at))
            paused_at = None
        elif ev.kind == "transferred":
            pending = ev
        elif ev.kind == "accepted":
            owner, pending = ev.by, None
        elif ev.kind == "closed":
            closed = at
    if paused_at is not None and closed is not None:
        gaps.append((paused_at, closed))
        paused_at = None
    live = gaps + ([(paused_at, max(paused_at, now_wall))] if paused_at is not None else [])
    clocks = tuple(
        _clock(name, cal, settings, opened, done.get(name, closed), live,
               paused_at is not None, now_wall)
        for name in ("accept", "explain", "resolve", "reply")
    )
    appeal = None
    if appealed is not None:
        appeal = Appeal(cal.aware(appealed),
                        _aware(cal, due(cal, "working_days", appealed, settings.appeal_accept)),
                        _aware(cal, due(cal, "calendar", appealed, settings.appeal_reply)))
    return Clocks(
        opened=cal.aware(opened), now=now.astimezone(cal.tz), owner=owner,
        transfer_pending=pending, stages_done=tuple(s for s in STAGES if s in done),
        paused_since=_aware(cal, paused_at), closed=_aware(cal, closed), appeal=appeal,
        clocks=clocks,
    )


def describe_left(left: timedelta, basis: Basis = "calendar") -> str:
    """``2d 03h``, ``3h 20m``, ``45m``; overdue reads ``-1h 05m`` (the clock's own time).

    Working hours are shown in hours only (``26h 30m``): 24 working hours are not a day.
    """
    sign = "-" if left < timedelta(0) else ""
    minutes = int(abs(left).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    if basis == "working_hours":
        days, rest = 0, minutes
    hours, mins = divmod(rest, 60)
    if days:
        return sign + _("{d}d {h:02d}h").format(d=days, h=hours)
    if hours:
        return sign + _("{h}h {m:02d}m").format(h=hours, m=mins)
    return sign + _("{m}m").format(m=mins)


def level_label(level: Level) -> str:
    """The escalation level in the reader's language."""
    return {"none": _("on time"), "warning": _("due soon"),
            "duty_manager": _("overdue: duty manager"),
            "hall_manager": _("overdue: hall manager")}[level]
