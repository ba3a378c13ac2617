"""people: audit log indexes (wrong approval PINs per terminal, rows per person)

Revision ID: 0011p
Revises: 0001
Create Date: 2026-11-30 01:45:00
"""
from alembic import op


revision = '0011p'
down_revision = '0001'
branch_labels = ('people',)
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX: no table rebuild, so the append-only triggers stay.
    op.create_index('ix_audit_log_terminal_at', 'audit_log', ['terminal', 'at'], unique=False)
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity', 'entity_id', 'seq'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
    op.drop_index('ix_audit_log_terminal_at', table_name='audit_log')
