"""The audit log (审计日志): append-only, keyed hash chain, anchored at every closing.

Each row holds the previous row's MAC and its own HMAC-SHA-256 over a canonical
JSON encoding of all its fields, keyed with a sub-key of the hall secret
(``chain_key``), so changing, removing or inserting any row breaks the chain at
that row, and recomputing the chain after an edit needs the key file, not just
the store. Triggers refuse UPDATE and DELETE; ``verify`` catches what goes around
them (a raw edit after dropping them, a restored old copy) and checks every
closing's recorded head, so cutting off the tail is caught too. Each audited
write also seals the business rows it wrote (``audit.rows``); ``verify`` names
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
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from hallterm.clock import utc_text
from hallterm.i18n import _
from hallterm.store import execute

if TYPE_CHECKING:
    from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork

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


def _needs_rekey(uow: ReadUnit, key: bytes, last: Any) -> bool:
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
    if not uow.memo.get(_HEAD_READ):
        read_head(uow)
    last = uow.audit_head
    if last is not None and not _known_keyed(uow, last):
        if not _needs_rekey(uow, key, last):
            uow.connection_memo[_KEYED_HEAD] = (last.seq, last.hash)
        else:
            from hallterm.errors import ConfigError

            raise ConfigError(_("This store's audit chain is not keyed yet (a store from "
                                "before the key, or a chain recomputed without it): the "
                                "operator runs hallterm init once to key it."))
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    return _insert(uow, key, seq=seq, prev=prev, action=action, entity=entity,
                   entity_id=entity_id, payload=payload, approver=approver,
                   business_day=business_day, actor=actor)


_HEAD_READ = ("audit_log", "head read")
_HEAD_OURS = ("audit_log", "head written here")
_KEYED_HEAD = "hallterm audit keyed head"  # connection memo: (seq, hash) of a keyed row


def _known_keyed(uow: UnitOfWork, last: Any) -> bool:
    """Whether ``last`` is a row this write appended, or the one this connection last
    appended or found keyed: its MAC need not be checked again."""
    if uow.memo.get(_HEAD_OURS):
        return True
    return bool(uow.connection_memo.get(_KEYED_HEAD) == (last.seq, last.hash))


@dataclass(frozen=True)
class Head:
    """The row this write appended: what the next append and the clock check need."""

    seq: int
    at: str
    hash: str


def read_head(uow: UnitOfWork) -> Any:
    """Read the audit log's last row once per write (``uow.audit_head``; None: empty log)."""
    uow.audit_head = uow.sql(
        f"SELECT {_ROW_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").first()
    uow.memo[_HEAD_READ] = True
    return uow.audit_head


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

    from hallterm.context import run_check

    # A damaged last row (neither keyed nor plain) is not a legacy chain: ``audit
    # verify`` names it; init goes on (it was a RuntimeError: a write with no row).
    if not run_check(ctx, lambda unit: _needs_rekey(unit, key, last)):
        return None

    def work(uow: UnitOfWork) -> int | None:
        row = uow.sql(f"SELECT {_ROW_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").first()
        if not _needs_rekey(uow, key, row):
            raise _AlreadyKeyed  # another terminal keyed it meanwhile
        _rekey(uow, key, row)
        uow.audited += 1
        return int(row.seq)

    try:
        return run_write(ctx.as_actor(SYSTEM), REKEY_ACTION, work)
    except _AlreadyKeyed:
        return None


class _AlreadyKeyed(Exception):
    """The chain needed no key by the time the write held the lock."""


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
        day = today if uow.day_state(today) == "open" else None
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
    # The new head, known without reading it back (the write holds the lock: no one
    # else appends meanwhile); keyed, since it was just written with the key.
    uow.audit_head = Head(seq, at, digest)
    uow.memo[_HEAD_READ] = uow.memo[_HEAD_OURS] = True
    # Rolled back, no row has this (seq, hash): the memo then matches nothing.
    uow.connection_memo[_KEYED_HEAD] = (seq, digest)
    from hallterm.services.audit.rows import sealed_here

    sealed_here(uow)
    return seq
