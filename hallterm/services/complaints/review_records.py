"""The complaints in the audit review: each complaint taken on the day and each
compensation paid or granted on it.

Registered with ``hallterm.services.review`` when the complaints package is imported;
it only reads the area's own tables (the customer's phone stays sealed: only its
masked form would ever show, and the summary does not use it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hallterm.i18n import N_, _
from hallterm.services.complaints.money import KINDS
from hallterm.services.complaints.records import CATEGORIES, CHANNELS, STATES, label
from hallterm.services.review import Record, Source, register_source
from hallterm.store import execute


def _complaints(session: Any, day: date) -> list[Record]:
    rows = execute(session, "SELECT c.number, c.at, c.taken_by, c.channel, c.category, "
                   "c.counter, c.receipt, c.order_no, s.state, s.stage, s.owner FROM complaint c "
                   "LEFT JOIN complaint_status s ON s.complaint_id = c.id WHERE "
                   "c.business_day = :d ORDER BY c.id", {"d": day.isoformat()}).all()
    found = []
    for r in rows:
        flags = []
        if r.owner and r.owner != r.taken_by:
            flags.append(_("now owned by {empno}").format(empno=r.owner))
        related = ", ".join(x for x in (r.receipt, r.order_no) if x)
        found.append(Record("complaint", r.number, r.taken_by, _(
            "{category}, {channel}, stage {stage} ({state}){related}").format(
                category=label(CATEGORIES, r.category), channel=label(CHANNELS, r.channel),
                stage=r.stage or 0, state=label(STATES, r.state or "-"),
                related=f" — {related}" if related else ""),
            None, f"hallterm complaint show {r.number}", datetime.fromisoformat(str(r.at)),
            tuple(flags)))
    return found


def _compensations(session: Any, day: date) -> list[Record]:
    # numbered within their complaint (TS2026-00012/1 its first), not by the table's id
    rows = execute(session, "SELECT m.id, m.at, m.kind, m.amount_fen, m.description, m.actor, "
                   "m.approver, m.counter, c.number, (SELECT COUNT(*) FROM "
                   "complaint_compensation p WHERE p.complaint_id = m.complaint_id AND "
                   "p.id <= m.id) AS nth FROM complaint_compensation m JOIN "
                   "complaint c ON c.id = m.complaint_id WHERE m.business_day = :d ORDER BY m.id",
                   {"d": day.isoformat()}).all()
    return [Record("compensation", f"{r.number}/{r.nth}", r.actor, _(
        "{kind} compensation for {complaint}, approved by {approver}: {what}").format(
            kind=label(KINDS, r.kind), complaint=r.number, approver=r.approver, what=r.description),
        r.amount_fen, f"hallterm complaint show {r.number}", datetime.fromisoformat(str(r.at)),
        (_("paid from counter {n}'s drawer").format(n=r.counter),) if r.counter else ())
        for r in rows]


register_source(Source("complaint", N_("Complaints"), _complaints, order=60))
register_source(Source("compensation", N_("Compensations"), _compensations, order=61))
