"""Sales in the day's report, the export to HQ and the manager's headline figures.

The day report section ``sales`` gives totals by payment method, by product, by
counter and by clerk, the voids and refunds with their approvers, and cash
expected against counted per counter. Its figures carry ``receipts`` (first, last,
count) and ``totals`` (integer fen), which closing lifts into the day's record.
An unfinished cart holding card/QR money taken blocks the close, and those
payments are exported (``taken_payments``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from hallterm.context import Ctx
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services import figures
from hallterm.services.day import Section, register_blocker, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.services.sales import carts
from hallterm.services.sales.cart import method_label
from hallterm.store import execute


def _session(uow_or_session):
    return getattr(uow_or_session, "session", uow_or_session)


def compute(uow_or_session, business_day: date) -> dict:
    """The figures of the sales section for ``business_day`` (JSON-able, integer fen)."""
    from hallterm.services.cash import counters_with_cash, drawer_in

    session = _session(uow_or_session)
    d = {"d": business_day.isoformat()}
    span = execute(session, "SELECT MIN(receipt_no) AS first, MAX(receipt_no) AS last, "
                   "COUNT(*) AS count FROM sale WHERE business_day = :d", d).first()
    first, last, count = span.first, span.last, span.count
    voided = execute(session, "SELECT COUNT(*) FROM sale WHERE business_day = :d AND "
                     "state = 'void'", d).scalar() or 0
    gross = execute(session, "SELECT COALESCE(SUM(total_fen), 0) FROM sale WHERE "
                    "business_day = :d", d).scalar() or 0
    by_method: dict[str, int] = defaultdict(int)
    for r in execute(session, "SELECT method, SUM(amount_fen) AS amount_fen FROM payment WHERE "
                     "business_day = :d GROUP BY method", d).all():
        by_method[r.method] += int(r.amount_fen)
    for r in execute(session, "SELECT method, SUM(amount_fen) AS amount_fen FROM "
                     "reversal_payment WHERE business_day = :d GROUP BY method", d).all():
        by_method[r.method] -= int(r.amount_fen)
    products: dict[str, dict] = {}
    for r in execute(
            session, "SELECT sku, MIN(name_zh) AS name_zh, MIN(name_en) AS name_en, "
            "SUM(quantity) AS quantity, SUM(total_fen) AS amount_fen FROM sale_line WHERE "
            "business_day = :d GROUP BY sku", d).all():
        products[r.sku] = {"sku": r.sku, "name_zh": r.name_zh, "name_en": r.name_en,
                           "quantity": int(r.quantity), "amount_fen": int(r.amount_fen)}
    for r in execute(
            session, "SELECT l.sku AS sku, SUM(r.quantity) AS quantity, SUM(r.amount_fen) AS "
            "amount_fen FROM sale_reversal_line r JOIN sale_line l ON l.id = r.sale_line_id "
            "WHERE r.business_day = :d GROUP BY l.sku", d).all():
        p = products.setdefault(r.sku, {"sku": r.sku, "name_zh": r.sku, "name_en": r.sku,
                                        "quantity": 0, "amount_fen": 0})
        p["quantity"] -= int(r.quantity)
        p["amount_fen"] -= int(r.amount_fen)
    by_counter: dict[str, int] = defaultdict(int)
    by_clerk: dict[str, int] = defaultdict(int)
    for r in execute(session, "SELECT counter, clerk, SUM(total_fen) AS amount_fen FROM sale "
                     "WHERE business_day = :d GROUP BY counter, clerk", d).all():
        by_counter[str(r.counter)] += int(r.amount_fen)
        by_clerk[r.clerk] += int(r.amount_fen)
    reversals = []
    for r in execute(
            session, "SELECT r.number, r.kind, r.receipt_no, r.counter, r.clerk, r.approver, "
            "r.reason, r.amount_fen FROM sale_reversal r WHERE r.business_day = :d ORDER BY r.id",
            d).all():
        reversals.append({"number": r.number, "kind": r.kind, "receipt_no": r.receipt_no,
                          "counter": r.counter, "clerk": r.clerk, "approver": r.approver,
                          "reason": r.reason, "amount_fen": r.amount_fen})
        by_counter[str(r.counter)] -= int(r.amount_fen)
        by_clerk[r.clerk] -= int(r.amount_fen)
    cash = []
    for counter in counters_with_cash(session, business_day):
        drawer = drawer_in(session, counter=counter, business_day=business_day)
        cash.append({"counter": counter, "expected_fen": drawer.expected_fen,
                     "counted_fen": drawer.counted_fen, "difference_fen": drawer.difference_fen,
                     "day_difference_fen": drawer.day_difference_fen})
    voids = sum(r["amount_fen"] for r in reversals if r["kind"] == "void")
    refunds = sum(r["amount_fen"] for r in reversals if r["kind"] == "refund")
    return {
        "receipts": {"first": first, "last": last, "count": int(count or 0)},
        "totals": {"sales_fen": int(gross), "voids_fen": voids, "refunds_fen": refunds,
                   "net_fen": int(gross) - voids - refunds, "sales": int(count or 0),
                   "voided": int(voided)},
        "by_method": dict(sorted(by_method.items())),
        "by_product": sorted(products.values(), key=lambda p: p["sku"]),
        "by_counter": dict(sorted(by_counter.items(), key=lambda kv: int(kv[0]))),
        "by_clerk": dict(sorted(by_clerk.items())),
        "reversals": reversals,
        "cash": cash,
    }


def render(figs: dict) -> list[str]:
    """The sales section as translated text lines."""
    from hallterm.i18n import get_language

    zh = get_language().startswith("zh")
    t, r = figs["totals"], figs["receipts"]
    out = [_("Receipts {first} to {last} ({count})").format(
        first=r["first"] or "-", last=r["last"] or "-", count=r["count"]),
        _("Sales {gross}, voids {voids}, refunds {refunds}, net {net}").format(
            gross=format_fen(t["sales_fen"]), voids=format_fen(t["voids_fen"]),
            refunds=format_fen(t["refunds_fen"]), net=format_fen(t["net_fen"])),
        _("By payment method:")]
    out += [f"  {method_label(m)}: {format_fen(a)}" for m, a in figs["by_method"].items()]
    out.append(_("By product:"))
    out += [f"  {p['sku']} {p['name_zh'] if zh else p['name_en']} x{p['quantity']}: "
            f"{format_fen(p['amount_fen'])}" for p in figs["by_product"]]
    out.append(_("By counter:"))
    out += [f"  {_('Counter {n}').format(n=c)}: {format_fen(a)}"
            for c, a in figs["by_counter"].items()]
    out.append(_("By clerk:"))
    out += [f"  {k}: {format_fen(a)}" for k, a in figs["by_clerk"].items()]
    out.append(_("Voids and refunds:"))
    out += [_("  {number} {kind} of {receipt}: {amount}, approved by {approver} ({reason})"
              ).format(number=x["number"], kind=_("void") if x["kind"] == "void" else _("refund"),
                       receipt=x["receipt_no"], amount=format_fen(x["amount_fen"]),
                       approver=x["approver"], reason=x["reason"]) for x in figs["reversals"]]
    out.append(_("Cash expected / counted:"))
    for c in figs["cash"]:
        if c["counted_fen"] is None:  # not "counted not counted"
            out.append(_("  Counter {n}: expected {expected}, not counted").format(
                n=c["counter"], expected=format_fen(c["expected_fen"])))
        else:
            diff = format_fen(c["difference_fen"]) if c["difference_fen"] is not None else "-"
            out.append(_("  Counter {n}: expected {expected}, counted {counted}, difference "
                         "{diff}").format(n=c["counter"], expected=format_fen(c["expected_fen"]),
                                          counted=format_fen(c["counted_fen"]), diff=diff))
        if c.get("day_difference_fen") and c["day_difference_fen"] != c["difference_fen"]:
            # Earlier counts found differences; each is counted once, here in total.
            out.append(_("    the day's cash differences at counter {n}: {diff}").format(
                n=c["counter"], diff=format_fen(c["day_difference_fen"])))
    return out


register_section(Section(key="sales", title=N_("Sales"), compute=compute,
                                           render=render, order=30))

for _name, _table, _fields in (
    ("sales", "sale",
     (("id", "integer", "Sale id"), ("receipt_no", "string", "Receipt number R<yyyymmdd>-<n>"),
      ("business_day", "date", "Business day"), ("at", "datetime", "Completed at (UTC)"),
      ("counter", "integer", "Counter"), ("terminal", "string", "Terminal"),
      ("clerk", "string", "Clerk's employee number"), ("visit_id", "integer", "Visit"),
      ("walk_up", "boolean", "Served without a ticket"),
      ("list_total_fen", "integer", "Total at catalog prices (fen)"),
      ("total_fen", "integer", "Total charged (fen)"), ("state", "string", "completed or void"),
      ("reprints", "integer", "Reprinted copies"))),
    ("sale_lines", "sale_line",
     (("id", "integer", "Line id"), ("sale_id", "integer", "Sale id"),
      ("business_day", "date", "Business day"), ("line_no", "integer", "Line number"),
      ("sku", "string", "SKU"), ("serial", "string", "Serial (IMEI/ICCID/card)"),
      ("quantity", "integer", "Quantity"), ("list_price_fen", "integer", "Catalog price (fen)"),
      ("unit_price_fen", "integer", "Price charged (fen)"),
      ("discount_fen", "integer", "Discount (fen)"), ("total_fen", "integer", "Line total"),
      ("approver", "string", "Approver of an override"),
      ("override_reason", "string", "Reason of an override"))),
    ("payments", "payment",
     (("id", "integer", "Payment id"), ("sale_id", "integer", "Sale id"),
      ("business_day", "date", "Business day"), ("method", "string", "cash/card/wechat/alipay"),
      ("amount_fen", "integer", "Amount (fen)"), ("tendered_fen", "integer", "Cash tendered"),
      ("change_fen", "integer", "Change given"), ("reference", "string", "Terminal reference"))),
    ("voids_refunds", "sale_reversal",
     (("id", "integer", "Document id"), ("number", "string", "V…/F… document number"),
      ("kind", "string", "void or refund"), ("receipt_no", "string", "Original receipt"),
      ("business_day", "date", "Business day"), ("at", "datetime", "At (UTC)"),
      ("counter", "integer", "Counter"), ("clerk", "string", "Clerk"),
      ("approver", "string", "Approving manager"), ("reason", "string", "Reason"),
      ("amount_fen", "integer", "Amount given back"),
      ("stock_document", "string", "Stock document"))),
    ("cash_movements", "cash_movement",
     (("id", "integer", "Movement id"), ("business_day", "date", "Business day"),
      ("counter", "integer", "Counter"), ("at", "datetime", "At (UTC)"),
      ("kind", "string", "float, in or out"), ("reason", "string", "Reason code"),
      ("amount_fen", "integer", "Amount (fen)"), ("note", "string", "Note"),
      ("reference", "string", "Reference"), ("actor", "string", "Clerk"),
      ("approver", "string", "Approver above the threshold"))),
    ("cash_counts", "cash_count",
     (("id", "integer", "Count id"), ("business_day", "date", "Business day"),
      ("counter", "integer", "Counter"), ("at", "datetime", "At (UTC)"),
      ("purpose", "string", "handover, day_end or check"),
      ("counted_fen", "integer", "Counted (fen)"),
      ("expected_fen", "integer", "Expected: the drawer re-based by the day's earlier counts"),
      ("difference_fen", "integer", "Counted minus expected (a shortage is negative; each "
       "difference is found once, at this count)"), ("reason", "string", "Reason"),
      ("actor", "string", "Who counted"), ("witness", "string", "Witness"))),
):
    register_export(ExportTable(
        name=_name, source=f"FROM {_table} WHERE business_day = :day", fields=_fields,
        primary_key=("id",), key_column="id",
        description=f"Sales area: {_name}", order=30))


@figures.register(order=30)
def _sales_today(ctx, business_day: date) -> list[tuple[str, str]]:
    """Headline: sales count and net takings of the day."""
    with ctx.store.read() as session:
        figs = compute(session, business_day)
    t = figs["totals"]
    return [(_("Sales"), str(t["sales"] - t["voided"])), (_("Net takings"), format_fen(t["net_fen"]))]


# -- unfinished carts holding taken money (services.sales.carts) ---------------------------
@register_blocker
def _carts_with_taken_money(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: money taken for a sale never written would be in no report."""
    with ctx.store.read() as session:
        return [carts.describe(c) for c in carts.open_in(session, counter=None, business_day=business_day)
                if c.taken]


# -- the export to HQ ------------------------------------------------------------------------
register_export(ExportTable(
    name="taken_payments",
    source="FROM taken_payment WHERE business_day = :day",
    fields=(("id", "integer", "Taken payment id"), ("cart_id", "string", "The cart it was taken for"),
            ("business_day", "date", "Business day"), ("at", "datetime", "Taken at (UTC)"),
            ("counter", "integer", "Counter"), ("terminal", "string", "Terminal"),
            ("clerk", "string", "Clerk who took it"), ("visit_id", "integer", "Visit"),
            ("method", "string", "card/wechat/alipay"), ("amount_fen", "integer", "Amount (fen)"),
            ("reference", "string", "Terminal reference"),
            ("state", "string", "used (a sale's payment), refunded (given back) or taken "
             "(still open: only after a forced close)"),
            ("sale_id", "integer", "The sale it paid"),
            ("payment_id", "integer", "The sale's payment row"),
            ("refund_reference", "string", "Refund reference from the terminal"),
            ("refund_reason", "string", "Why it was given back"),
            ("refunded_at", "datetime", "Given back at (UTC)"),
            ("refunded_by", "string", "Clerk who gave it back"),
            ("approver", "string", "Manager who approved giving it back")),
    primary_key=("id",), key_column="id",
    description="Sales area: card/QR payments taken before their sale was written",
    order=31))
