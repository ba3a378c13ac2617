"""Gapless numbers (无断号): one allocator for every numbered series.

A number is allocated inside the write transaction of the row that carries it
(``uow.next_number``), so a rollback also rolls the number back: the series has no
gap and, because the transaction holds SQLite's write lock from ``BEGIN
IMMEDIATE``, no duplicate — across any number of terminal processes.

Series keys are ``<kind>:<scope>``, e.g. ``ticket:A:2026-11-25``,
``receipt:2026-11-25``, ``stockdoc:2026``.
"""

from __future__ import annotations

from hallterm.store import Conn, Store, execute


def allocate(session: Conn, key: str) -> int:
    """The next number of series ``key``, starting at 1 (call inside a write txn)."""
    value = execute(
        session,
        "INSERT INTO sequence (key, value) VALUES (:k, 1) "
        "ON CONFLICT(key) DO UPDATE SET value = sequence.value + 1 RETURNING value",
        {"k": key},
    ).scalar_one()
    return int(value)


def current(store: Store, key: str) -> int:
    """The last number handed out in series ``key`` (0 when none)."""
    with store.read() as session:
        value = execute(session, "SELECT value FROM sequence WHERE key = :k", {"k": key}).scalar()
    return int(value or 0)
