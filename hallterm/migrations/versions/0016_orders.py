"""orders: number pool, lines in service, service orders, retention attempts, archive
positions; plans in the catalog (catalog_item.plan_effective)

Revision ID: 0016orders
Revises: 0001
Create Date: 2026-11-30 10:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import hallterm.models.types
from hallterm.migrations import triggers

# Rows that belong to a business day: unchangeable once that day is closed; with their
# primary and unique keys (SQLite: an INSERT OR REPLACE cannot land on a closed day's row).
DAY_TABLES = {"service_order": (("id",), ("order_no",)),
              "retention_attempt": (("id",),),
              "archive_position": (("order_id",), ("box_no", "position"))}
SEALED = ("number_pool", "service_line", "service_order", "retention_attempt",
          "archive_position")

revision = '0016orders'
down_revision = '0001'
branch_labels = ('orders',)
depends_on = '0003'  # catalog_item (the stock branch) gets plan_effective


def upgrade() -> None:
    op.add_column('catalog_item', sa.Column(
        'plan_effective', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
    op.create_table('number_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('added_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index('ix_number_pool_state', 'number_pool', ['state', 'number'], unique=False)
    op.create_table('service_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('opened_order', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('opened_day', sa.Date(), nullable=False),
    sa.Column('closed_order', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('closed_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_service_line_holder', 'service_line', ['customer_id', 'state'],
                    unique=False)
    op.create_index('ix_service_line_number', 'service_line', ['number', 'state'], unique=False)
    op.create_table('service_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_no', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('plan_sku', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('iccid', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('old_iccid', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('receipt_no', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('id_copy', sa.Boolean(), nullable=False),
    sa.Column('form_signed', sa.Boolean(), nullable=False),
    sa.Column('photo', sa.Boolean(), nullable=False),
    sa.Column('completed_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_no')
    )
    op.create_index(op.f('ix_service_order_business_day'), 'service_order', ['business_day'],
                    unique=False)
    op.create_index('ix_service_order_counter_day', 'service_order',
                    ['counter', 'business_day', 'state'], unique=False)
    op.create_index('ix_service_order_line', 'service_order', ['line_id', 'state'], unique=False)
    op.create_index('ix_service_order_state', 'service_order', ['state', 'business_day'],
                    unique=False)
    op.create_table('retention_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('heard', sa.Boolean(), nullable=False),
    sa.Column('offer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['service_order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_retention_attempt_business_day'), 'retention_attempt',
                    ['business_day'], unique=False)
    op.create_index(op.f('ix_retention_attempt_order_id'), 'retention_attempt', ['order_id'],
                    unique=False)
    op.create_table('archive_position',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('box_no', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['service_order.id'], ),
    sa.PrimaryKeyConstraint('order_id'),
    sa.UniqueConstraint('box_no', 'position')
    )
    op.create_index(op.f('ix_archive_position_business_day'), 'archive_position',
                    ['business_day'], unique=False)
    for table, keys in DAY_TABLES.items():
        triggers.add_day_lock(table, keys=keys)
    triggers.add_row_notes(*SEALED)


def downgrade() -> None:
    triggers.drop_row_notes(*SEALED)
    for table in DAY_TABLES:
        triggers.drop_day_lock(table)
    op.drop_table('archive_position')
    op.drop_table('retention_attempt')
    op.drop_table('service_order')
    op.drop_table('service_line')
    op.drop_table('number_pool')
    with triggers.keeping_triggers('catalog_item'):
        with op.batch_alter_table('catalog_item', schema=None) as batch_op:
            batch_op.drop_column('plan_effective')
