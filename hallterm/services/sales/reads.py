"""Reading sales: one sale with its lines, payments and reversals; a day's list; a reprint."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_write
from hallterm.errors import Forbidden, NotFound
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.sales.cart import CASH
from hallterm.store import execute


# -- reading sales -----------------------------------------------------------------------
@dataclass(frozen=True)
class SaleLineView:
    """A line of a recorded sale, with what was already given back."""

    id: int
    line_no: int
    sku: str
    name_zh: str
    name_en: str
    kind: str
    serial: str | None
    quantity: int
    list_price_fen: int
    unit_price_fen: int
    discount_fen: int
    total_fen: int
    approver: str | None
    override_reason: str | None
    effective_zh: str | None
    effective_en: str | None
    returned: int = 0
    returned_fen: int = 0

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True)
class PaymentView:
    """A payment of a recorded sale."""

    id: int
    method: str
    amount_fen: int
    tendered_fen: int | None
    change_fen: int | None
    reference: str | None
    returned_fen: int = 0


@dataclass(frozen=True)
class ReversalView:
    """A void or refund document."""

    number: str
    kind: str
    business_day: date
    at: datetime
    counter: int
    clerk: str
    approver: str
    reason: str
    amount_fen: int
    stock_document: str | None


@dataclass(frozen=True)
class SaleView:
    """A recorded sale with its lines, payments and voids/refunds."""

    id: int
    receipt_no: str
    business_day: date
    at: datetime
    counter: int
    terminal: str
    clerk: str
    clerk_name: str
    visit_id: int | None
    walk_up: bool
    list_total_fen: int
    total_fen: int
    state: str
    reprints: int
    lines: list[SaleLineView] = field(default_factory=list)
    payments: list[PaymentView] = field(default_factory=list)
    reversals: list[ReversalView] = field(default_factory=list)

    @property
    def returned_fen(self) -> int:
        return sum(r.amount_fen for r in self.reversals)

    @property
    def tendered_fen(self) -> int:
        return sum(p.tendered_fen or 0 for p in self.payments if p.method == CASH)

    @property
    def change_fen(self) -> int:
        return sum(p.change_fen or 0 for p in self.payments if p.method == CASH)


_SALE_COLS = ("s.id, s.receipt_no, s.business_day, s.at, s.counter, s.terminal, s.clerk, "
              "COALESCE(st.name, s.clerk) AS clerk_name, s.visit_id, s.walk_up, "
              "s.list_total_fen, s.total_fen, s.state, s.reprints")


def read_sale(session, receipt_no: str, tz) -> SaleView:
    row = execute(session, f"SELECT {_SALE_COLS} FROM sale s LEFT JOIN staff st ON "
                  "st.empno = s.clerk WHERE s.receipt_no = :r",
                  {"r": receipt_no.strip().upper()}).first()
    if row is None:
        raise NotFound(_("No sale with receipt number {number}.").format(number=receipt_no))
    sale_id = row.id
    returned: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in execute(
            session, "SELECT l.sale_line_id, SUM(l.quantity) AS quantity, SUM(l.amount_fen) AS "
            "amount_fen FROM sale_reversal_line l JOIN sale_reversal r ON r.id = l.reversal_id "
            "WHERE r.sale_id = :s GROUP BY l.sale_line_id", {"s": sale_id}).all():
        returned[r.sale_line_id] = [int(r.quantity), int(r.amount_fen)]
    lines = [SaleLineView(**m, returned=returned[m["id"]][0], returned_fen=returned[m["id"]][1])
             for m in execute(
                 session, "SELECT id, line_no, sku, name_zh, name_en, kind, serial, quantity, "
                 "list_price_fen, unit_price_fen, discount_fen, total_fen, approver, "
                 "override_reason, effective_zh, effective_en FROM sale_line WHERE sale_id = :s "
                 "ORDER BY line_no", {"s": sale_id}).mappings().all()]
    back = {r.payment_id: r.amount_fen for r in execute(
        session, "SELECT rp.payment_id, SUM(rp.amount_fen) AS amount_fen FROM reversal_payment rp "
        "JOIN sale_reversal r ON r.id = rp.reversal_id WHERE r.sale_id = :s "
        "GROUP BY rp.payment_id", {"s": sale_id}).all()}
    payments = [PaymentView(**m, returned_fen=int(back.get(m["id"], 0))) for m in execute(
        session, "SELECT id, method, amount_fen, tendered_fen, change_fen, reference FROM "
        "payment WHERE sale_id = :s ORDER BY id", {"s": sale_id}).mappings().all()]
    reversals = [ReversalView(r.number, r.kind, date.fromisoformat(r.business_day),
                              datetime.fromisoformat(r.at).astimezone(tz), r.counter, r.clerk,
                              r.approver, r.reason, r.amount_fen, r.stock_document)
                 for r in execute(
                     session, "SELECT number, kind, business_day, at, counter, clerk, approver, "
                     "reason, amount_fen, stock_document FROM sale_reversal WHERE sale_id = :s "
                     "ORDER BY id", {"s": sale_id}).all()]
    return SaleView(row.id, row.receipt_no, date.fromisoformat(row.business_day),
                    datetime.fromisoformat(row.at).astimezone(tz), row.counter, row.terminal,
                    row.clerk, row.clerk_name, row.visit_id, bool(row.walk_up),
                    row.list_total_fen, row.total_fen, row.state, row.reprints, lines,
                    payments, reversals)


def get_sale(ctx: Ctx, *, receipt_no: str) -> SaleView:
    """A sale by its receipt number (any signed-in member of staff)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    with ctx.store.read() as session:
        return read_sale(session, receipt_no, ctx.clock.tz)


def receipt_exists(unit: ReadUnit, receipt_no: str) -> bool:
    """Whether a sale with this receipt number was ever made (any day, void or not)."""
    return unit.sql("SELECT 1 FROM sale WHERE receipt_no = :r",
                    {"r": (receipt_no or "").strip()}).first() is not None


@dataclass(frozen=True)
class SaleRow:
    """One sale in a day's list."""

    receipt_no: str
    at: datetime
    counter: int
    clerk: str
    total_fen: int
    state: str
    returned_fen: int
    methods: str


def list_sales(ctx: Ctx, *, business_day: date | None = None, counter: int | None = None,
               limit: int = 500) -> list[SaleRow]:
    """The sales of a day (default today), newest first."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    day = business_day or ctx.today()
    where, params = "s.business_day = :d", {"d": day.isoformat(), "n": limit}
    if counter is not None:
        where += " AND s.counter = :c"
        params["c"] = counter
    from hallterm.services.queue import require_counter

    with ctx.store.read() as session:
        if counter is not None:
            require_counter(session, counter)
        methods = session.driver.joined("method", "'+'", "p.id")
        rows = execute(session, "SELECT s.receipt_no, s.at, s.counter, s.clerk, s.total_fen, "
                       "s.state, (SELECT COALESCE(SUM(amount_fen), 0) FROM sale_reversal r "
                       "WHERE r.sale_id = s.id) AS returned_fen, "
                       f"(SELECT {methods} FROM payment p WHERE p.sale_id = s.id) AS methods "
                       "FROM sale s "
                       f"WHERE {where} ORDER BY s.id DESC LIMIT :n", params).all()
    tz = ctx.clock.tz
    return [SaleRow(r.receipt_no, datetime.fromisoformat(r.at).astimezone(tz), r.counter,
                    r.clerk, r.total_fen, r.state, int(r.returned_fen), r.methods or "")
            for r in rows]


def reprint(ctx: Ctx, *, receipt_no: str) -> SaleView:
    """Count a reprint (重打) of a receipt and audit it; returns the sale to print as a copy.

    Only a counter role or a manager may print a copy (``sale.reprint``).
    """
    require(ctx.actor, "sale.reprint")

    def work(uow: UnitOfWork) -> SaleView:
        sale = read_sale(uow.session, receipt_no, ctx.clock.tz)
        # The audit rows count the copies: a closed day's sale row cannot change.
        copies = uow.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.reprint' AND "
                         "entity_id = :r", {"r": sale.receipt_no}).scalar() or 0
        state = uow.sql("SELECT state FROM business_day WHERE day = :d",
                        {"d": sale.business_day.isoformat()}).scalar()
        if state == "open":
            uow.sql("UPDATE sale SET reprints = reprints + 1 WHERE id = :s", {"s": sale.id})
        uow.audit("sale.reprint", entity="sale", entity_id=sale.receipt_no,
                  payload={"copy": copies + 1, "sale_day": sale.business_day.isoformat()})
        return replace(sale, reprints=copies + 1)

    return run_write(ctx, "sale.reprint", work)
