"""The hall's number pool (号码池): numbers added by the hall manager, held for an open
new-line order, in service once it completes, free again when a line is cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.clock import utc_text
from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.orders.rules import check_mobile
from hallterm.store import execute

MAX_ADD = 10000


@dataclass(frozen=True)
class PoolAdded:
    """What ``add_numbers`` did."""

    added: int
    already: int


def add_numbers(ctx: Ctx, *, numbers: Sequence[str], command_id: str | None = None
                ) -> PoolAdded:
    """Add mobile numbers to the pool (hall manager; audited). Numbers already in the pool
    are left as they are."""
    actor = require(ctx.actor, "order.pool")
    cleaned = list(dict.fromkeys(check_mobile(n) for n in numbers))
    if not cleaned:
        raise BadInput(_("Give at least one number."), field="number")
    if len(cleaned) > MAX_ADD:
        raise BadInput(_("At most {n} numbers at a time.").format(n=MAX_ADD), field="number")

    def work(uow: UnitOfWork) -> PoolAdded:
        known = set()
        for start in range(0, len(cleaned), 500):
            chunk = cleaned[start:start + 500]
            marks = ", ".join(f":n{i}" for i in range(len(chunk)))
            known |= {r.number for r in uow.sql(
                f"SELECT number FROM number_pool WHERE number IN ({marks})",
                {f"n{i}": n for i, n in enumerate(chunk)}).all()}
        new = [n for n in cleaned if n not in known]
        if new:
            uow.sql("INSERT INTO number_pool (number, state, added_at, added_by) VALUES "
                    "(:n, 'free', :at, :by)",
                    [{"n": n, "at": utc_text(uow.now), "by": actor.empno} for n in new])
        # Counts only: a pool number becomes a customer's, so it stays out of the log.
        uow.audit("order.pool_add", entity="number_pool", entity_id=str(len(new)),
                  payload={"added": len(new), "already": len(known)})
        return PoolAdded(len(new), len(known))

    return run_write(ctx, "order.pool_add", work, command_id=command_id, result_type=PoolAdded)


def free_numbers(ctx: Ctx, *, limit: int = 20, starting: str = "") -> list[str]:
    """Free numbers of the pool in order (from ``starting``), for the clerk to choose."""
    require(ctx.actor, "order.read")
    with ctx.store.read() as session:
        rows = execute(session, "SELECT number FROM number_pool WHERE state = 'free' AND "
                       "number >= :s ORDER BY number LIMIT :n",
                       {"s": (starting or "").strip(), "n": max(1, min(limit, 500))}).all()
    return [r.number for r in rows]


def hold_number(uow: UnitOfWork, number: str | None) -> str:
    """Hold ``number`` (or the next free one) for a new line, inside the order's write."""
    if number is None:
        number = next_free(uow)
    changed = uow.sql("UPDATE number_pool SET state = 'held' WHERE number = :n AND "
                      "state = 'free'", {"n": number}).rowcount
    if changed != 1:
        refuse_not_free(uow, number)
    return number


def next_free(unit: ReadUnit) -> str:
    """The pool's next free number, or ``Refused``."""
    row = unit.sql("SELECT number FROM number_pool WHERE state = 'free' ORDER BY number "
                   "LIMIT 1").first()
    if row is None:
        raise Refused(_("The number pool has no free number."), field="number")
    return str(row.number)


def refuse_not_free(unit: ReadUnit, number: str) -> None:
    """Refuse ``number`` unless the pool has it free (``NotFound`` when it is not there)."""
    row = unit.sql("SELECT state FROM number_pool WHERE number = :n", {"n": number}).first()
    if row is None:
        raise NotFound(_("{number} is not in the hall's number pool.").format(
            number=number), field="number")
    if row.state != "free":
        raise Refused(_("{number} is not free (it is {state}).").format(
            number=number, state=_("held for an open order") if row.state == "held"
            else _("in service")), field="number")


def set_number(uow: UnitOfWork, number: str, state: str) -> None:
    """Move a pool number to ``state`` (free, held, in_service) inside an order's write."""
    uow.sql("UPDATE number_pool SET state = :s WHERE number = :n", {"s": state, "n": number})
