"""The business day (营业日): opened by the hall manager, closed and locked by 日结.

Every business row carries its business day; a write into a day that is not open
is refused by the service (``uow.open_day``) and, once the day is closed, by the
store's triggers as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.store import execute


@dataclass(frozen=True)
class DayInfo:
    """A business day's state as screens and the CLI show it."""

    business_day: date
    state: str  # open | closed | not_opened
    opened_at: datetime | None = None
    opened_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    z_number: int | None = None


def state_label(state: str) -> str:
    """A day state in the current language."""
    return {"open": _("open"), "closed": _("closed"), "not_opened": _("not opened")}.get(
        state, state)


def open_day(ctx: Ctx, *, business_day: date | None = None,
             command_id: str | None = None) -> DayInfo:
    """Open today's business day (hall manager). Opening it twice is refused."""
    actor = require(ctx.actor, "day.open")
    day = business_day or ctx.today()
    if day != ctx.today():
        raise BadInput(_("Only today's business day ({today}) can be opened.").format(
            today=ctx.today().isoformat()))

    def work(uow: UnitOfWork) -> DayInfo:
        return insert_day(uow, day, actor)

    return run_write(ctx, "day.open", work, command_id=command_id, result_type=DayInfo)


def insert_day(uow: UnitOfWork, day: date, actor: Actor | None = None) -> DayInfo:
    """Open ``day`` inside a write, as ``actor`` (default the write's; also used by the demo)."""
    actor = actor or uow.actor
    if actor is None:
        raise Forbidden(_("Sign in first."))
    state = uow.sql("SELECT state FROM business_day WHERE day = :d",
                    {"d": day.isoformat()}).scalar()
    if state == "open":
        raise Refused(_("Business day {day} is already open.").format(day=day.isoformat()))
    if state == "closed":
        raise Refused(_("Business day {day} is closed and cannot be opened again.").format(
            day=day.isoformat()))
    uow.sql("INSERT INTO business_day (day, state, opened_at, opened_by) "
            "VALUES (:d, 'open', :at, :by)",
            {"d": day.isoformat(), "at": utc_text(uow.now), "by": actor.id})
    uow.audit("day.open", entity="business_day", entity_id=day.isoformat(), business_day=day)
    return DayInfo(day, "open", uow.now, actor.empno)


def day_status(ctx: Ctx, *, business_day: date | None = None) -> DayInfo:
    """The state of a business day (default today)."""
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        row = execute(
            session,
            "SELECT d.state, d.opened_at, o.empno AS opened_by, d.closed_at, "
            "c.empno AS closed_by, d.z_number "
            "FROM business_day d JOIN staff o ON o.id = d.opened_by "
            "LEFT JOIN staff c ON c.id = d.closed_by WHERE d.day = :d",
            {"d": day.isoformat()},
        ).first()
    if row is None:
        return DayInfo(day, "not_opened")
    tz = ctx.clock.tz
    return DayInfo(day, row.state, datetime.fromisoformat(row.opened_at).astimezone(tz),
                   row.opened_by,
                   datetime.fromisoformat(row.closed_at).astimezone(tz) if row.closed_at else None,
                   row.closed_by, row.z_number)


def day_state(ctx: Ctx, *, business_day: date | None = None) -> str:
    """Just the state of a business day (default today): one tiny read, for polling."""
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        state = execute(session, "SELECT state FROM business_day WHERE day = :d",
                        {"d": day.isoformat()}).scalar()
    return state or "not_opened"


def last_closed_day(ctx: Ctx) -> date | None:
    """The latest closed business day (the one a day report is usually asked for)."""
    with ctx.store.read() as session:
        row = execute(session, "SELECT day FROM business_day WHERE state = 'closed' "
                               "ORDER BY day DESC LIMIT 1").first()
    return date.fromisoformat(row.day) if row else None


def open_days(ctx: Ctx) -> list[date]:
    """Business days still open (today, and any earlier day not yet closed)."""
    with ctx.store.read() as session:
        rows = execute(session,
                       "SELECT day FROM business_day WHERE state = 'open' ORDER BY day").all()
    return [date.fromisoformat(r.day) for r in rows]
