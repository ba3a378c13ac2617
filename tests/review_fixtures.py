"""A closed day with a record of every reviewable kind, the next day open, two auditors.

2026-11-25 (``DAY``): stock received and issued to counter 1 (8008); a ¥500 float
(8004); a handover of counter 1 from 8004 to 8005, ¥10 short, witnessed by 8002;
8005 sells three times (one line at an approved price), voids one sale, refunds
another, drops ¥100 at the bank and counts the drawer at the day end. The day is
closed (forced: the queue is not the point here) and 2026-11-26 (``NEXT``) opened.
8009 and 8010 are auditors; 8009 also keeps stock and received a delivery.
"""

from __future__ import annotations

import hashlib
from datetime import date

from hallterm.services import cash, handover, sales, stock
from hallterm.services.day import closing, open_day
from hallterm.services.sales import PaymentIn
from hallterm.services.staff import approve, confirm_person
from hallterm.services.stock import LineIn
from tests.sales_fixtures import HANDSETS, PIN, SIMS, item_line, stock_hall

DAY = date(2026, 11, 25)
NEXT = date(2026, 11, 26)
FLOAT = 50_000


def _sell(ctx, lines, cart: str) -> str:
    total = sales.cart_total(lines)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, cart_id=cart,
                               payments=[PaymentIn("cash", total, total)]).receipt_no


def busy_day(hall, tmp_path):
    """The day described above, closed; ``hall.refs`` names one record of each kind."""
    stock_hall(hall)
    cash.move_cash(hall.sales, counter=1, kind="float", reason="", amount_fen=FLOAT)
    ho = handover.start(hall.sales, counter=1, outgoing=hall.sales.actor)
    ho = handover.submit_count(hall.sales, handover_id=ho.id, cash_fen=FLOAT - 1000,
                               serials=[*HANDSETS[:3], *SIMS[:2]],
                               counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    ho = handover.review(hall.sales, handover_id=ho.id, cash_reason="gave ¥10 too much change",
                         witness=approve(hall.sales, action="handover.witness", empno="8002",
                                         pin=PIN))
    ho = handover.finish(hall.sales, handover_id=ho.id,
                         incoming=confirm_person(hall.sales, empno="8005", pin=PIN,
                                                 purpose="handover"))
    clerk = hall.other  # 8005 keeps counter 1 from now on
    boss = approve(clerk, action="sale.price_override", empno="8002", pin=PIN)
    cheap = sales.with_override(item_line(clerk, "ACC-CASE"), discount_fen=900, approver=boss,
                                reason="scratched box")
    first = _sell(clerk, [cheap, item_line(clerk, "ACC-CABLE-C")], "c1")
    second = _sell(clerk, [item_line(clerk, "ACC-CABLE-C")], "c2")
    third = _sell(clerk, [item_line(clerk, "ACC-CABLE-C")], "c3")
    void = sales.reversals.void_sale(clerk, receipt_no=second, reason="wrong item",
                                     approver=approve(clerk, action="sale.void", empno="8002",
                                                      pin=PIN))
    refund = sales.reversals.refund_sale(clerk, receipt_no=third, lines=None, reason="changed "
                                         "mind", approver=approve(clerk, action="sale.refund",
                                                                  empno="8002", pin=PIN))
    moved = cash.move_cash(clerk, counter=1, kind="out", reason="bank_drop", amount_fen=10_000)
    drawer = cash.expected_cash(clerk, counter=1)
    counted = cash.count_cash(clerk, counter=1, counted_fen=drawer.expected_fen,
                              purpose="day_end")
    hall.auditor = hall.add("8009", "auditor", "warehouse")  # an auditor with records too
    hall.auditor2 = hall.add("8010", "auditor")
    own = stock.receive(hall.auditor, document_no="DN-T2", supplier="GD Devices",
                        lines=[LineIn("ACC-CASE", None, 2)])
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="review test",
                      reports_dir=tmp_path / "reports")
    hall.clock.advance(hours=15)
    open_day(hall.manager)
    hall.refs = {
        "sale": f"sale:{first}", "void": f"void:{void.number}",
        "refund": f"refund:{refund.number}", "override": f"override:{first}/1",
        "cash_move": f"cash_move:CM{moved.id}", "cash_count": f"cash_count:CC{counted.id}",
        "handover": f"handover:{ho.number}", "stock": f"stock:{own.number}",
    }
    return hall


def day_rows_digest(hall, day: date) -> str:
    """A hash of every row of ``day`` in every table that has a business day (both engines)."""
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        tables = _day_tables(session)
        digest = hashlib.sha256()
        for table in tables:
            rows = execute(session, f"SELECT * FROM {table} WHERE business_day = :d",
                           {"d": day.isoformat()}).mappings().all()
            for row in sorted(repr(sorted(dict(r).items())) for r in rows):
                digest.update(f"{table}:{row}\n".encode())
        close = execute(session, "SELECT * FROM day_close WHERE business_day = :d",
                        {"d": day.isoformat()}).mappings().all()
        digest.update(repr([sorted(dict(r).items()) for r in close]).encode())
    return digest.hexdigest()


def _day_tables(session) -> list[str]:
    from hallterm.store import execute
    from tests import pgtest

    if pgtest.SERVER:
        rows = execute(session, "SELECT table_name AS t FROM information_schema.columns WHERE "
                       "column_name = 'business_day' AND table_schema = current_schema() "
                       "ORDER BY 1").all()
        return [r.t for r in rows]
    names = [r.name for r in execute(session, "SELECT name FROM sqlite_master WHERE "
                                     "type = 'table' ORDER BY name").all()]
    return [n for n in names if any(c.name == "business_day" for c in execute(
        session, f"PRAGMA table_info({n})").all())]

