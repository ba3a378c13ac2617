"""Demo sales: a few sales of each kind at counters 1-2, one void and one refund.

Uses the stock the stock seed issued to the counters (``ORDER`` after it). Counter
1 keeps its handset and its cables, so a visitor can sell them in the demo: two
accessories and a handset, cash, then void it with the duty manager 8002's PIN.
"""

from __future__ import annotations

from hallterm.context import Ctx

ORDER = 40
DEMO_PIN = "246810"


def seed(ctx: Ctx) -> None:
    """Opening floats, cash / QR / card / split sales, a void and a refund (counter 2).

    Each sale is made by the counter's keeper (services.queue.keepers): 8004 at counter 1,
    8005 at counter 2.
    """
    from hallterm.seeds.stock import make_iccid, make_imei
    from hallterm.services import cash, catalog, sales

    reversals = sales.reversals
    from hallterm.services.sales import PaymentIn
    from hallterm.services.staff import approve, authenticate

    def clerk(empno: str) -> Ctx:
        return ctx.as_actor(authenticate(ctx, empno=empno, pin=DEMO_PIN, purpose="demo"))

    def line(c: Ctx, code: str, serial: str | None = None) -> sales.CartLine:
        return sales.line_from_item(catalog.lookup(c, code=code), serial=serial)

    chen, liu, duty = clerk("8004"), clerk("8005"), clerk("8002")
    for who, counter in ((chen, 1), (liu, 2), (duty, 3)):  # each drawer's keeper
        cash.move_cash(who, counter=counter, kind="float", reason="", amount_fen=50_000)
    sims = [make_iccid(5000 + i) for i in range(20)]
    handsets = [make_imei(100 + i, "35209900") for i in range(6)]

    # Counter 1: a data pack for cash (收您 ¥50.00，找您 ¥20.00); a SIM and a plan change by WeChat.
    sales.complete_sale(chen, counter=1, visit_id=None, lines=[line(chen, "SVC-DATA-10G")],
                        payments=[PaymentIn("cash", 3000, 5000)])
    lines = [line(chen, "SIM-5G", sims[3]), line(chen, "SVC-PLAN-CHANGE")]
    sales.complete_sale(chen, counter=1, visit_id=None, lines=lines,
                        payments=[PaymentIn("wechat", sales.cart_total(lines),
                                            reference="WX4200001234202611250001")])

    # Counter 2: a handset and a cable, card plus cash (split); the cable comes back (refund).
    lines = [line(liu, "HS-HW-M60", handsets[2]), line(liu, "ACC-CABLE-C")]
    total = sales.cart_total(lines)
    pays = sales.split_cash_rest(total, [PaymentIn("card", 500_000, reference="UP-883412")],
                                 60_000)
    split = sales.complete_sale(liu, counter=2, visit_id=None, lines=lines, payments=pays)
    reversals.refund_sale(liu, receipt_no=split.receipt_no, lines=[reversals.RefundLine(2, 1)],
                      reason="数据线不需要了 customer did not need the cable",
                      approver=approve(liu, action="sale.refund", empno="8002", pin=DEMO_PIN))
    # A top-up card by Alipay: valuable cards move with a second person's PIN.
    witness = approve(liu, action="stock.valuable_card", empno="8002", pin=DEMO_PIN)
    sales.complete_sale(liu, counter=2, visit_id=None, lines=[line(liu, "VC-50", "VC50A1002")],
                        payments=[PaymentIn("alipay", 5000, reference="AP2026112522001")],
                        witness=witness)

    # Counter 2 again: a SIM and a cable for cash, then voided (wrong SIM taken).
    lines = [line(liu, "SIM-5G", sims[7]), line(liu, "ACC-CABLE-C")]
    wrong = sales.complete_sale(liu, counter=2, visit_id=None, lines=lines,
                                payments=[PaymentIn("cash", sales.cart_total(lines), 5000)])
    reversals.void_sale(liu, receipt_no=wrong.receipt_no, reason="拿错卡 wrong SIM taken",
                    approver=approve(liu, action="sale.void", empno="8002", pin=DEMO_PIN))
