"""customers: identified persons, their document number and phone sealed (实名登记)

Revision ID: 0015cust
Revises: 0001
Create Date: 2026-11-30 10:20:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import hallterm.models.types
from hallterm.migrations import triggers

revision = '0015cust'
down_revision = '0001'
branch_labels = ('customers',)
depends_on = None


def upgrade() -> None:
    op.create_table('customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('id_group', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('id_sealed', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('id_masked', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phone_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('phone_sealed', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
    sa.Column('phone_masked', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('created_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('updated_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_group', 'id_hash', name='uq_customer_id')
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_phone_hash'), ['phone_hash'], unique=False)

    # PostgreSQL: the rows each write touches are noted for its audit seal.
    triggers.add_row_notes('customer')


def downgrade() -> None:
    triggers.drop_row_notes('customer')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_phone_hash'))
    op.drop_table('customer')
