"""Reading the review: a day's queue, an owner's inbox, the open exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hallterm.context import Ctx
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.review import registry
from hallterm.services.review.loop import OPEN_STATES, STATES
from hallterm.store import execute

_EVENT = ("e.id, e.target_day, e.kind, e.reference, e.owner, e.action, e.category, e.note, "
          "e.with_kind, e.with_reference, e.actor")
_LATEST = ("e.id = (SELECT MAX(x.id) FROM review_event x WHERE x.target_day = e.target_day "
           "AND x.kind = e.kind AND x.reference = e.reference)")


@dataclass(frozen=True)
class QueueRow:
    """One record of a day's review queue and where its review stands."""

    kind: str
    reference: str
    owner: str
    summary: str
    amount_fen: int | None
    where: str
    flags: tuple[str, ...]
    state: str  # unreviewed | ok | exception | rectified | accepted | reopened
    category: str | None = None
    note: str | None = None
    reviewer: str | None = None
    with_ref: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.reference}"


@dataclass(frozen=True)
class OpenException:
    """An exception not yet accepted: in its owner's inbox, or waiting for the auditor."""

    target_day: date
    kind: str
    reference: str
    owner: str
    state: str  # exception | rectified | reopened
    category: str | None
    note: str | None
    by: str
    with_ref: str | None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.reference}"


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _open(row: Any) -> OpenException:
    with_ref = f"{row.with_kind}:{row.with_reference}" if row.with_kind else None
    return OpenException(_day(row.target_day), row.kind, row.reference, row.owner, row.action,
                         row.category, row.note, row.actor, with_ref)


def day_queue(ctx: Ctx, *, business_day: date, kind: str | None = None,
              state: str | None = None) -> list[QueueRow]:
    """Every reviewable record of ``business_day`` with its review state (auditor, manager)."""
    require(ctx.actor, "review.read")
    if state is not None and state not in STATES:
        raise BadInput(_("Unknown state {s}; one of: {all}").format(s=state, all=", ".join(STATES)))
    if kind is not None and kind not in {s.kind for s in registry.sources()}:
        raise BadInput(_("Unknown kind {k}; one of: {all}").format(
            k=kind, all=", ".join(s.kind for s in registry.sources())))
    with ctx.store.read() as session:
        records = registry.records_of(session, business_day, kind=kind)
        events = {(r.kind, r.reference): r for r in execute(
            session, f"SELECT {_EVENT} FROM review_event e WHERE e.target_day = :t AND {_LATEST}",
            {"t": business_day.isoformat()}).all()}
    rows = []
    for rec in records:
        ev = events.get((rec.kind, rec.reference))
        row = QueueRow(rec.kind, rec.reference, rec.owner, rec.summary, rec.amount_fen,
                       rec.where, rec.flags, ev.action if ev else "unreviewed",
                       ev.category if ev else None, ev.note if ev else None,
                       ev.actor if ev else None,
                       f"{ev.with_kind}:{ev.with_reference}" if ev and ev.with_kind else None)
        if state is None or row.state == state:
            rows.append(row)
    return rows


def open_exceptions_in(session: Any, *, owner: str | None = None) -> list[OpenException]:
    """Every exception not yet accepted (of one owner), oldest first."""
    marks = ", ".join(f"'{s}'" for s in ("exception", "reopened", "rectified"))
    sql = f"SELECT {_EVENT} FROM review_event e WHERE e.action IN ({marks}) AND {_LATEST}"
    params: dict[str, Any] = {}
    if owner is not None:
        sql += " AND e.owner = :o"
        params["o"] = owner
    rows = execute(session, sql + " ORDER BY e.target_day, e.kind, e.reference", params).all()
    return [_open(r) for r in rows if r.action in OPEN_STATES]


def open_exceptions(ctx: Ctx) -> list[OpenException]:
    """Every open exception of the hall (the hall manager's home, the auditor)."""
    require(ctx.actor, "review.read")
    with ctx.store.read() as session:
        return open_exceptions_in(session)


def mine(ctx: Ctx) -> list[OpenException]:
    """The signed-in person's inbox: their records with an exception not yet accepted."""
    actor = require(ctx.actor, "review.rectify")
    with ctx.store.read() as session:
        return open_exceptions_in(session, owner=actor.empno)
