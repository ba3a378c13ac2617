"""The audit log (审计日志): append-only, hash-chained, verifiable by anyone.

Each row holds the previous row's hash and its own SHA-256 over a canonical JSON
encoding of all its fields, so changing, removing or inserting any row breaks the
chain at that row. Triggers refuse UPDATE and DELETE; ``verify`` catches what
goes around the triggers (a raw edit after dropping them, a restored old copy).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from hallterm.i18n import _
from hallterm.models.types import utc_text
from hallterm.store import execute

if TYPE_CHECKING:
    from hallterm.context import Actor, Ctx, UnitOfWork

GENESIS = "0" * 64


def canonical_payload(payload: dict[str, Any]) -> str:
    """The one JSON text of a payload that the hash covers."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def row_hash(
    *,
    seq: int,
    at: str,
    business_day: str | None,
    actor: str | None,
    approver: str | None,
    terminal: str,
    action: str,
    entity: str | None,
    entity_id: str | None,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 of a row's canonical encoding (every field, in a fixed order)."""
    body = json.dumps(
        [seq, at, business_day, actor, approver, terminal, action, entity, entity_id,
         payload, prev_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    uow: UnitOfWork,
    *,
    action: str,
    entity: str | None,
    entity_id: str | None,
    payload: dict[str, Any],
    approver: Actor | None,
    business_day: date | None,
    actor: Actor | None = None,
) -> int:
    """Append one row inside ``uow``'s transaction; returns its sequence number."""
    last = uow.sql("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utc_text(uow.now)
    day = business_day
    if day is None:
        today = uow.now.date()
        state = uow.sql(
            "SELECT state FROM business_day WHERE day = :d", {"d": today.isoformat()}
        ).scalar()
        day = today if state is not None else None
    who = actor or uow.actor
    actor_no = who.empno if who else None
    text = canonical_payload(payload)
    fields = dict(
        seq=seq,
        at=at,
        business_day=day.isoformat() if day else None,
        actor=actor_no,
        approver=approver.empno if approver else None,
        terminal=uow.ctx.terminal,
        action=action,
        entity=entity,
        entity_id=entity_id,
        payload=text,
        prev_hash=prev,
    )
    digest = row_hash(**fields)
    uow.sql(
        "INSERT INTO audit_log (seq, at, business_day, actor, approver, terminal, action, "
        "entity, entity_id, payload, prev_hash, hash) VALUES (:seq, :at, :business_day, "
        ":actor, :approver, :terminal, :action, :entity, :entity_id, :payload, :prev_hash, "
        ":hash)",
        {**fields, "hash": digest},
    )
    return seq


@dataclass(frozen=True)
class VerifyResult:
    """What ``verify`` found: the head of an intact chain, or the first broken row."""

    ok: bool
    rows: int
    head_hash: str
    head_seq: int
    broken_seq: int | None = None
    reason: str | None = None


def verify(ctx: Ctx, *, batch: int = 5000) -> VerifyResult:
    """Recompute the whole chain in short read transactions (WAL stays small)."""
    prev, expected_seq, rows, last_seq = GENESIS, 1, 0, 0
    while True:
        with ctx.store.read() as session:
            chunk = execute(
                session,
                "SELECT seq, at, business_day, actor, approver, terminal, action, entity, "
                "entity_id, payload, prev_hash, hash FROM audit_log WHERE seq >= :s "
                "ORDER BY seq LIMIT :n",
                {"s": expected_seq, "n": batch},
            ).all()
        if not chunk:
            break
        for r in chunk:
            seq = r[0]
            if seq != expected_seq:
                return VerifyResult(False, rows, prev, last_seq, expected_seq,
                                    _("row {seq} is missing").format(seq=expected_seq))
            if r[10] != prev:
                return VerifyResult(False, rows, prev, last_seq, seq,
                                    _("row {seq} does not chain to the row before it").format(seq=seq))
            digest = row_hash(seq=seq, at=r[1], business_day=r[2], actor=r[3], approver=r[4],
                              terminal=r[5], action=r[6], entity=r[7], entity_id=r[8],
                              payload=r[9], prev_hash=r[10])
            if digest != r[11]:
                return VerifyResult(False, rows, prev, last_seq, seq,
                                    _("row {seq} was altered (its hash does not match)").format(seq=seq))
            prev, last_seq, rows, expected_seq = r[11], seq, rows + 1, seq + 1
    return VerifyResult(True, rows, prev, last_seq)


def head(ctx: Ctx, *, business_day: date | None = None) -> tuple[int, str]:
    """The last row's sequence and hash (of the whole log, or of one business day)."""
    sql = "SELECT seq, hash FROM audit_log "
    params: dict[str, Any] = {}
    if business_day is not None:
        sql += "WHERE business_day = :d "
        params["d"] = business_day.isoformat()
    with ctx.store.read() as session:
        row = execute(session, sql + "ORDER BY seq DESC LIMIT 1", params).first()
    return (row[0], row[1]) if row else (0, GENESIS)


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
           action_prefix: str | None = None) -> list[AuditEntry]:
    """The newest audit rows, a page at a time (for screens and the CLI)."""
    where, params = [], {"n": limit}
    if before_seq is not None:
        where.append("seq < :b")
        params["b"] = before_seq
    if action_prefix:
        where.append("action LIKE :p")
        params["p"] = action_prefix + "%"
    sql = ("SELECT seq, at, business_day, actor, approver, terminal, action, entity, entity_id, "
           "payload FROM audit_log " + (("WHERE " + " AND ".join(where)) if where else "")
           + " ORDER BY seq DESC LIMIT :n")
    with ctx.store.read() as session:
        rows = execute(session, sql, params).all()
    return [
        AuditEntry(r[0], datetime.fromisoformat(r[1]).astimezone(ctx.clock.tz),
                   date.fromisoformat(r[2]) if r[2] else None, r[3], r[4], r[5], r[6], r[7],
                   r[8], json.loads(r[9]))
        for r in rows
    ]


def log_view(ctx: Ctx, *, what: str, entity: str, entity_id: Any) -> None:
    """Record that the acting person viewed a sensitive value in full (PIPL)."""
    from hallterm.context import run_write

    def work(uow: UnitOfWork) -> None:
        uow.audit("data.reveal", entity=entity, entity_id=entity_id, payload={"field": what})

    run_write(ctx, "data.reveal", work)
