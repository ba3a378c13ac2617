"""What a refused command must leave unchanged: the store's rows, sign-ins aside."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def business_dump(path: Path) -> str:
    """The store's schema and rows as SQL text, without the audit rows of sign-ins.

    A CLI command signs in before it is refused (``auth.cli`` is audited, as it
    should be); everything else must be as it was.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(line for line in con.iterdump()
                         if not (line.startswith('INSERT INTO "audit_log"') and "'auth." in line))
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(business_dump(path).encode()).hexdigest()
