"""review: the audit review's events (稽核: ok, exception, rectification, acceptance)

Revision ID: 0018
Revises: 0001
Create Date: 2026-11-30 10:30:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import hallterm.models.types
from hallterm.migrations import triggers

revision = '0018'
down_revision = '0001'
branch_labels = ('review',)
depends_on = None


def upgrade() -> None:
    op.create_table('review_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('target_day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('with_kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('with_reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_event_business_day'), ['business_day'], unique=False)
        batch_op.create_index('ix_review_event_open', ['action', 'owner'], unique=False)
        batch_op.create_index('ix_review_event_reference', ['reference'], unique=False)
        batch_op.create_index('ix_review_event_record', ['target_day', 'kind', 'reference'], unique=False)

    # Written in the open day; locked with it once it is closed, like every business row.
    triggers.add_day_lock('review_event')
    # PostgreSQL: the rows each write touches are noted for its audit seal.
    triggers.add_row_notes('review_event')


def downgrade() -> None:
    triggers.drop_row_notes('review_event')
    triggers.drop_day_lock('review_event')
    with op.batch_alter_table('review_event', schema=None) as batch_op:
        batch_op.drop_index('ix_review_event_record')
        batch_op.drop_index('ix_review_event_reference')
        batch_op.drop_index('ix_review_event_open')
        batch_op.drop_index(batch_op.f('ix_review_event_business_day'))

    op.drop_table('review_event')
