"""The statements and audit rows each hot service call runs: an upper bound per call.

What a clerk eventually notices as speed is mostly how many statements a write runs
while it holds the store's write lock. These bounds are the figures reached (see
``uv run python -m tests.write_cost -v`` for the statements themselves); a change that
adds a statement to a hot call fails here and has to say why it is worth it.
"""

from __future__ import annotations

import pytest

from tests.write_cost import costs

# name -> (statements at most, audit rows exactly)
BOUNDS = {  # before the lean write path: 25, 37, 27, 62 (2 audit rows), 5, 29
    "ticket issue": (15, 1),
    "call next": (28, 1),
    "finish": (18, 1),
    "cash sale (2 lines, stock)": (33, 1),
    "scan": (5, 0),
    "cash move": (11, 1),
}


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_hot_calls_stay_within_their_statements(tmp_path):
    measured = {c.name: c for c in costs(tmp_path)}
    assert set(measured) == set(BOUNDS)
    over = []
    for name, (most, audit_rows) in BOUNDS.items():
        cost = measured[name]
        if cost.statements > most or cost.audit_rows != audit_rows:
            listing = "\n".join("    " + " ".join(s.split())[:140] for s in cost.text)
            over.append(f"{name}: {cost.statements} statements (at most {most}), "
                        f"{cost.audit_rows} audit rows ({audit_rows}):\n{listing}")
    assert not over, "\n".join(over)
