"""Compensation (赔偿/补偿) for a complaint: cash, bill credit or goods, approved.

The owner proposes it and a duty or hall manager approves it with their PIN at once
(``complaint.compensation``); above the hall's ``compensation_approval_fen`` only the
hall manager may (``complaint.compensation_large``). Cash is paid out of a drawer —
the complaints desk's or a counter's — as a cash movement (``cash.record_move``,
reason ``compensation``, the complaint's number as its reference) in the same
transaction, and the compensation row names that movement: the drawer, the day
report's cash and the complaint agree, or nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput
from hallterm.i18n import N_, _
from hallterm.services import approvals, cash
from hallterm.services.complaints import records
from hallterm.services.complaints.records import Row
from hallterm.services.complaints.settings import complaint_settings

KINDS: dict[str, str] = {
    "cash": N_("Cash"),
    "credit": N_("Bill credit"),
    "goods": N_("Goods"),
}
APPROVAL = "complaint.compensation"
APPROVAL_LARGE = "complaint.compensation_large"


@dataclass(frozen=True)
class Compensated:
    """An approved compensation (cash: paid, from which drawer, its cash movement)."""

    number: str
    id: int
    kind: str
    amount_fen: int
    description: str
    approver: str
    counter: int | None
    cash_movement_id: int | None


@dataclass(frozen=True)
class _Request:
    row: Row
    kind: str
    description: str
    counter: int | None
    approval: str


def compensation_kind(kind: str | None) -> str:
    """The kind as typed, checked (a form checks it before the amount, in field order)."""
    code = (kind or "").strip().lower()
    if code not in KINDS:
        raise BadInput(_("A compensation is cash, credit (bill credit) or goods."),
                       field="kind")
    return code


def _request(unit: ReadUnit, number: str, kind: str, amount_fen: int, description: str,
             counter: int | None) -> _Request:
    code = compensation_kind(kind)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise BadInput(_("Amount must be more than zero."), field="amount")
    text = records.note_text(description, what=_("What is given"), field="description")[:200]
    row = records.load(unit, number)
    records.require_owner(unit, row)
    records.require_state(row, "open", "paused", "appealed")
    drawer = None
    if code == "cash":
        drawer = counter if counter is not None else unit.ctx.counter
        if drawer is None:
            raise BadInput(_("Cash compensation is paid from a drawer: give the counter."),
                           field="counter")
        cash.check_move_on(unit, counter=drawer, kind="out", reason="compensation",
                           amount_fen=amount_fen, note=text)
    large = amount_fen > complaint_settings(unit).approval_fen
    return _Request(row, code, text, drawer, APPROVAL_LARGE if large else APPROVAL)


def check_compensate(ctx: Ctx, *, number: str, kind: str, amount_fen: int, description: str,
                     counter: int | None = None) -> str:
    """Validate a compensation before anyone is asked for a PIN; writes nothing.

    Returns the approval it needs: ``complaint.compensation`` (a duty or hall manager)
    or, above the hall's limit, ``complaint.compensation_large`` (the hall manager).
    """
    return run_check(ctx, lambda unit: _request(unit, number, kind, amount_fen, description,
                                                counter)).approval


def compensate(ctx: Ctx, *, number: str, kind: str, amount_fen: int, description: str,
               approver: Actor | None, counter: int | None = None,
               command_id: str | None = None) -> Compensated:
    """Record an approved compensation; cash is paid out of ``counter``'s drawer (default:
    this terminal's counter), which its keeper does."""

    def work(uow: UnitOfWork) -> Compensated:
        req = _request(uow, number, kind, amount_fen, description, counter)
        second = approvals.check_second(ctx, approver, req.approval)
        moved = None
        if req.kind == "cash" and req.counter is not None:
            moved = cash.record_move(uow, counter=req.counter, kind="out", reason="compensation",
                                     amount_fen=amount_fen, note=req.description,
                                     reference=req.row.number, approver=second)
        day = uow.open_day()
        cid = int(uow.sql(
            "INSERT INTO complaint_compensation (complaint_id, business_day, at, kind, "
            "amount_fen, description, actor, approver, counter, cash_movement_id) VALUES "
            "(:c, :d, :at, :k, :a, :x, :by, :ap, :n, :m) RETURNING id",
            {"c": req.row.id, "d": day.isoformat(), "at": utc_text(uow.now), "k": req.kind,
             "a": amount_fen, "x": req.description, "by": uow.actor.empno if uow.actor else "",
             "ap": second.empno, "n": req.counter, "m": moved.id if moved else None}).scalar())
        records.audit(uow, req.row, "complaint.compensate", approver=second,
                      compensation_id=cid, kind=req.kind, amount_fen=amount_fen,
                      counter=req.counter, cash_movement_id=moved.id if moved else None)
        return Compensated(req.row.number, cid, req.kind, amount_fen, req.description,
                           second.empno, req.counter, moved.id if moved else None)

    return run_write(ctx, "complaint.compensate", work, command_id=command_id,
                     result_type=Compensated)
