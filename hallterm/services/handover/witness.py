"""The people of a handover (outgoing, incoming, witness 监交人) and step 3, the review."""

from __future__ import annotations

from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import ApprovalRequired, BadInput, Forbidden, Refused
from hallterm.i18n import _
from hallterm.money import format_fen
from hallterm.permissions import APPROVERS, COUNTER_ROLES, require
from hallterm.services import queue
from hallterm.services.handover.inputs import _reason, _threshold
from hallterm.services.handover.reads import _expect_state, _result, _row, _view
from hallterm.services.handover.views import HandoverView
from hallterm.textinput import digits


def _person(unit: ReadUnit, empno: str, what: str) -> Actor:
    row = unit.sql("SELECT id, empno, name, roles, language, active FROM staff WHERE empno = :e",
                   {"e": digits(empno)}).first()
    if row is None or not row.active:
        raise BadInput(_("{what}: no active staff member with employee number {empno}.").format(
            what=what, empno=digits(empno)))
    return Actor(row.id, row.empno, row.name, frozenset(row.roles.split()), row.language)


def _incoming_ok(unit: ReadUnit, counter: int, empno: str, *, outgoing: str,
                 witness: str | None = None) -> None:
    """The incoming clerk is available: another active counter clerk, at no other counter."""
    new = _person(unit, empno, _("Incoming clerk"))
    if new.empno == outgoing:
        raise Refused(_("The incoming clerk must be another person than the outgoing one."))
    if not new.roles & COUNTER_ROLES:
        raise Refused(_("{empno} has no counter role; they cannot take the counter.")
                      .format(empno=new.empno))
    if witness and new.empno == witness:
        raise Refused(_("The witness cannot also be the incoming clerk."))
    elsewhere = queue.counter_of_clerk(unit.session, staff_id=new.id, other_than=counter)
    if elsewhere is not None:
        raise Refused(_("{empno} is already at counter {number}; close it or hand it "
                        "over first.").format(empno=new.empno, number=elsewhere))


def _witness_ok(unit: ReadUnit, empno: str, *, outgoing: str, incoming: str | None) -> None:
    """The witness (监交人) may witness and is neither the outgoing nor the incoming clerk."""
    who = _person(unit, empno, _("Witness"))
    if not who.roles & APPROVERS["handover.witness"]:
        raise Forbidden(_("{name} ({empno}) may not witness a handover.").format(
            name=who.name, empno=who.empno))
    if who.empno == outgoing:
        raise Forbidden(_("The outgoing clerk cannot witness their own handover."))
    if incoming and who.empno == incoming.strip():
        raise Refused(_("The witness cannot also be the incoming clerk."))


def check_incoming(ctx: Ctx, *, handover_id: int, empno: str) -> None:
    """Before the incoming clerk's PIN: may ``empno`` take this handover's counter now?"""
    def check(unit: ReadUnit) -> None:
        row = _row(unit, handover_id)
        _incoming_ok(unit, row.counter, empno, outgoing=row.outgoing, witness=row.witness)

    run_check(ctx, check)


def check_witness(ctx: Ctx, *, handover_id: int, empno: str) -> None:
    """Before the witness's PIN: may ``empno`` witness this handover?"""
    def check(unit: ReadUnit) -> None:
        row = _row(unit, handover_id)
        _witness_ok(unit, empno, outgoing=row.outgoing, incoming=row.incoming)

    run_check(ctx, check)

# -- 3. review: reasons and the witness --------------------------------------------------------
def review(ctx: Ctx, *, handover_id: int, cash_reason: str | None = None,
           stock_reason: str | None = None, witness: Actor | None = None) -> HandoverView:
    """Give the reasons for the differences and, above the threshold, the witness (监交人).

    ``witness`` comes from ``staff.approve(ctx, action="handover.witness", ...)`` (or,
    on the duty manager's screen, the same check); a witness may also sign a
    difference below the threshold.
    """
    require(ctx.actor, "handover.run")
    cash_reason, stock_reason = _reason(cash_reason), _reason(stock_reason)
    threshold = _threshold(ctx)
    if witness is not None and not witness.roles & APPROVERS["handover.witness"]:
        raise Forbidden(_("{name} ({empno}) may not witness a handover.").format(
            name=witness.name, empno=witness.empno))

    def work(uow: UnitOfWork) -> HandoverView:
        row = _row(uow, handover_id)
        _expect_state(row, "counted", "reviewed")
        day = uow.open_day(date.fromisoformat(row.business_day))
        view = _view(uow.session, row, threshold=threshold)
        if witness is not None and witness.empno == view.outgoing:
            raise Forbidden(_("The outgoing clerk cannot witness their own handover."))
        if view.needs_cash_reason and not cash_reason:
            raise Refused(_("Counted {counted}, expected {expected}: give the reason for the "
                            "difference of {diff} (长短款).").format(
                counted=format_fen(view.counted_fen or 0),
                expected=format_fen(view.expected_fen or 0),
                diff=format_fen(view.difference_fen or 0)))
        if view.needs_stock_reason and not stock_reason:
            raise Refused(_("The stock count differs ({n} line(s), worth {value}): give the "
                            "reason for the stock difference.").format(
                n=len(view.stock_differences), value=format_fen(view.stock_difference_fen or 0)))
        if view.needs_witness and witness is None:
            raise ApprovalRequired(_("The difference is above {limit}: the duty manager "
                                     "witnesses the handover (监交人) with their PIN.").format(
                limit=format_fen(threshold)))
        uow.sql("UPDATE handover SET state = 'reviewed', reviewed_at = :at, cash_reason = :cr, "
                "stock_reason = :sr, witness = :w WHERE id = :i",
                {"at": utc_text(uow.now), "cr": cash_reason if view.needs_cash_reason else None,
                 "sr": stock_reason if view.needs_stock_reason else None,
                 "w": witness.empno if witness else None, "i": row.id})
        uow.audit("handover.review", entity="handover", entity_id=row.number, business_day=day,
                  approver=witness,
                  payload={"counter": row.counter, "difference_fen": view.difference_fen,
                           "stock_difference_fen": view.stock_difference_fen,
                           "cash_reason": cash_reason, "stock_reason": stock_reason,
                           "witness_needed": view.needs_witness})
        return _result(ctx, uow, row.id, threshold)

    return run_write(ctx, "handover.review", work)
