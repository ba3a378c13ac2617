"""The audit log (审计日志): append-only, keyed hash chain, anchored at every closing.

Each row holds the previous row's MAC and its own HMAC-SHA-256 over a canonical
JSON encoding of all its fields, keyed with a sub-key of the hall secret
(``chain_key``), so changing, removing or inserting any row breaks the chain at
that row, and recomputing the chain after an edit needs the key file, not just
the store. Triggers refuse UPDATE and DELETE; ``verify`` catches what goes around
them (a raw edit after dropping them, a restored old copy) and checks every
closing's recorded head, so cutting off the tail is caught too. Each audited
write also seals the business rows it wrote (``audit_rows``); ``verify`` names
any sale, payment, ticket, stock, cash or staff row changed, deleted or added
without the log.

Stores written before the chain was keyed: their rows keep their plain SHA-256
form; ``hallterm init`` (the upgrade step, run once by the operator) appends one
``audit.rekey`` row (keyed, chained onto the old head) and every row from it on
is keyed. Until then such a store is read but not written. ``verify`` reads the
rows before the first ``audit.rekey`` row as plain SHA-256, the rest keyed. A
marker row instead of a chain-version column: no schema change, it is itself in
the chain (so it cannot be added, moved or removed without the key), and the
auditor sees when the switch happened. It is never written silently: a chain
recomputed without the key looks exactly like an old store, so only the
operator's explicit ``init`` keys one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.models.types import utc_text
from hallterm.store import execute

if TYPE_CHECKING:
    from hallterm.context import Actor, Ctx, UnitOfWork

GENESIS = "0" * 64
REKEY_ACTION = "audit.rekey"
CHAIN_CONTEXT = b"hallterm audit chain v1"


def canonical_payload(payload: dict[str, Any]) -> str:
    """The one JSON text of a payload that the hash covers."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def chain_key(secret: bytes) -> bytes:
    """The audit chain's key: a sub-key of the hall secret (never the PIN pepper itself)."""
    from hallterm.errors import ConfigError

    if not secret:
        raise ConfigError(_("The audit chain needs the hall secret key file (hallterm.key)."))
    return hmac.new(secret, CHAIN_CONTEXT, hashlib.sha256).digest()


def _body(seq: int, at: str, business_day: str | None, actor: str | None,
          approver: str | None, terminal: str, action: str, entity: str | None,
          entity_id: str | None, payload: str, prev_hash: str) -> bytes:
    return json.dumps(
        [seq, at, business_day, actor, approver, terminal, action, entity, entity_id,
         payload, prev_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def row_mac(key: bytes, **fields: Any) -> str:
    """HMAC-SHA-256 of a row's canonical encoding under the chain key (hex)."""
    return hmac.new(key, _body(**fields), hashlib.sha256).hexdigest()


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
    """Plain SHA-256 of a row's canonical encoding: the form of rows from before the key."""
    return hashlib.sha256(_body(seq, at, business_day, actor, approver, terminal, action,
                                entity, entity_id, payload, prev_hash)).hexdigest()


_ROW_COLUMNS = ("seq, at, business_day, actor, approver, terminal, action, entity, entity_id, "
                "payload, prev_hash, hash")


def _fields(r: Any) -> dict[str, Any]:
    return dict(seq=r.seq, at=r.at, business_day=r.business_day, actor=r.actor,
                approver=r.approver, terminal=r.terminal, action=r.action, entity=r.entity,
                entity_id=r.entity_id, payload=r.payload, prev_hash=r.prev_hash)


def _needs_rekey(uow: UnitOfWork, key: bytes, last: Any) -> bool:
    """Whether the log ends in plain SHA-256 rows never followed by an ``audit.rekey`` row."""
    fields = _fields(last)
    if hmac.compare_digest(row_mac(key, **fields), last.hash):
        return False
    if row_hash(**fields) != last.hash:
        return False  # a damaged row: verify names it; the chain goes on keyed
    marker = uow.sql("SELECT 1 FROM audit_log WHERE action = :a LIMIT 1",
                     {"a": REKEY_ACTION}).first()
    return marker is None


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
    key = chain_key(uow.ctx.pepper)
    last = uow.sql(f"SELECT {_ROW_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").first()
    if last is not None and _needs_rekey(uow, key, last):
        from hallterm.errors import ConfigError

        raise ConfigError(_("This store's audit chain is not keyed yet (a store from before "
                            "the key, or a chain recomputed without it): the operator runs "
                            "hallterm init once to key it."))
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    return _insert(uow, key, seq=seq, prev=prev, action=action, entity=entity,
                   entity_id=entity_id, payload=payload, approver=approver,
                   business_day=business_day, actor=actor)


def seal_legacy(ctx: Ctx) -> int | None:
    """Key the chain of a store written before the key: one ``audit.rekey`` row, once
    (``hallterm init``). Returns how many rows keep their plain SHA-256, or None."""
    from hallterm.context import SYSTEM, run_write

    key = chain_key(ctx.pepper)
    with ctx.store.read() as session:
        last = execute(session,
                       f"SELECT {_ROW_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").first()
        if last is None or hmac.compare_digest(row_mac(key, **_fields(last)), last.hash):
            return None

    def work(uow: UnitOfWork) -> int | None:
        row = uow.sql(f"SELECT {_ROW_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").first()
        if not _needs_rekey(uow, key, row):
            return None
        _rekey(uow, key, row)
        uow.audited += 1
        return int(row.seq)

    return run_write(ctx.as_actor(SYSTEM), REKEY_ACTION, work)


def _rekey(uow: UnitOfWork, key: bytes, last: Any, business_day: date | None = None) -> None:
    from hallterm.context import SYSTEM

    _insert(uow, key, seq=last.seq + 1, prev=last.hash, action=REKEY_ACTION,
            entity="audit_log", entity_id=None,
            payload={"legacy_rows": last.seq, "legacy_head": last.hash,
                     "scheme": "hmac-sha256", "key": CHAIN_CONTEXT.decode()},
            approver=None, business_day=business_day, actor=SYSTEM)


def _insert(uow: UnitOfWork, key: bytes, *, seq: int, prev: str, action: str,
            entity: str | None, entity_id: str | None, payload: dict[str, Any],
            approver: Actor | None, business_day: date | None, actor: Actor | None) -> int:
    at = utc_text(uow.now)
    day = business_day
    if day is None:
        # A row belongs to today's business day only while that day is open: a sign-in
        # or a staff change after the day is closed belongs to no day (never to the
        # closed one, whose Z report and audit head are final).
        today = uow.now.date()
        state = uow.sql(
            "SELECT state FROM business_day WHERE day = :d", {"d": today.isoformat()}
        ).scalar()
        day = today if state == "open" else None
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
    digest = row_mac(key, **fields)
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
    """Recompute the whole keyed chain, then check it against every closing's head.

    Read in short read transactions (the WAL stays small). Needs the hall secret.
    """
    key = chain_key(ctx.pepper)
    with ctx.store.read() as session:
        rekey_seq = execute(session, "SELECT min(seq) FROM audit_log WHERE action = :a",
                            {"a": REKEY_ACTION}).scalar()
        closings = execute(
            session, "SELECT z_number, business_day, audit_first_seq, audit_head_seq, "
            "audit_head_hash, prev_audit_head_hash FROM day_close ORDER BY z_number").all()
    from hallterm.services.audit_rows import Seals, check

    wanted = {c.audit_head_seq for c in closings}
    at_head: dict[int, str] = {}
    seals = Seals({})
    prev, expected_seq, rows, last_seq = GENESIS, 1, 0, 0
    while True:
        with ctx.store.read() as session:
            chunk = execute(
                session,
                f"SELECT {_ROW_COLUMNS} FROM audit_log WHERE seq >= :s ORDER BY seq LIMIT :n",
                {"s": expected_seq, "n": batch},
            ).all()
        if not chunk:
            break
        for r in chunk:
            seq = r.seq
            if seq != expected_seq:
                return VerifyResult(False, rows, prev, last_seq, expected_seq,
                                    _("row {seq} is missing").format(seq=expected_seq))
            if r.prev_hash != prev:
                return VerifyResult(False, rows, prev, last_seq, seq,
                                    _("row {seq} does not chain to the row before it").format(seq=seq))
            fields = _fields(r)
            legacy = rekey_seq is not None and seq < rekey_seq
            digest = row_hash(**fields) if legacy else row_mac(key, **fields)
            if not hmac.compare_digest(digest, r.hash):
                if not legacy and row_hash(**fields) == r.hash:
                    return VerifyResult(False, rows, prev, last_seq, seq, _(
                        "row {seq} is not sealed with this hall's key: the chain was "
                        "recomputed without it (or the store is from before the key and "
                        "was never upgraded with hallterm init)").format(seq=seq))
                return VerifyResult(False, rows, prev, last_seq, seq,
                                    _("row {seq} was altered (its hash does not match)").format(seq=seq))
            if seq in wanted:
                at_head[seq] = r.hash
            seals.add(seq, r.payload)
            prev, last_seq, rows, expected_seq = r.hash, seq, rows + 1, seq + 1
    bad = _check_closings(closings, at_head, last_seq)
    if bad is not None:
        return VerifyResult(False, rows, prev, last_seq, *bad)
    problems = check(ctx, seals)
    if problems:
        return VerifyResult(False, rows, prev, last_seq, None, "; ".join(
            p.describe() for p in problems[:5]) + (_(" (and {n} more)").format(
                n=len(problems) - 5) if len(problems) > 5 else ""))
    return VerifyResult(True, rows, prev, last_seq)


def _check_closings(closings: list[Any], at_head: dict[int, str],
                    last_seq: int) -> tuple[int, str] | None:
    """Each closing continues the one before and its head row is in the log, unchanged."""
    prev_seq, prev_hash, prev_z = 0, GENESIS, 0
    for c in closings:
        z, head_seq, head_hash = c.z_number, c.audit_head_seq, c.audit_head_hash
        label = {"z": z, "day": c.business_day, "seq": head_seq}
        if z != prev_z + 1:
            return head_seq, _("closing Z {z} ({day}) follows Z {prev}: a closing is "
                               "missing").format(prev=prev_z, **label)
        if c.audit_first_seq != prev_seq + 1 or c.prev_audit_head_hash != prev_hash:
            return head_seq, _("closing Z {z} ({day}) does not continue from the previous "
                               "closing's head").format(**label)
        if head_seq > last_seq:
            return head_seq, _("the log ends at row {last}, before closing Z {z} ({day}) "
                               "recorded its head row {seq}: rows were cut off").format(
                                   last=last_seq, **label)
        if at_head.get(head_seq) != head_hash:
            return head_seq, _("row {seq} differs from the head closing Z {z} ({day}) "
                               "recorded").format(**label)
        prev_seq, prev_hash, prev_z = head_seq, head_hash, z
    return None


def verify_against(ctx: Ctx, folder: Path) -> VerifyResult:
    """Check the store against an export folder (what HQ received): every exported day's
    closing and every exported audit row must be in the store, unchanged.

    A history rewritten by someone who holds the key (rows, MACs and closings all
    recomputed) still differs from what HQ already has.
    """
    from hallterm.services.export import exported_days, hall_public_key
    from hallterm.services.export import verify as verify_export

    result = verify(ctx)
    if not result.ok:
        return result
    with ctx.store.read() as session:
        hall = execute(session, "SELECT code FROM hall WHERE id = 1").scalar()
    days = exported_days(Path(folder), hall=hall)
    if not days:
        raise BadInput(_("No export of hall {hall} found under {dir}.").format(
            hall=hall, dir=folder))
    # The folder itself must be what this hall signed (else it proves nothing).
    own = hall_public_key(ctx)
    checked = verify_export(Path(folder), public_keys=(own,) if own else ())
    if not checked.ok:
        return replace(result, ok=False, broken_seq=None, reason=_(
            "the export folder does not verify: {file}: {reason}").format(
                file=checked.bad_file, reason=checked.reason))
    for desc, rows in days:
        z, day = desc.get("z_number"), desc.get("business_day")
        with ctx.store.read() as session:
            closing = execute(
                session, "SELECT business_day, audit_first_seq, audit_head_seq, "
                "audit_head_hash, prev_audit_head_hash FROM day_close WHERE z_number = :z",
                {"z": z}).first()
        if closing is None:
            return replace(result, ok=False, broken_seq=desc.get("audit_head_seq"), reason=_(
                "closing Z {z} ({day}) that HQ received is not in the store").format(z=z, day=day))
        mine = (str(closing.business_day), closing.audit_first_seq, closing.audit_head_seq,
                closing.audit_head_hash, closing.prev_audit_head_hash)
        theirs = (day, desc.get("audit_first_seq"), desc.get("audit_head_seq"),
                  desc.get("audit_head_hash"), desc.get("prev_audit_head_hash"))
        if mine != theirs:
            return replace(result, ok=False, broken_seq=closing.audit_head_seq, reason=_(
                "closing Z {z} ({day}) differs from the one HQ received").format(z=z, day=day))
        batch: list[tuple[int, str]] = []
        for item in [*rows(), None]:
            if item is not None:
                batch.append(item)
                if len(batch) < 2000:
                    continue
            if not batch:
                break
            with ctx.store.read() as session:
                stored = {r.seq: r.hash for r in execute(
                    session, "SELECT seq, hash FROM audit_log WHERE seq BETWEEN :a AND :b",
                    {"a": batch[0][0], "b": batch[-1][0]}).all()}
            for seq, digest in batch:
                if stored.get(seq) != digest:
                    return replace(result, ok=False, broken_seq=seq, reason=_(
                        "row {seq} differs from the row HQ received (Z {z}, {day})").format(
                            seq=seq, z=z, day=day))
            batch = []
    return result


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
           action_prefix: str | None = None) -> list[AuditEntry]:
    """The newest audit rows, a page at a time (for screens and the CLI)."""
    where: list[str] = []
    params: dict[str, Any] = {"n": limit}
    if before_seq is not None:
        where.append("seq < :b")
        params["b"] = before_seq
    if action_prefix:
        # A prefix, not a pattern: "_" and "%" typed by the reader are themselves.
        where.append("action LIKE :p ESCAPE '\\'")
        params["p"] = (action_prefix.replace("\\", "\\\\").replace("%", "\\%")
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
    from hallterm.services.audit_rows import ROWS_KEY, SINCE_KEY

    return {k: v for k, v in payload.items() if k not in (ROWS_KEY, SINCE_KEY)}


def log_view(ctx: Ctx, *, what: str, entity: str, entity_id: Any) -> None:
    """Record that the acting person viewed a sensitive value in full (PIPL)."""
    from hallterm.context import run_write

    def work(uow: UnitOfWork) -> None:
        uow.audit("data.reveal", entity=entity, entity_id=entity_id, payload={"field": what})

    run_write(ctx, "data.reveal", work)
