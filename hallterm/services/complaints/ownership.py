"""首问负责制: the person who takes a complaint owns it until a transfer is accepted.

Ownership moves only by an explicit transfer (the owner, or a manager for an owner
who is away, offers it to a named colleague with a reason) that the new owner
accepts; until then the offering owner still owns it. A shift handover passes the
outgoing clerk's open complaints to the incoming clerk, whose PIN confirmed the
handover: the same two events, written in the handover's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.i18n import N_, _
from hallterm.permissions import allowed, require
from hallterm.services import handover
from hallterm.services.complaints import records
from hallterm.services.complaints.records import Changed, Row
from hallterm.store import execute
from hallterm.textinput import digits

OPEN_STATES = ("open", "paused", "appealed")


def _colleague(unit: ReadUnit, empno: str) -> str:
    """An active member of staff who may work complaints (their employee number)."""
    number = digits(empno)
    row = unit.sql("SELECT empno, roles, active FROM staff WHERE empno = :e",
                   {"e": number}).first()
    if row is None:
        raise BadInput(_("No staff member with employee number {empno}.").format(
            empno=number or "-"), field="to")
    if not row.active or not allowed(str(row.roles).split(), "complaint.work"):
        raise Refused(_("{empno} may not take complaints.").format(empno=row.empno),
                      field="to")
    return str(row.empno)


def _transfer(unit: ReadUnit, number: str, to: str, reason: str) -> tuple[Row, str, str]:
    row = records.load(unit, number)
    records.require_owner(unit, row, managers=True)
    records.require_state(row, *OPEN_STATES)
    target = _colleague(unit, to)
    if target == row.owner:
        raise Refused(_("Complaint {number} is already {empno}'s.").format(
            number=row.number, empno=target), field="to")
    why = records.note_text(reason, what=_("The reason for the transfer"), field="reason")
    return row, target, why


def check_transfer(ctx: Ctx, *, number: str, to: str, reason: str) -> None:
    run_check(ctx, lambda unit: _transfer(unit, number, to, reason))


def transfer(ctx: Ctx, *, number: str, to: str, reason: str,
             command_id: str | None = None) -> Changed:
    """Offer the complaint to a colleague; it stays the owner's until they ``accept``.

    A later offer replaces one not yet accepted.
    """

    def work(uow: UnitOfWork) -> Changed:
        row, target, why = _transfer(uow, number, to, reason)
        records.append(uow, row, "transferred", to_empno=target, note=why, offered_to=target)
        records.audit(uow, row, "complaint.transfer", owner=row.owner, to=target, reason=why)
        return records.changed(row, "transferred", offered_to=target)

    return run_write(ctx, "complaint.transfer", work, command_id=command_id,
                     result_type=Changed)


def _accept(unit: ReadUnit, number: str) -> tuple[Row, Actor]:
    row = records.load(unit, number)
    actor = require(unit.actor, "complaint.work")
    records.require_state(row, *OPEN_STATES)
    if row.offered_to is None:
        raise Refused(_("Complaint {number} has not been transferred to anyone.").format(
            number=row.number))
    if row.offered_to != actor.empno:
        raise Forbidden(_("Complaint {number} was offered to {empno}; only they accept it.")
                        .format(number=row.number, empno=row.offered_to))
    return row, actor


def check_accept(ctx: Ctx, *, number: str) -> None:
    run_check(ctx, lambda unit: _accept(unit, number))


def accept(ctx: Ctx, *, number: str, command_id: str | None = None) -> Changed:
    """Take over a complaint offered to you: from now on it is yours."""

    def work(uow: UnitOfWork) -> Changed:
        row, actor = _accept(uow, number)
        records.append(uow, row, "accepted", owner=actor.empno, clear_offer=True)
        records.audit(uow, row, "complaint.accept", previous=row.owner, owner=actor.empno)
        return records.changed(row, "accepted", owner=actor.empno, clear_offer=True)

    return run_write(ctx, "complaint.accept", work, command_id=command_id, result_type=Changed)


# -- the shift handover -----------------------------------------------------------------
_PENDING = handover.pending_text(N_("Complaint {number} ({state}), stage {stage} of 4"),
                                 translated=("state",))


def owned_by(session: Any, empno: str) -> list[Any]:
    """The complaints ``empno`` owns that are not closed (number, state, stage, ids)."""
    return execute(
        session,
        "SELECT c.id, c.number, c.at, s.state, s.stage, s.owner, s.offered_to FROM "
        "complaint_status s JOIN complaint c ON c.id = s.complaint_id WHERE s.state IN "
        "('open', 'paused', 'appealed') AND s.owner = :o ORDER BY c.number",
        {"o": empno}).all()


def _pending(session: Any, query: handover.PendingQuery) -> list[handover.PendingItem]:
    return [handover.PendingItem("complaint", r.number, handover.pending_line(
        _PENDING, number=r.number, state=records.STATES.get(r.state, r.state), stage=r.stage))
        for r in owned_by(session, query.outgoing)]


def _hand_over(uow: UnitOfWork, query: handover.PendingQuery, incoming: Actor) -> None:
    """The outgoing clerk's open complaints become the incoming clerk's (confirmed by PIN)."""
    passed = []
    for r in owned_by(uow.session, query.outgoing):
        row = Row(int(r.id), r.number, r.state, int(r.stage), r.owner, r.offered_to,
                  datetime.fromisoformat(str(r.at)))
        records.append(uow, row, "transferred", to_empno=incoming.empno, note="handover",
                       offered_to=incoming.empno)
        records.append(uow, row, "accepted", owner=incoming.empno, clear_offer=True,
                       actor=incoming)
        passed.append(r.number)
    if passed:
        uow.audit("complaint.handover", entity="complaint", entity_id=passed[0],
                  payload={"counter": query.counter, "from": query.outgoing,
                           "to": incoming.empno, "complaints": passed})


handover.register_pending(_pending, hand_over=_hand_over)
