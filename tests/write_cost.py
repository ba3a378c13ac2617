"""What each hot service call costs in statements and audit rows (``set_trace_callback``).

Run by hand to print the figures::

    uv run python -m tests.write_cost

Every SQLite connection the store opens while counting is traced; a call's figure is
the statements all of them ran during it (write and read connections, BEGIN and
COMMIT included; a trigger's own statements not), measured on a warm store (the
call was made once before, so per-connection set-up is not in the figure), and the
audit rows it appended. ``tests/test_write_cost.py`` pins an upper bound per call.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Tally:
    """The statements seen while ``on`` (their text, in order)."""

    on: bool = False
    statements: list[str] = field(default_factory=list)
    _last: str = ""

    def __call__(self, sql: str) -> None:
        # SQLite reports a statement again as each trigger it fires starts (Python hands
        # the statement's own text, not "-- TRIGGER x"): a repeat in a row is one.
        if self.on and sql != self._last and not sql.lstrip().startswith("--"):
            self.statements.append(sql)
        self._last = sql


@contextmanager
def traced() -> Iterator[Tally]:
    """Trace every SQLite connection opened inside (the store's included)."""
    tally = Tally()
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.set_trace_callback(tally)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        yield tally
    finally:
        sqlite3.connect = real  # type: ignore[assignment]


@dataclass(frozen=True)
class Cost:
    name: str
    statements: int
    audit_rows: int
    text: tuple[str, ...]


def _audit_seq(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0])
    finally:
        con.close()


def measure(tally: Tally, path: Path, name: str, call: Callable[[], Any]) -> Cost:
    before = _audit_seq(path)
    tally.statements.clear()
    tally._last = ""
    tally.on = True
    try:
        call()
    finally:
        tally.on = False
    return Cost(name, len(tally.statements), _audit_seq(path) - before,
                tuple(tally.statements))


def costs(folder: Path) -> list[Cost]:
    """Build a hall (catalog, stock at counter 1, its keeper) and measure each hot call."""
    from hallterm import security
    from hallterm.services import cash, queue, sales
    from hallterm.services.sales import PaymentIn
    from tests.conftest import make_hall
    from tests.sales_fixtures import item_line, stock_hall

    security.use_fast_hashing()
    with traced() as tally:
        hall = stock_hall(make_hall(folder))
        try:
            clerk = hall.sales.as_actor(hall.sales.actor)
            clerk.counter = 1
            kiosk = hall.ctx
            for _ in range(4):  # warm: connections made, caches filled, a queue waiting
                queue.issue_ticket(kiosk, service="A")
            queue.call_next(clerk, counter=1)
            queue.finish(clerk, counter=1)
            lines = [item_line(clerk, "ACC-CABLE-C"), item_line(clerk, "ACC-CASE")]
            total = sales.cart_total(lines)

            def sale() -> None:
                sales.complete_sale(clerk, counter=1, visit_id=None, lines=lines,
                                    payments=[PaymentIn("cash", total, total)])

            sale()
            sales.scan(clerk, counter=1, code="ACC-CASE")
            cash.move_cash(clerk, counter=1, kind="in", reason="change_fund", amount_fen=100)
            path = hall.path
            out = [
                measure(tally, path, "ticket issue",
                        lambda: queue.issue_ticket(kiosk, service="A")),
                measure(tally, path, "call next", lambda: queue.call_next(clerk, counter=1)),
                measure(tally, path, "finish", lambda: queue.finish(clerk, counter=1)),
                measure(tally, path, "cash sale (2 lines, stock)", sale),
                measure(tally, path, "scan",
                        lambda: sales.scan(clerk, counter=1, code="ACC-CASE")),
                measure(tally, path, "cash move",
                        lambda: cash.move_cash(clerk, counter=1, kind="in",
                                               reason="change_fund", amount_fen=100)),
            ]
        finally:
            hall.ctx.store.dispose()
    return out


def main() -> None:
    import sys

    verbose = "-v" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        for cost in costs(Path(folder)):
            print(f"{cost.name:28} {cost.statements:3} statements  {cost.audit_rows} audit row(s)")
            if verbose:
                for sql in cost.text:
                    print("      " + " ".join(sql.split())[:150])


if __name__ == "__main__":
    main()
