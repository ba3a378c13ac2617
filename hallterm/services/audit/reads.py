"""Reading the audit log: its head, the recent rows an auditor sees, and the audited view."""


from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from hallterm.store import execute

if TYPE_CHECKING:
    from hallterm.context import Ctx, UnitOfWork
from hallterm.services.audit.chain import GENESIS


def head(ctx: Ctx, *, business_day: date | None = None) -> tuple[int, str]:
    """The last row's sequence and hash (of the whole log, or of one business day)."""
    sql = "SELECT seq, hash FROM audit_log "
    params: dict[str, Any] = {}
    if business_day is not None:
        sql += "WHERE business_day = :d "
        params["d"] = business_day.isoformat()
    with ctx.store.read() as session:
        row = execute(session, sql + "ORDER BY seq DESC LIMIT 1", params).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as shown to an auditor."""

    seq: int
    at: datetime
    business_day: date | None
    actor: str | None
    approver: str | None
    terminal: str
    action: str
    entity: str | None
    entity_id: str | None
    payload: dict[str, Any]


def recent(ctx: Ctx, *, limit: int = 50, before_seq: int | None = None,
           action_prefix: str | None = None,
           business_day: date | None = None) -> list[AuditEntry]:
    """The newest audit rows (of one business day), a page at a time (screens, the CLI)."""
    where: list[str] = []
    params: dict[str, Any] = {"n": limit}
    if business_day is not None:
        where.append("business_day = :d")
        params["d"] = business_day.isoformat()
    if before_seq is not None:
        where.append("seq < :b")
        params["b"] = before_seq
    if action_prefix:
        # A prefix, not a pattern: "_" and "%" typed by the reader are themselves; any
        # case on both engines (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
        where.append("lower(action) LIKE :p ESCAPE '\\'")
        params["p"] = (action_prefix.lower().replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_") + "%")
    sql = ("SELECT seq, at, business_day, actor, approver, terminal, action, entity, entity_id, "
           "payload FROM audit_log " + (("WHERE " + " AND ".join(where)) if where else "")
           + " ORDER BY seq DESC LIMIT :n")
    with ctx.store.read() as session:
        rows = execute(session, sql, params).all()
    return [
        AuditEntry(r.seq, datetime.fromisoformat(r.at).astimezone(ctx.clock.tz),
                   date.fromisoformat(r.business_day) if r.business_day else None, r.actor,
                   r.approver, r.terminal, r.action, r.entity, r.entity_id,
                   _shown(json.loads(r.payload)))
        for r in rows
    ]


def _shown(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as people read it: without the business rows' fingerprints."""
    from hallterm.services.audit.rows import ROWS_KEY, SINCE_KEY

    return {k: v for k, v in payload.items() if k not in (ROWS_KEY, SINCE_KEY)}


def log_view(ctx: Ctx, *, what: str, entity: str, entity_id: Any) -> None:
    """Record that the acting person viewed a sensitive value in full (PIPL)."""
    from hallterm.context import run_write

    def work(uow: UnitOfWork) -> None:
        uow.audit("data.reveal", entity=entity, entity_id=entity_id, payload={"field": what})

    run_write(ctx, "data.reveal", work)
