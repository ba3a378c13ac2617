"""hot paths: covering indexes for the stock balance = ledger check

Every change of a stock balance (each sale line moves an item out of a counter and
into ``sold``) is checked by a trigger against the ledger: the sum of the item's
moves into the place minus those out of it. Through ``ix_stock_move_sku`` that read
every move of the item and its row (30 ms at a year of a popular item); with
``(sku, to_place, quantity)`` and ``(sku, from_place, quantity)`` it is an
index-only range of that item at that place (0.14 ms at a counter, 2.4 ms for
``sold``, which still grows with the item's sales: see docs/architecture.md).

Revision ID: 0013hotb
Revises: 0013hot
Create Date: 2026-11-30 07:50:00
"""
from alembic import op


revision = '0013hotb'
down_revision = '0013hot'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE/DROP INDEX: no table rebuild, so the day-lock triggers stay.
    op.create_index('ix_stock_move_sku_to', 'stock_move', ['sku', 'to_place', 'quantity'],
                    unique=False)
    op.create_index('ix_stock_move_sku_from', 'stock_move', ['sku', 'from_place', 'quantity'],
                    unique=False)
    op.drop_index('ix_stock_move_sku', table_name='stock_move')


def downgrade() -> None:
    op.create_index('ix_stock_move_sku', 'stock_move', ['sku'], unique=False)
    op.drop_index('ix_stock_move_sku_from', table_name='stock_move')
    op.drop_index('ix_stock_move_sku_to', table_name='stock_move')
