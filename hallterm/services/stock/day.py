"""The stock area's part of closing (日结), the day report and the HQ export.

Registered with ``day`` at import: a stocktake in progress blocks the close;
the day report shows the day's movements by kind (valuable cards also in face
value), the stocktakes posted and the stock held at the close; the export writes
the day's stock documents and ledger rows.
"""

from __future__ import annotations

from datetime import date

from hallterm.context import Ctx
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.day import Section, register_blocker, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.services.stock.places import kind_label, place_label
from hallterm.services.stock.verification import blockers
from hallterm.store import execute


@register_blocker
def _stocktakes_in_progress(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: a stocktake still open freezes its place and has not been posted."""
    return [_("Stocktake {number} of {place} (started by {empno}) is in progress; post or "
              "cancel it.").format(number=b.number, place=place_label(b.place),
                                   empno=b.started_by)
            for b in blockers(ctx, business_day)]


def compute(uow_or_session, business_day: date) -> dict:
    """The day's movements by kind, stocktakes posted, and the stock held now."""
    session = getattr(uow_or_session, "session", uow_or_session)
    d = {"d": business_day.isoformat()}
    kinds = []
    for r in execute(
            session, "SELECT kind, COUNT(*) AS documents, SUM(quantity) AS quantity, "
            "SUM(value_fen) AS value_fen FROM stock_document WHERE business_day = :d "
            "GROUP BY kind ORDER BY kind", d).all():
        kinds.append({"kind": r.kind, "documents": r.documents, "quantity": int(r.quantity or 0),
                      "value_fen": int(r.value_fen or 0)})
    cards = []
    for r in execute(
            session, "SELECT d.kind AS kind, SUM(m.quantity) AS quantity, "
            "SUM(m.quantity * m.unit_value_fen) AS face_fen FROM "
            "stock_move m JOIN stock_document d ON d.id = m.document_id JOIN catalog_item i ON "
            "i.sku = m.sku WHERE m.business_day = :d AND i.kind = 'valuable_card' "
            "GROUP BY d.kind ORDER BY d.kind", d).all():
        cards.append({"kind": r.kind, "quantity": int(r.quantity or 0),
                      "face_fen": int(r.face_fen or 0)})
    # A stocktake's adjustment is a difference: counted minus the ledger, in value, so a
    # shortage written off is negative (as at handovers and in the drawer counts).
    takes = [{"number": r.number, "place": r.place, "state": r.state, "approver": r.approver,
              "value_fen": int(r.value_fen or 0)} for r in execute(
        session, "SELECT t.number, t.place, t.state, t.approver, (SELECT COALESCE(SUM(CASE "
        "WHEN m.to_place = t.place THEN 1 ELSE -1 END * m.quantity * m.unit_value_fen), 0) "
        "FROM stock_move m WHERE m.document_id = t.document_id) AS value_fen FROM stocktake t "
        "WHERE t.business_day = :d ORDER BY t.id", d).all()]
    held = execute(session, "SELECT COALESCE(SUM(b.quantity), 0) AS quantity, "
                   "COALESCE(SUM(b.quantity * CASE WHEN i.kind = 'valuable_card' THEN "
                   "i.face_value_fen ELSE i.price_fen END), 0) AS value_fen FROM stock_balance b "
                   "JOIN catalog_item i ON i.sku = b.sku WHERE b.place = 'warehouse' OR "
                   "b.place LIKE 'counter:%'").first()
    return {"movements": kinds, "valuable_cards": cards, "stocktakes": takes,
            "held": {"quantity": int(held.quantity), "value_fen": int(held.value_fen)}}


def render(figs: dict) -> list[str]:
    """The stock section as translated text lines."""
    out = []
    for m in figs["movements"]:
        out.append(_("{kind}: {documents} document(s), {quantity} unit(s), {value}").format(
            kind=kind_label(m["kind"]), documents=m["documents"], quantity=m["quantity"],
            value=format_fen(m["value_fen"])))
    for c in figs["valuable_cards"]:
        out.append(_("  valuable cards {kind}: {quantity}, face value {face}").format(
            kind=kind_label(c["kind"]), quantity=c["quantity"], face=format_fen(c["face_fen"])))
    for t in figs["stocktakes"]:
        out.append(_("Stocktake {number} of {place}: {state}, adjusted {value}").format(
            number=t["number"], place=place_label(t["place"]), state=t["state"],
            value=format_fen(t["value_fen"])))
    out.append(_("Stock held at the close: {quantity} unit(s), {value}").format(
        quantity=figs["held"]["quantity"], value=format_fen(figs["held"]["value_fen"])))
    return out


register_section(Section(key="stock", title=N_("Stock movements"),
                                           compute=compute, render=render, order=50))

register_export(ExportTable(
    name="stock_documents",
    source="FROM stock_document WHERE business_day = :day",
    fields=(("id", "integer", "Document id"),
            ("number", "string", "Document number SD<year>-<n>"),
            ("kind", "string", "receive, issue, return, write_off, sale, sale_reversal, adjust"),
            ("business_day", "date", "Business day"), ("at", "datetime", "When (UTC)"),
            ("actor", "string", "Who moved the stock (employee number)"),
            ("confirmer", "string", "Receiving counter clerk (issue)"),
            ("approver", "string", "Hall manager or valuable-card second person"),
            ("from_place", "string", "From (supplier, found, warehouse, counter:N, sold…)"),
            ("to_place", "string", "To"),
            ("reference", "string", "Delivery document, receipt or stocktake number"),
            ("supplier", "string", "Supplier (receipts)"), ("reason", "string", "Reason"),
            ("lines", "integer", "Ledger rows"), ("quantity", "integer", "Units moved"),
            ("value_fen", "integer", "Value moved (fen, never negative: the direction is "
             "from_place to to_place, so a stocktake's loss goes to lost; valuable cards at "
             "face value)")),
    primary_key=("id",), key_column="id", description="Stock documents (出入库单)", order=50))
register_export(ExportTable(
    name="stock_moves",
    source="FROM stock_move WHERE business_day = :day",
    fields=(("id", "integer", "Ledger row id"), ("document_id", "integer", "Document id"),
            ("business_day", "date", "Business day"), ("at", "datetime", "When (UTC)"),
            ("sku", "string", "SKU"),
            ("serial", "string", "Serial (IMEI/ICCID/card), empty for a counted item"),
            ("quantity", "integer", "Units"), ("from_place", "string", "From"),
            ("to_place", "string", "To"),
            ("unit_value_fen", "integer", "Unit value (fen; valuable cards at face value)")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["document_id"],
                   "reference": {"resource": "stock_documents", "fields": ["id"]}},),
    description="The stock ledger (库存台账)", order=51))
