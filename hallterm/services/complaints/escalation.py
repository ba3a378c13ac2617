"""Escalations of overdue complaints, recorded in the audit log once each.

The level (``clock.deadlines``: warning, duty_manager, hall_manager) is computed from
a complaint's events whenever it is read; nothing about it is stored with the
complaint. What the audit log keeps is the moment an escalation reached a manager:
``escalated`` lists the open complaints escalated to the signed-in person (the duty
manager sees every overdue one, the hall manager those overdue past
``complaints.hall_manager_after_hours``), and ``record_escalations`` appends one
``complaint.escalate`` row per complaint and level not recorded before — the level,
the clock that is late and by how much, and who was shown it (the row's actor;
each manager's first sight of it is recorded once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.permissions import DUTY_MANAGER, MANAGER, allowed
from hallterm.services.complaints.reads import ComplaintLine, list_complaints
from hallterm.store import execute

ESCALATED = ("duty_manager", "hall_manager")
ACTION = "complaint.escalate"


@dataclass(frozen=True)
class Recorded:
    """The escalations a call recorded: (complaint number, level) pairs."""

    rows: tuple[tuple[str, str], ...]


def escalated(ctx: Ctx) -> list[ComplaintLine]:
    """The open complaints escalated to the signed-in person, the most overdue first."""
    roles = set(ctx.actor.roles) if ctx.actor else set()
    if not roles & {DUTY_MANAGER, MANAGER} or not allowed(roles, "complaint.read"):
        return []
    lines = list_complaints(ctx, overdue=True)
    if DUTY_MANAGER not in roles:
        lines = [x for x in lines if x.clocks.level == "hall_manager"]
    return lines


def _shown(session, numbers: list[str], empno: str) -> set[tuple[str, str]]:
    """The (complaint, level) escalations already recorded as shown to ``empno``
    (each complaint's own audit rows: the ``(entity, entity_id, at)`` index)."""
    shown: set[tuple[str, str]] = set()
    for number in numbers:
        for r in execute(session, "SELECT actor, payload FROM audit_log WHERE entity = "
                         "'complaint' AND entity_id = :n AND action = :a",
                         {"n": number, "a": ACTION}).all():
            if r.actor == empno:
                shown.add((number, json.loads(r.payload).get("level")))
    return shown


def record_escalations(ctx: Ctx, lines: list[ComplaintLine]) -> Recorded:
    """Audit the escalations in ``lines`` not yet recorded as shown to this person.

    One ``complaint.escalate`` row per complaint, level and manager shown it: the
    duty manager's row when it goes overdue, another when it reaches the hall
    manager's level; no write at all when every one is recorded already.
    """
    empno = ctx.actor.empno if ctx.actor else ""
    due = [x for x in lines if x.clocks.level in ESCALATED]
    if not due or not empno:
        return Recorded(())
    with ctx.store.read() as session:
        shown = _shown(session, [x.number for x in due], empno)
    todo = [(x, x.clocks.level) for x in due if (x.number, x.clocks.level) not in shown]
    if not todo:
        return Recorded(())

    def work(uow: UnitOfWork) -> Recorded:
        for line, level in todo:
            late = [c for c in line.clocks.clocks if c.overdue]
            worst = min(late, key=lambda c: c.left) if late else None
            uow.audit(ACTION, entity="complaint", entity_id=line.number, payload={
                "level": level, "owner": line.owner,
                "clock": worst.name if worst else None,
                "overdue_seconds": int(-worst.left.total_seconds()) if worst else None})
        return Recorded(tuple((x.number, level) for x, level in todo))

    return run_write(ctx, ACTION, work, result_type=Recorded)


def show_escalations(ctx: Ctx) -> list[ComplaintLine]:
    """What a manager's home shows: ``escalated``, each recorded once as shown."""
    lines = escalated(ctx)
    record_escalations(ctx, lines)
    return lines
