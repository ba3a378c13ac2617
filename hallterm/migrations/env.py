"""Alembic environment: migrations run on the connection ``hallterm.schema`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hallterm.models  # noqa: F401  (registers every table on SQLModel.metadata)

target_metadata = SQLModel.metadata
# The key of PostgreSQL's transaction-level advisory lock migrations hold.
MIGRATION_LOCK = 0x48414C4C  # "HALL"
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic's own CLI is used
    raise RuntimeError("run migrations through `hallterm init`")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Two counters running ``init`` at once: the second waits for the first's
        # migrations, then finds nothing left to do.
        # SQLite's write transaction (BEGIN IMMEDIATE) already serialises them.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.run_migrations()
