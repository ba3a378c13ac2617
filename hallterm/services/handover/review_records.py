"""The handover's records in the audit review: each finished or cancelled handover.

Registered with ``hallterm.services.review`` when the handover package is imported.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.handover.views import kind_label, state_label
from hallterm.services.review import Record, Source, register_source
from hallterm.store import execute


def _handovers(session: Any, day: date) -> list[Record]:
    rows = execute(session, "SELECT number, counter, kind, state, outgoing, incoming, witness, "
                   "counted_fen, expected_fen, difference_fen, stock_difference_fen, "
                   "cash_reason, stock_reason, started_at FROM handover WHERE business_day = :d "
                   "ORDER BY id", {"d": day.isoformat()}).all()
    found = []
    for r in rows:
        who = r.outgoing + (f" → {r.incoming}" if r.incoming else "")
        flags = []
        if r.difference_fen:
            flags.append(_("cash {diff}: {reason}").format(
                diff=format_fen(r.difference_fen), reason=r.cash_reason or "-"))
        if r.stock_difference_fen:
            flags.append(_("stock {diff}: {reason}").format(
                diff=format_fen(r.stock_difference_fen), reason=r.stock_reason or "-"))
        if r.witness:
            flags.append(_("witness {empno}").format(empno=r.witness))
        found.append(Record("handover", r.number, r.outgoing, _(
            "Counter {counter} {kind} {who} ({state}): counted {counted}, expected {expected}"
        ).format(counter=r.counter, kind=kind_label(r.kind), who=who,
                 state=state_label(r.state), counted=format_fen(r.counted_fen or 0),
                 expected=format_fen(r.expected_fen or 0)),
            r.difference_fen, _("Handover screen (F7); hallterm review cash --day {day}").format(
                day=day), datetime.fromisoformat(str(r.started_at)), tuple(flags)))
    return found


register_source(Source("handover", N_("Handovers"), _handovers, order=30))
