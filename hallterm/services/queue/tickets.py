"""Issuing tickets (取号) and opening visits."""

from __future__ import annotations

import math
from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Refused
from hallterm.hallconfig import HallConfig
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.queue import policy
from hallterm.services.queue.rows import _actor_no, _event, _hall_in
from hallterm.services.queue.views import KIOSK, PRIORITIES, Slip


# -- issuing -----------------------------------------------------------------------------
def issue_ticket(ctx: Ctx, *, service: str, priority: str = "normal",
                 appointment: str | None = None, command_id: str | None = None) -> Slip:
    """Issue a ticket and open its visit (kiosk when nobody is signed in)."""
    code = (service or "").strip().upper()
    priority = (priority or "normal").strip().lower()
    if priority not in PRIORITIES:
        raise BadInput(_("Unknown priority {priority}; use one of: {known}").format(
            priority=priority, known=", ".join(PRIORITIES)))
    appointment = (appointment or "").strip() or None
    if priority == "appointment" and not appointment:
        raise BadInput(_("An appointment ticket needs the appointment code."))
    if appointment and (len(appointment) > 32 or not appointment.replace("-", "").isalnum()):
        raise BadInput(_("An appointment code is 1-32 letters, digits or dashes."))
    actor = ctx.actor
    if actor is None or actor == KIOSK:
        ctx = ctx.as_actor(KIOSK)
    else:
        require(actor, "queue.issue")

    def work(uow: UnitOfWork) -> Slip:
        # The service, the hall's digest and the newest ticket keys in one statement:
        # issuing is the hot path.
        row = uow.sql(
            "SELECT h.sha256, s.code, s.prefix, s.name_zh, s.name_en, s.active, "
            "(SELECT max(queue_key) FROM (SELECT queue_key, business_day, hop FROM ticket "
            "ORDER BY id DESC LIMIT 8) AS recent WHERE business_day = :d AND hop = 0) "
            "AS recent_key FROM hall h LEFT JOIN service s ON s.code = :c WHERE h.id = 1",
            {"c": code, "d": uow.now.date().isoformat()}).first()
        hall = _hall_in(uow, row.sha256 if row else None)
        if row is None or row.code is None or not row.active:
            raise BadInput(_("No service {code} in this hall; services: {known}").format(
                code=code or "-", known=", ".join(s.code for s in hall.services)))
        if not hall.is_open_at(uow.now):
            raise Refused(_("The hall is closed now (hours today: {hours}); no new tickets "
                            "are issued.").format(hours=hall.hours_on(uow.now).label()))
        day = uow.open_day()
        seq = uow.next_number(f"ticket:{row.prefix}:{day.isoformat()}")
        number = f"{row.prefix}{seq:03d}"
        at = utc_text(uow.now)
        key = _issue_key(uow, day, row.recent_key)
        visit = uow.sql("INSERT INTO visit (business_day, opened_at, terminal) VALUES "
                        "(:d, :at, :t) RETURNING id",
                        {"d": day.isoformat(), "at": at, "t": ctx.terminal[:32]}).scalar()
        ticket_id = uow.sql(
            "INSERT INTO ticket (business_day, number, seq, hop, service, priority, "
            "appointment_code, visit_id, state, issued_at, issued_by, queue_key, recalls, "
            "parked_s, misses, auto_reinserted) VALUES (:d, :n, :s, 0, :svc, :p, :a, :v, "
            "'waiting', :at, :by, :k, 0, 0, 0, FALSE) RETURNING id",
            {"d": day.isoformat(), "n": number, "s": seq, "svc": code, "p": priority,
             "a": appointment, "v": visit, "at": at, "by": _actor_no(uow), "k": key}).scalar()
        _event(uow, day, ticket_id, "issue", priority)
        ahead, estimate = _ahead_and_estimate(uow, day, code, priority, key, hall)
        uow.audit("queue.issue", entity="ticket", entity_id=number, business_day=day,
                  payload={"service": code, "priority": priority, "visit": visit,
                           "appointment": appointment is not None})
        return Slip(ticket_id, number, code, row.name_zh, row.name_en, priority, appointment, uow.now,
                    visit, day, ahead, estimate)

    return run_write(ctx, "queue.issue", work, command_id=command_id, result_type=Slip)


def _issue_key(uow: UnitOfWork, day: date, recent: float | None) -> float:
    """The new ticket's place: its issue time, kept strictly after the last one issued.

    Strictly increasing keys leave room to re-insert a missed ticket between two
    others even when two tickets share a clock reading. ``recent`` is the newest
    issue key among the last few rows (cheap, by rowid); when those were all
    transfer hops or another day's, the day's tickets are asked.
    """
    last = recent
    if last is None:
        last = uow.sql("SELECT max(queue_key) FROM ticket WHERE business_day = :d AND hop = 0",
                       {"d": day.isoformat()}).scalar()
    now = uow.now.timestamp()
    return now if last is None or now > last + 0.0005 else last + 0.001


def _ahead_and_estimate(uow: UnitOfWork, day: date, service: str, priority: str, key: float,
                        hall: HallConfig) -> tuple[int, int]:
    """People ahead in the service's line, and the wait they mean in minutes.

    The wait is people ahead times today's average service time in the service
    (the configured estimate until three were served), shared by its open counters.
    """
    rank = policy.RANK[priority]
    higher = [p for p in PRIORITIES if policy.RANK[p] > rank]
    marks = ", ".join(f"'{p}'" for p in higher) or "''"
    served_s = uow.session.driver.seconds_between("serving_at", "finished_at")
    row = uow.sql(
        # Two index range counts (ix_ticket_service_line): the higher classes, and this
        # class before the new ticket's place.
        "SELECT (SELECT count(*) FROM ticket WHERE business_day = :d AND service = :s AND "
        f"state = 'waiting' AND priority IN ({marks})) + (SELECT count(*) FROM ticket WHERE "
        "business_day = :d AND service = :s AND state = 'waiting' AND priority = :p AND "
        "queue_key < :k) AS ahead, count(*) AS served, "
        f"avg({served_s} - parked_s) AS avg_s, "
        "(SELECT count(*) FROM counter WHERE active = TRUE AND state = 'open' AND "
        "' ' || services || ' ' LIKE '% ' || :s || ' %') AS counters FROM ticket WHERE business_day = :d "
        "AND service = :s AND state = 'done' AND serving_at IS NOT NULL",
        {"d": day.isoformat(), "s": service, "p": priority, "k": key}).first()
    ahead = int(row.ahead)
    minutes = (row.avg_s / 60.0) if row.served >= 3 and row.avg_s else float(
        hall.queue.service_minutes_estimate)
    return ahead, math.ceil(ahead * minutes / max(1, row.counters))


def open_walk_up_visit(uow: UnitOfWork, day: date) -> int:
    """Open a visit with no ticket, inside the caller's write (a customer served walk-up).

    Sales and service orders call this so every record still hangs off a visit.
    """
    return uow.sql("INSERT INTO visit (business_day, opened_at, terminal) VALUES (:d, :at, :t) "
                   "RETURNING id", {"d": day.isoformat(), "at": utc_text(uow.now),
                                    "t": uow.ctx.terminal[:32]}).scalar()
