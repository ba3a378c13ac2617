"""Checking the audit chain: recomputed whole (``verify``), and against what HQ received
(``verify_against``); every closing's recorded head is checked too."""


from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.store import execute

if TYPE_CHECKING:
    from hallterm.context import Ctx
from hallterm.services.audit.chain import (
    _ROW_COLUMNS,
    GENESIS,
    REKEY_ACTION,
    _fields,
    chain_key,
    row_hash,
    row_mac,
)


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
    from hallterm.services.audit.rows import Seals, check

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
