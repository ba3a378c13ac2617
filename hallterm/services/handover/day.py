"""The handover's day parts: closing's blocker, the day report's section, the export tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.context import Ctx
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.day import Section, register_blocker, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.services.handover.views import kind_label, state_label, status_label
from hallterm.store import execute


# -- closing, the day report and the export ----------------------------------------------------
@register_blocker
def _handovers_in_progress(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: a handover still in progress leaves a counter paused and uncounted."""
    with ctx.store.read() as session:
        rows = execute(session, "SELECT number, counter, outgoing, state FROM handover WHERE "
                       "business_day <= :d AND state IN ('started', 'counted', 'reviewed') "
                       "ORDER BY id", {"d": business_day.isoformat()}).all()
    return [_("Handover {number} of counter {counter} by {empno} is in progress ({state}); "
              "finish or cancel it.").format(number=r.number, counter=r.counter, empno=r.outgoing,
                                             state=state_label(r.state)) for r in rows]


def compute(uow_or_session: Any, business_day: date) -> dict[str, Any]:
    """The day report's handover section: every handover with its differences."""
    session = getattr(uow_or_session, "session", uow_or_session)
    d = {"d": business_day.isoformat()}
    rows = execute(session, "SELECT id, number, counter, kind, state, outgoing, incoming, "
                   "witness, counted_fen, expected_fen, difference_fen, stock_difference_fen, "
                   "cash_reason, stock_reason FROM handover WHERE business_day = :d AND "
                   "state = 'done' ORDER BY id", d).all()
    lines: dict[int, list[dict[str, Any]]] = {}
    for x in execute(
            session, "SELECT handover_id, sku, serial, difference, unit_value_fen, status FROM "
            "handover_line WHERE business_day = :d AND difference != 0 ORDER BY id", d).all():
        lines.setdefault(x.handover_id, []).append(
            {"sku": x.sku, "serial": x.serial, "difference": x.difference,
             "value_fen": x.difference * x.unit_value_fen, "status": x.status})
    items: list[dict[str, Any]] = []
    for r in rows:
        items.append({"number": r.number, "counter": r.counter, "kind": r.kind,
                      "outgoing": r.outgoing, "incoming": r.incoming, "witness": r.witness,
                      "counted_fen": r.counted_fen, "expected_fen": r.expected_fen,
                      "difference_fen": r.difference_fen,
                      "stock_difference_fen": r.stock_difference_fen,
                      "cash_reason": r.cash_reason, "stock_reason": r.stock_reason,
                      "stock_differences": lines.get(r.id, [])})
    cancelled = execute(session, "SELECT COUNT(*) FROM handover WHERE business_day = :d AND "
                        "state = 'cancelled'", d).scalar() or 0
    return {
        "totals": {"handovers": len(items),
                   "cash_difference_fen": sum(i["difference_fen"] or 0 for i in items),
                   "stock_difference_fen": sum(i["stock_difference_fen"] or 0 for i in items),
                   "stock_difference_lines": sum(len(i["stock_differences"]) for i in items)},
        "cancelled": int(cancelled),
        "handovers": items,
    }


def render(figs: dict[str, Any]) -> list[str]:
    """The handover section as translated text lines."""
    out = [_("Handovers: {n} (cancelled: {c}); cash differences {diff}").format(
        n=figs["totals"]["handovers"], c=figs.get("cancelled", 0),
        diff=format_fen(figs["totals"]["cash_difference_fen"]))]
    if figs["totals"].get("stock_difference_fen"):
        out.append(_("Stock differences found at handovers: {value}").format(
            value=format_fen(figs["totals"]["stock_difference_fen"])))
    for h in figs["handovers"]:
        who = h["outgoing"] + (f" → {h['incoming']}" if h["incoming"] else "")
        out.append(_("  {number} counter {counter} {kind} {who}: counted {counted}, expected "
                     "{expected}, difference {diff}").format(
            number=h["number"], counter=h["counter"], kind=kind_label(h["kind"]), who=who,
            counted=format_fen(h["counted_fen"] or 0), expected=format_fen(h["expected_fen"] or 0),
            diff=format_fen(h["difference_fen"] or 0)))
        if h["cash_reason"]:
            out.append(_("    cash reason: {reason}").format(reason=h["cash_reason"]))
        if h["witness"]:
            out.append(_("    witness: {empno}").format(empno=h["witness"]))
        for x in h["stock_differences"]:
            out.append(_("    stock {status}: {sku} {serial} {diff:+d} ({value})").format(
                status=status_label(x["status"]), sku=x["sku"], serial=x["serial"] or "",
                diff=x["difference"], value=format_fen(x["value_fen"])))
        if h["stock_reason"]:
            out.append(_("    stock reason: {reason}").format(reason=h["stock_reason"]))
    return out


register_section(Section(key="handovers", title=N_("Shift handovers"),
                                           compute=compute, render=render, order=45))

register_export(ExportTable(
    name="handovers",
    source="FROM handover WHERE business_day = :day",
    fields=(("id", "integer", "Handover id"),
            ("number", "string", "Handover number HO<yyyymmdd>-<n>"),
            ("business_day", "date", "Business day"), ("counter", "integer", "Counter"),
            ("kind", "string", "shift or day_end"),
            ("state", "string", "started, counted, reviewed, done or cancelled"),
            ("actor", "string", "Who ran it (employee number)"),
            ("outgoing", "string", "Outgoing clerk"), ("incoming", "string", "Incoming clerk"),
            ("witness", "string", "Witness (监交人)"),
            ("started_at", "datetime", "Started (UTC)"), ("counted_at", "datetime", "Counted"),
            ("reviewed_at", "datetime", "Reviewed"), ("finished_at", "datetime", "Finished"),
            ("counted_fen", "integer", "Cash counted (fen)"),
            ("denominations", "string", "JSON {face in fen: count}"),
            ("expected_fen", "integer", "Cash expected (fen)"),
            ("difference_fen", "integer", "Counted minus expected (长短款)"),
            ("stock_difference_fen", "integer",
             "Value of the stock differences, counted minus expected (fen; a shortage is "
             "negative)"),
            ("cash_reason", "string", "Reason of the cash difference"),
            ("stock_reason", "string", "Reason of the stock difference"),
            ("cash_count_id", "integer", "The cash_counts row"),
            ("note", "string", "Why it was cancelled")),
    primary_key=("id",), key_column="id", description="Shift handovers (交接班)", order=45))
register_export(ExportTable(
    name="handover_lines",
    source="FROM handover_line WHERE business_day = :day",
    fields=(("id", "integer", "Line id"), ("handover_id", "integer", "Handover id"),
            ("business_day", "date", "Business day"), ("sku", "string", "SKU"),
            ("serial", "string", "Serial (IMEI/ICCID/card), empty for a counted item"),
            ("expected_quantity", "integer",
             "Should be in custody: the ledger, re-based by earlier handover counts"),
            ("counted_quantity", "integer", "Counted"),
            ("difference", "integer", "Counted minus expected"),
            ("unit_value_fen", "integer", "Unit value (fen)"),
            ("status", "string", "ok, missing, extra, short or over")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["handover_id"],
                   "reference": {"resource": "handovers", "fields": ["id"]}},),
    description="Custody stock counted at handovers", order=46))
register_export(ExportTable(
    name="handover_pending",
    source="FROM handover_pending WHERE business_day = :day",
    fields=(("id", "integer", "Item id"), ("handover_id", "integer", "Handover id"),
            ("business_day", "date", "Business day"),
            ("kind", "string", "ticket_called, ticket_waiting, complaint, service_order…"),
            ("reference", "string", "Ticket, complaint or order number"),
            ("description", "string", "What was passed on")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["handover_id"],
                   "reference": {"resource": "handovers", "fields": ["id"]}},),
    description="What passed to the incoming clerk at handovers", order=47))
