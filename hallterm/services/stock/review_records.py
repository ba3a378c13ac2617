"""The stock area's records in the audit review: its documents (receipts, issues,
returns, write-offs, stocktake adjustments). The stock side of a sale, a void or a
refund is reviewed with that sale (the sales area's records), not twice here.

Registered with ``hallterm.services.review`` when the stock package is imported.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.review import Record, Source, register_source
from hallterm.services.stock.places import kind_label, place_label
from hallterm.store import execute

_WITH_SALES = ("sale", "sale_reversal")


def _documents(session: Any, day: date) -> list[Record]:
    rows = execute(session, "SELECT number, kind, at, actor, confirmer, approver, from_place, "
                   "to_place, reference, reason, quantity, value_fen FROM stock_document WHERE "
                   "business_day = :d ORDER BY id", {"d": day.isoformat()}).all()
    found = []
    for r in rows:
        if r.kind in _WITH_SALES:
            continue
        people = "".join(f" +{p}" for p in (r.confirmer, r.approver) if p)
        route = " → ".join(place_label(p) for p in (r.from_place, r.to_place) if p)
        found.append(Record("stock", r.number, r.actor, _(
            "{kind} {route}: {quantity} items, {value}{people}{why}").format(
                kind=kind_label(r.kind), route=route, quantity=r.quantity,
                value=format_fen(r.value_fen), people=people,
                why=f" — {r.reason or r.reference}" if (r.reason or r.reference) else ""),
            r.value_fen, _("Warehouse screen (F5), documents of {day}").format(day=day),
            datetime.fromisoformat(str(r.at))))
    return found


register_source(Source("stock", N_("Stock documents"), _documents, order=40))
