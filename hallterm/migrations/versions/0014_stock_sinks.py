"""hot paths: the stock ledger check leaves the places stock leaves by

Each sale line moves an item into ``sold``; the trigger that keeps a balance equal to
its ledger summed every move of the item into ``sold`` since the store began (2.4 ms
a line at a year of a popular item, growing). ``sold``, ``damaged``, ``lost`` and
``returned`` are where stock leaves the hall: their balances are running counts,
still checked against the ledger by ``hallterm stock verify`` and sealed in the audit
log (a change behind the log is named by ``audit verify``). Counters, the warehouse
and every place that holds stock stay guarded by the trigger.

Revision ID: 0014sinks
Revises: 0013hotb, 0008
Create Date: 2026-11-30 08:45:00
"""
from hallterm.migrations.triggers import exempt_from_ledger_check

revision = '0014sinks'
down_revision = ('0013hotb', '0008')  # after the triggers it replaces
branch_labels = None
depends_on = None


def upgrade() -> None:
    from hallterm.store import SINK_PLACES, SOURCE_PLACES

    exempt_from_ledger_check([*SOURCE_PLACES, *SINK_PLACES])


def downgrade() -> None:
    from hallterm.store import SOURCE_PLACES

    exempt_from_ledger_check(SOURCE_PLACES)
