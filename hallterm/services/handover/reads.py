"""Reading handovers: the view (blind until counted), one, a day's, the one in progress.

Also the row helpers the steps share inside their own transactions.
"""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any

from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork
from hallterm.errors import NotFound, Refused
from hallterm.i18n import _
from hallterm.services.handover.inputs import _may_look, _threshold
from hallterm.services.handover.open_items import PendingItem, PendingQuery, _pending_items
from hallterm.services.handover.views import ACTIVE, HandoverView, StockLine, state_label
from hallterm.store import execute

# -- reading -------------------------------------------------------------------------------
_COLS = ("id, number, business_day, counter, kind, state, actor, outgoing, incoming, witness, "
         "counter_state_before, started_at, counted_at, reviewed_at, finished_at, counted_fen, "
         "denominations, expected_fen, difference_fen, stock_difference_fen, cash_reason, "
         "stock_reason, cash_count_id, note")


def _started(text: str, tz: tzinfo | None) -> datetime:
    value = datetime.fromisoformat(text)
    return value.astimezone(tz) if tz else value


def _dt(text: str | None, tz: tzinfo | None) -> datetime | None:
    return None if text is None else _started(text, tz)


def _query(session: Any, row: Any) -> PendingQuery:
    services = execute(session, "SELECT services FROM counter WHERE number = :n",
                       {"n": row.counter}).scalar() or ""
    staff_id = execute(session, "SELECT id FROM staff WHERE empno = :e",
                       {"e": row.outgoing}).scalar() or 0
    return PendingQuery(counter=row.counter, business_day=date.fromisoformat(row.business_day),
                        services=tuple(services.split()), outgoing=row.outgoing,
                        outgoing_id=int(staff_id))


def _view(session: Any, row: Any, *, threshold: int, tz: tzinfo | None = None) -> HandoverView:
    blind = row.state == "started" or row.counted_fen is None
    lines: tuple[StockLine, ...] = ()
    if not blind:
        lines = tuple(StockLine(**r) for r in execute(
            session, "SELECT sku, serial, expected_quantity, counted_quantity, difference, "
            "unit_value_fen, status FROM handover_line WHERE handover_id = :h ORDER BY id",
            {"h": row.id}).mappings().all())
    if row.state in ACTIVE:
        pending = tuple(_pending_items(session, _query(session, row)))
    else:
        pending = tuple(PendingItem(**r) for r in execute(
            session, "SELECT kind, reference, description FROM handover_pending WHERE "
            "handover_id = :h ORDER BY id", {"h": row.id}).mappings().all())
    denominations = tuple(sorted(
        ((int(k), int(v)) for k, v in json.loads(row.denominations).items()),
        reverse=True)) if row.denominations else ()
    return HandoverView(
        id=row.id, number=row.number, business_day=date.fromisoformat(row.business_day),
        counter=row.counter, kind=row.kind, state=row.state, actor=row.actor,
        outgoing=row.outgoing, incoming=row.incoming, witness=row.witness,
        counter_state_before=row.counter_state_before,
        started_at=_started(row.started_at, tz), counted_at=_dt(row.counted_at, tz),
        reviewed_at=_dt(row.reviewed_at, tz), finished_at=_dt(row.finished_at, tz),
        counted_fen=row.counted_fen, denominations=denominations,
        expected_fen=None if blind else row.expected_fen,
        difference_fen=None if blind else row.difference_fen,
        stock_difference_fen=None if blind else row.stock_difference_fen,
        cash_reason=row.cash_reason, stock_reason=row.stock_reason,
        cash_count_id=row.cash_count_id, note=row.note, threshold_fen=threshold,
        lines=lines, pending=pending)


def active(ctx: Ctx, *, counter: int) -> HandoverView | None:
    """The handover in progress at ``counter`` (blind until counted), or ``None``."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    with ctx.store.read() as session:
        row = execute(session, f"SELECT {_COLS} FROM handover WHERE counter = :c AND state IN "
                      "('started', 'counted', 'reviewed') ORDER BY id DESC LIMIT 1",
                      {"c": counter}).first()
        return _view(session, row, threshold=threshold, tz=ctx.clock.tz) if row else None


def get(ctx: Ctx, *, handover_id: int | None = None, number: str | None = None) -> HandoverView:
    """One handover by id or number."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    with ctx.store.read() as session:
        if handover_id is not None:
            row = execute(session, f"SELECT {_COLS} FROM handover WHERE id = :i",
                          {"i": handover_id}).first()
        else:
            row = execute(session, f"SELECT {_COLS} FROM handover WHERE number = :n",
                          {"n": (number or "").strip().upper()}).first()
        if row is None:
            raise NotFound(_("No handover {ref}.").format(ref=number or handover_id))
        return _view(session, row, threshold=threshold, tz=ctx.clock.tz)


def handovers(ctx: Ctx, *, business_day: date | None = None) -> list[HandoverView]:
    """A day's handovers (default today), newest first."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLS} FROM handover WHERE business_day = :d "
                       "ORDER BY id DESC", {"d": day.isoformat()}).all()
        return [_view(session, r, threshold=threshold, tz=ctx.clock.tz) for r in rows]


def pending(ctx: Ctx, *, counter: int) -> list[PendingItem]:
    """What is open at ``counter`` now (what an incoming clerk would take over)."""
    _may_look(ctx)
    with ctx.store.read() as session:
        crow = execute(session, "SELECT c.services, s.empno, s.id AS staff_id FROM counter c LEFT JOIN "
                       "staff s ON s.id = c.clerk_id WHERE c.number = :n", {"n": counter}).first()
        if crow is None:
            raise NotFound(_("No counter {number} in this hall.").format(number=counter))
        query = PendingQuery(counter=counter, business_day=ctx.today(),
                             services=tuple((crow.services or "").split()),
                             outgoing=crow.empno or "", outgoing_id=int(crow.staff_id or 0))
        return _pending_items(session, query)


# -- writing helpers -------------------------------------------------------------------------
def _row(uow: ReadUnit, handover_id: int) -> Any:
    row = uow.sql(f"SELECT {_COLS} FROM handover WHERE id = :i", {"i": handover_id}).first()
    if row is None:
        raise NotFound(_("No handover {ref}.").format(ref=handover_id))
    return row


def _expect_state(row: Any, *states: str) -> None:
    if row.state not in states:
        raise Refused(_("Handover {number} is {state}; that step cannot be done now.").format(
            number=row.number, state=state_label(row.state)))


def _staff_actor(uow: ReadUnit, empno: str) -> Actor:
    row = uow.sql("SELECT id, empno, name, roles, language FROM staff WHERE empno = :e",
                  {"e": empno}).first()
    if row is None:
        raise NotFound(_("No staff member with employee number {empno}.").format(empno=empno))
    return Actor(row.id, row.empno, row.name, frozenset(row.roles.split()), row.language)


def _result(ctx: Ctx, uow: UnitOfWork, handover_id: int, threshold: int) -> HandoverView:
    return _view(uow.session, _row(uow, handover_id), threshold=threshold, tz=ctx.clock.tz)
