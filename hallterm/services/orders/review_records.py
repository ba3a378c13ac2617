"""Service orders in the audit review (稽核): every order of the day, flagged with what an
auditor checks first — paperwork missing, its archive place, an agent or a guardian, the
retention attempt's outcome.

Registered with ``hallterm.services.review`` when the orders package is imported.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hallterm.i18n import N_, _
from hallterm.services.orders.rules import (
    OUTCOMES,
    Paperwork,
    kind_label,
    missing_labels,
    state_label,
)
from hallterm.services.review import Record, Source, register_source
from hallterm.store import execute


def _masked(number: str) -> str:
    return f"{number[:3]}****{number[7:]}" if len(number) == 11 else number


def _orders(session: Any, day: date) -> list[Record]:
    rows = execute(
        session, "SELECT o.order_no, o.kind, o.state, o.clerk, o.number, o.at, o.agent_id, "
        "o.guardian_id, o.id_copy, o.form_signed, o.photo, o.receipt_no, a.box_no, a.position, "
        "t.heard, t.outcome FROM service_order o LEFT JOIN archive_position a ON "
        "a.order_id = o.id LEFT JOIN retention_attempt t ON t.order_id = o.id WHERE "
        "o.business_day = :d ORDER BY o.order_no", {"d": day.isoformat()}).all()
    found = []
    for r in rows:
        flags = []
        missing = Paperwork(bool(r.id_copy), bool(r.form_signed), bool(r.photo)).missing(r.kind)
        if missing and r.state == "completed":
            flags.append(_("paperwork missing: {missing}").format(missing=missing_labels(missing)))
        if r.box_no:
            flags.append(_("box {box} #{position}").format(box=r.box_no, position=r.position))
        if r.agent_id:
            flags.append(_("agent (代办)"))
        if r.guardian_id:
            flags.append(_("minor with guardian"))
        if r.outcome:
            flags.append(_("retention: {outcome}").format(
                outcome=_(OUTCOMES.get(r.outcome, r.outcome)))
                + ("" if r.heard else " " + _("(no offer heard)")))
        found.append(Record(
            "order", r.order_no, r.clerk, _("{kind} {number} ({state})").format(
                kind=kind_label(r.kind), number=_masked(r.number), state=state_label(r.state))
            + (f" {r.receipt_no}" if r.receipt_no else ""), None,
            _("hallterm order show {number}").format(number=r.order_no),
            datetime.fromisoformat(str(r.at)), tuple(flags)))
    return found


register_source(Source("order", N_("Service orders"), _orders, order=45))
