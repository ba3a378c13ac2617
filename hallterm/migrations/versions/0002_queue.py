"""queue: visits, tickets, ticket events, counter events (排队叫号)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:32:29.272056
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import hallterm.models.types
from hallterm.migrations import triggers


revision = '0002'
down_revision = '0001'
branch_labels = ('queue',)
depends_on = None

DAY_TABLES = ("visit", "ticket", "ticket_event", "counter_event")


def upgrade() -> None:
    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('opened_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_business_day'), ['business_day'], unique=False)
    op.create_table('counter_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('clerk_id', sa.Integer(), nullable=True),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['clerk_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['counter'], ['counter.number'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('counter_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_event_business_day'), ['business_day'], unique=False)
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hop', sa.Integer(), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('appointment_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('issued_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('issued_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('queue_key', sa.Float(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('clerk_id', sa.Integer(), nullable=True),
    sa.Column('called_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('first_called_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('call_rule', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('serving_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('parked_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('parked_s', sa.Integer(), nullable=False),
    sa.Column('finished_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.Column('auto_reinserted', sa.Boolean(), nullable=False),
    sa.Column('transferred_from', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['clerk_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['counter'], ['counter.number'], ),
    sa.ForeignKeyConstraint(['service'], ['service.code'], ),
    sa.ForeignKeyConstraint(['transferred_from'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_day', 'number', 'hop', name='uq_ticket_number_hop')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_counter'), ['counter'], unique=False)
        batch_op.create_index('ix_ticket_line', ['business_day', 'state', 'priority', 'queue_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_visit_id'), ['visit_id'], unique=False)
    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['counter'], ['counter.number'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_counter', ['counter', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_ticket_event_kind', ['business_day', 'kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)

    # ### end Alembic commands ###

    for table in DAY_TABLES:
        triggers.add_day_lock(table)
    # PostgreSQL: the rows each write touches are noted for its audit seal.
    triggers.add_row_notes('visit', 'ticket', 'ticket_event', 'counter_event')


def downgrade() -> None:
    triggers.drop_row_notes('visit', 'ticket', 'ticket_event', 'counter_event')
    for table in reversed(DAY_TABLES):
        triggers.drop_day_lock(table)
    op.drop_table('ticket_event')
    op.drop_table('ticket')
    op.drop_table('counter_event')
    op.drop_table('visit')
