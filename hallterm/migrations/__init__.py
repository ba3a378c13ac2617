"""Alembic migrations of the store schema (run by ``hallterm init``)."""
