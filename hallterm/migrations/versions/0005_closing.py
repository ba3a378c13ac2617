"""closing: the day_close record (日结 / Z report), locked with its day

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 10:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import hallterm.models.types
from hallterm.migrations import triggers


revision = '0005'
down_revision = '0001'
branch_labels = ('closing',)
depends_on = None


def upgrade() -> None:
    op.create_table('day_close',
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('z_number', sa.Integer(), nullable=False),
    sa.Column('closed_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=False),
    sa.Column('closed_by_empno', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('blockers_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('first_receipt', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('last_receipt', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('receipt_count', sa.Integer(), nullable=True),
    sa.Column('totals_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('grand_totals_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('audit_first_seq', sa.Integer(), nullable=False),
    sa.Column('audit_head_seq', sa.Integer(), nullable=False),
    sa.Column('audit_head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prev_audit_head_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('generator', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('report_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['business_day'], ['business_day.day'], ),
    sa.ForeignKeyConstraint(['closed_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('business_day'),
    sa.UniqueConstraint('z_number')
    )
    # Inserted just before its day flips to closed: from then on the triggers
    # refuse any change to it, like every other row of the day.
    triggers.add_day_lock('day_close')


def downgrade() -> None:
    triggers.drop_day_lock('day_close')
    op.drop_table('day_close')
