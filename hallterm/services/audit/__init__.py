"""The audit log (审计日志): an append-only, keyed hash chain, anchored at every closing.

Modules: ``chain`` (the row's MAC, appending, the one-time rekey of an old store),
``verification`` (the chain recomputed, checked against every closing's head and
against what HQ received), ``reads`` (the head, the rows an auditor sees) and ``rows``
(the fingerprints of the business rows each audited write seals, and their check).
Other areas use the names exported here only (``audit.rows`` as a sub-area).
"""

from __future__ import annotations

from hallterm.services.audit import rows as rows
from hallterm.services.audit.chain import (
    CHAIN_CONTEXT,
    GENESIS,
    REKEY_ACTION,
    append,
    canonical_payload,
    chain_key,
    read_head,
    row_hash,
    row_mac,
    seal_legacy,
)
from hallterm.services.audit.reads import AuditEntry, head, log_view, recent
from hallterm.services.audit.verification import VerifyResult, verify, verify_against

TABLES: tuple[str, ...] = ("audit_log", "hallterm_touched")

__all__ = [
    "CHAIN_CONTEXT", "GENESIS", "REKEY_ACTION", "TABLES", "AuditEntry", "VerifyResult",
    "append", "canonical_payload", "chain_key", "head", "log_view", "read_head", "recent", "row_hash",
    "row_mac", "rows", "seal_legacy", "verify", "verify_against",
]
