"""Reading orders: one order whole (``get_order``: ``order show``), a day's list, a line.

Customers appear by id and, for a reader, masked (``services.customers.view``);
nothing here reveals an ID number or a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.context import Ctx, ReadUnit, run_check
from hallterm.errors import BadInput, NotFound
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.orders.rows import LineNow, line_now
from hallterm.services.orders.rules import STATES, Paperwork, effective_text

_COLUMNS = ("o.id, o.order_no, o.kind, o.state, o.business_day, o.at, o.counter, o.clerk, "
            "o.visit_id, o.customer_id, o.agent_id, o.guardian_id, o.line_id, o.number, "
            "o.plan_sku, o.effective_on, o.iccid, o.old_iccid, o.receipt_no, o.id_copy, "
            "o.form_signed, o.photo, o.completed_at, o.reason, a.box_no, a.position")
_FROM = "FROM service_order o LEFT JOIN archive_position a ON a.order_id = o.id"


@dataclass(frozen=True)
class RetentionView:
    """The retention attempt recorded with a cancellation or a port-out enquiry."""

    clerk: str
    heard: bool
    offer: str | None
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class OrderView:
    """One service order as a reader sees it (customers by id: ``customers.view``)."""

    order_no: str
    kind: str
    state: str
    business_day: date
    at: datetime
    counter: int
    clerk: str
    visit_id: int | None
    customer_id: int
    agent_id: int | None
    guardian_id: int | None
    number: str
    plan_sku: str | None
    effective_on: date | None
    iccid: str | None
    old_iccid: str | None
    receipt_no: str | None
    paperwork: Paperwork
    missing: tuple[str, ...]
    box_no: str | None
    position: int | None
    reason: str | None
    retention: RetentionView | None = None

    @property
    def effective(self) -> str | None:
        """When the plan takes effect, as the customer was told (告知开通时间)."""
        if self.effective_on is None:
            return None
        return effective_text(self.effective_on, self.business_day)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _at(value, tz) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.astimezone(tz)


def _view(row, tz, retention: RetentionView | None = None) -> OrderView:
    papers = Paperwork(bool(row.id_copy), bool(row.form_signed), bool(row.photo))
    day = _date(row.business_day)
    assert day is not None
    return OrderView(
        row.order_no, row.kind, row.state, day, _at(row.at, tz), row.counter, row.clerk,
        row.visit_id, row.customer_id, row.agent_id, row.guardian_id, row.number,
        row.plan_sku, _date(row.effective_on), row.iccid, row.old_iccid, row.receipt_no,
        papers, papers.missing(row.kind) if row.state == "completed" else (), row.box_no,
        row.position, row.reason, retention)


def order_exists(unit: ReadUnit, order_no: str) -> bool:
    """Whether an order with this number was ever taken (any day, in any state)."""
    return unit.sql("SELECT 1 FROM service_order WHERE order_no = :n",
                    {"n": (order_no or "").strip()}).first() is not None


def get_order(ctx: Ctx, *, order_no: str) -> OrderView:
    """One order with its retention attempt, or ``NotFound``."""
    require(ctx.actor, "order.read")
    def read(unit: ReadUnit) -> OrderView:
        row = unit.sql(f"SELECT {_COLUMNS} {_FROM} WHERE o.order_no = :n",
                       {"n": (order_no or "").strip()}).first()
        if row is None:
            raise NotFound(_("No order {number}.").format(number=order_no), field="order")
        r = unit.sql("SELECT clerk, heard, offer, outcome, reason FROM retention_attempt WHERE "
                     "order_id = :o ORDER BY id DESC LIMIT 1", {"o": row.id}).first()
        retention = (RetentionView(r.clerk, bool(r.heard), r.offer, r.outcome, r.reason)
                     if r is not None else None)
        return _view(row, ctx.clock.tz, retention)

    return run_check(ctx, read)


def list_orders(ctx: Ctx, *, business_day: date | None = None, counter: int | None = None,
                state: str | None = None, visit_id: int | None = None) -> list[OrderView]:
    """A day's orders (default today) in number order; only a counter's, a state's or a
    visit's when asked."""
    require(ctx.actor, "order.read")
    day = business_day or ctx.today()
    where = ["o.business_day = :d"]
    params: dict[str, object] = {"d": day.isoformat()}
    if counter is not None:
        where.append("o.counter = :c")
        params["c"] = counter
    if state is not None:
        if state not in STATES:
            raise BadInput(_("Unknown state {s}; one of: {all}").format(
                s=state, all=", ".join(STATES)), field="state")
        where.append("o.state = :s")
        params["s"] = state
    if visit_id is not None:
        where.append("o.visit_id = :v")
        params["v"] = visit_id

    def read(unit: ReadUnit) -> list[OrderView]:
        rows = unit.sql(f"SELECT {_COLUMNS} {_FROM} WHERE {' AND '.join(where)} "
                        "ORDER BY o.order_no", params).all()
        return [_view(r, ctx.clock.tz) for r in rows]

    return run_check(ctx, read)


@dataclass(frozen=True)
class LineView:
    """A line in service: its number, holder, plan now (and any change to come), SIM."""

    number: str
    customer_id: int
    state: str
    opened_day: date
    now: LineNow


def lines_of(ctx: Ctx, *, customer_id: int) -> list[LineView]:
    """A customer's active lines (the 一证五号 count is their number)."""
    require(ctx.actor, "order.read")
    def read(unit: ReadUnit) -> list[LineView]:
        day = ctx.today()
        rows = unit.sql("SELECT id, number, customer_id, state, opened_day FROM service_line "
                        "WHERE customer_id = :c AND state = 'active' ORDER BY number",
                        {"c": customer_id}).all()
        return [LineView(r.number, r.customer_id, r.state, _date(r.opened_day) or day,
                         line_now(unit, r.id, day)) for r in rows]

    return run_check(ctx, read)


def get_line(ctx: Ctx, *, number: str) -> LineView:
    """The active line with ``number``, or ``NotFound``."""
    require(ctx.actor, "order.read")
    from hallterm.services.orders.rows import active_line

    def read(unit: ReadUnit) -> LineView:
        line = active_line(unit, (number or "").strip())
        row = unit.sql("SELECT state, opened_day FROM service_line WHERE id = :i",
                       {"i": line.id}).first()
        return LineView(line.number, line.customer_id, row.state,
                        _date(row.opened_day) or ctx.today(), line_now(unit, line.id,
                                                                      ctx.today()))

    return run_check(ctx, read)


def amount_due(ctx: Ctx, *, plan: str | None = None, iccid: str | None = None) -> int:
    """What the customer pays now: the SIM (by its ICCID's catalog item) and a new line's
    plan (its first month), at today's catalog prices."""
    require(ctx.actor, "order.read")
    from hallterm.services import stock
    from hallterm.services.orders.rows import plan_item

    def read(unit: ReadUnit) -> int:
        from hallterm.services.catalog import item_in

        total = plan_item(unit, plan).price_fen if plan is not None else 0
        if iccid:
            place = stock.serial_place(unit.session, stock.clean_serial(iccid))
            item = item_in(unit, place.sku) if place is not None else None
            if item is None:
                raise NotFound(_("ICCID {iccid} is not in the stock ledger.").format(
                    iccid=iccid), field="iccid")
            total += item.price_fen
        return total

    return run_check(ctx, read)
