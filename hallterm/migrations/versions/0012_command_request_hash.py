"""commands: a keyed hash of each command's arguments (a reused --command-id is refused)

A ``--command-id`` given again with other arguments, or by another person, used to
return the first command's result as if it were a retry. The hash (HMAC-SHA-256
with the hall secret, so the store alone does not reveal what was typed) lets the
second call be told apart from a retry.

Revision ID: 0012cmd
Revises: 0001
Create Date: 2026-11-30 04:35:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0012cmd'
down_revision = '0001'
branch_labels = ('commands',)
depends_on = None


def upgrade() -> None:
    # ADD COLUMN: no table rebuild (older rows keep NULL: checked for the person only).
    op.add_column('command', sa.Column('request_hash',
                                       sqlmodel.sql.sqltypes.AutoString(length=64),
                                       nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('command') as batch:
        batch.drop_column('request_hash')
