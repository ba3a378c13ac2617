"""Alembic environment: migrations run on the connection ``hallterm.schema`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hallterm.models  # noqa: F401  (registers every table on SQLModel.metadata)

target_metadata = SQLModel.metadata
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
    context.run_migrations()
