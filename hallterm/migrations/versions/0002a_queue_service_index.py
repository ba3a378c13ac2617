"""queue: an index on each service's line (people ahead, call next per service)

Revision ID: 0002a
Revises: 0002
Create Date: 2026-11-25 10:55:00
"""
from alembic import op


revision = '0002a'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX: no table rebuild, so the day-lock triggers stay.
    op.create_index('ix_ticket_service_line', 'ticket',
                    ['business_day', 'service', 'state', 'priority', 'queue_key'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_service_line', table_name='ticket')
