"""sales: unfinished carts and the card/QR payments taken for them (money taken is never lost)

Revision ID: 0006c
Revises: 0006
Create Date: 2026-11-30 01:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import hallterm.models.types
from hallterm.migrations import triggers

# Rows that belong to a business day: unchangeable once that day is closed.
DAY_TABLES = ("sale_cart", "taken_payment")

revision = '0006c'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sale_cart',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('updated_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('lines_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('receipt_no', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sale_cart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_cart_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_cart_counter'), ['counter'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_cart_state'), ['state'], unique=False)

    op.create_table('taken_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('refund_reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('refund_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('refunded_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('refunded_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('approver', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.ForeignKeyConstraint(['cart_id'], ['sale_cart.id'], ),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('taken_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taken_payment_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_taken_payment_cart_id'), ['cart_id'], unique=False)

    for table in DAY_TABLES:
        triggers.add_day_lock(table)


def downgrade() -> None:
    for table in DAY_TABLES:
        triggers.drop_day_lock(table)
    with op.batch_alter_table('taken_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taken_payment_cart_id'))
        batch_op.drop_index(batch_op.f('ix_taken_payment_business_day'))
    op.drop_table('taken_payment')
    with op.batch_alter_table('sale_cart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_cart_state'))
        batch_op.drop_index(batch_op.f('ix_sale_cart_counter'))
        batch_op.drop_index(batch_op.f('ix_sale_cart_business_day'))
    op.drop_table('sale_cart')
