"""The counter's keeper (窗口责任人): the one person who works a counter.

Part of the queue area, which owns the ``counter`` table. A counter's keeper is
the clerk who opened it or took it over at a handover (``counter.clerk_id`` while
the counter is not closed). Selling, calling and serving tickets, the counter's
state, its drawer (cash in/out, counts, voids and refunds paid from it) and its
custody are the keeper's alone. A duty or hall manager may act at another
clerk's counter only as an explicit override with a reason, audited as
``counter.override``; everyone else is refused, and told who keeps the counter.
A closed counter has no keeper: nobody works it until someone opens it (and so
becomes its keeper). While a handover is in progress, nothing that changes the
drawer or the custody happens at the counter (the count would no longer hold).

Every service that works a counter calls ``require_keeper`` inside its write, so
the screens, the CLI and any later caller get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.context import Actor, Ctx, ReadUnit
from hallterm.errors import Forbidden, NotFound, Refused
from hallterm.i18n import N_, _
from hallterm.permissions import MANAGERS
from hallterm.store import execute
from hallterm.textinput import free_text

MAX_REASON = 200


class OverrideNeeded(Refused):
    """A manager at another clerk's counter: allowed only with an override reason (exit 3)."""

    cli_hint = N_("Run it again with --override-reason TEXT.")


@dataclass(frozen=True)
class Keeper:
    """Who keeps a counter now, and the handover in progress there (if any)."""

    counter: int
    state: str
    staff_id: int | None
    empno: str | None
    name: str | None
    handover: str | None = None  # the number of the handover in progress

    def label(self) -> str:
        """``Name (empno)`` of the keeper, or ``-``."""
        return f"{self.name} ({self.empno})" if self.empno else "-"


_SQL = ("SELECT c.number, c.state, c.active, s.id, s.empno, s.name, (SELECT h.number FROM "
        "handover h WHERE h.counter = c.number AND h.state IN ('started', 'counted', "
        "'reviewed') ORDER BY h.id DESC LIMIT 1) AS handover FROM counter c LEFT JOIN staff s ON "
        "s.id = c.clerk_id WHERE c.number = :n")


def keeper_in(session, counter: int) -> Keeper:
    """The keeper of ``counter`` on an open session or write (``NotFound``: no such counter)."""
    row = execute(session, _SQL, {"n": counter}).first()
    if row is None or not row.active:
        raise NotFound(_("No counter {number} in this hall.").format(number=counter))
    kept = row.state != "closed" and row.id is not None
    return Keeper(row.number, row.state, row.id if kept else None, row.empno if kept else None,
                  row.name if kept else None, row.handover)


def keeper_once(unit: ReadUnit, counter: int) -> Keeper:
    """``keeper_in`` read once per transaction (a sale checks its keeper, its stock its
    counter; a write to the counter, its clerk or a handover reads it again)."""
    return unit.remember((_KEEPER_TABLES, counter), lambda: keeper_in(unit.session, counter))


def keeper_known(unit: ReadUnit, counter: int) -> bool:
    """Whether this transaction already found ``counter`` (active, in this hall)."""
    return (_KEEPER_TABLES, counter) in unit.memo


_KEEPER_TABLES = ("counter", "staff", "handover")


def keeper(ctx: Ctx, *, counter: int) -> Keeper:
    """Who keeps ``counter`` now (a read: the app checks it to lock a taken-over terminal)."""
    with ctx.store.read() as session:
        return keeper_in(session, counter)


def clean_reason(reason: str | None) -> str | None:
    """An override reason, stripped; ``None`` when empty."""
    text = free_text(reason, what=_("A reason"))
    return text[:MAX_REASON] or None


def refusal(k: Keeper, person: Actor | None) -> Refused | None:
    """Why ``person`` may not work the counter ``k`` describes (``None``: they keep it).

    A manager gets ``OverrideNeeded``: they may act with a reason.
    """
    if person is None:
        return Forbidden(_("Sign in first."))
    if k.staff_id is not None and k.staff_id == person.id:
        return None
    if person.roles & MANAGERS:
        if k.staff_id is None:
            return OverrideNeeded(_(
                "Counter {counter} is closed and has no keeper. A manager acts there only as "
                "an override: give the reason.").format(counter=k.counter))
        return OverrideNeeded(_(
            "Counter {counter} is kept by {keeper}. A manager acts at another clerk's counter "
            "only as an override: give the reason.").format(counter=k.counter,
                                                            keeper=k.label()))
    if k.staff_id is None:
        return Refused(_("Counter {counter} is closed: nobody works it until a clerk opens it "
                         "(whoever opens it keeps it).").format(counter=k.counter))
    return Refused(_("Counter {counter} is kept by {keeper}; only they work it (sell, call, "
                     "cash, stock).").format(counter=k.counter, keeper=k.label()))


def require_keeper(uow: ReadUnit, counter: int, *, action: str,
                   override_reason: str | None = None, person: Actor | None = None,
                   during_handover: bool = True) -> str | None:
    """Refuse unless ``person`` (default: the acting person) keeps ``counter``.

    A manager with ``override_reason`` acts anyway; the override is audited
    (``counter.override``: the counter, its keeper, the action and the reason) and
    the reason returned. ``during_handover=False``: refused while a handover of the
    counter is in progress, whoever asks (sales, cash, stock would spoil its count).
    On a ``ReadUnit`` (a ``check_*`` before anyone is asked for a PIN) it refuses the
    same way and records nothing.
    """
    k = keeper_once(uow, counter)
    if not during_handover and k.handover is not None:
        raise Refused(_("Counter {counter} is being handed over ({number}): it sells nothing "
                        "and no cash or stock moves there until the handover is finished or "
                        "cancelled.").format(counter=counter, number=k.handover))
    who = person if person is not None else uow.actor
    problem = refusal(k, who)
    if problem is None:
        return None
    reason = clean_reason(override_reason)
    if not isinstance(problem, OverrideNeeded) or reason is None:
        raise problem
    if not hasattr(uow, "audit"):
        return reason  # a check: the write records the override
    uow.audit("counter.override", entity="counter", entity_id=counter,
              payload={"counter": counter, "action": action, "keeper": k.empno,
                       "reason": reason, "person": who.empno if who else None})
    return reason


def require_no_handover(uow: ReadUnit, counter: int) -> None:
    """Refuse while a handover of ``counter`` is in progress (its count must still hold)."""
    k = keeper_once(uow, counter)
    if k.handover is not None:
        raise Refused(_("Counter {counter} is being handed over ({number}): no cash or stock "
                        "moves there until the handover is finished or cancelled.").format(
            counter=counter, number=k.handover))


def check_early(session, counter: int, person: Actor | None) -> None:
    """Refuse at once what working the counter would refuse later (a scan, a serial hold).

    A manager passes here: their override reason is asked when the work is written.
    """
    k = keeper_in(session, counter)
    if k.handover is not None:
        raise Refused(_("Counter {counter} is being handed over ({number}): it sells nothing "
                        "and no cash or stock moves there until the handover is finished or "
                        "cancelled.").format(counter=counter, number=k.handover))
    problem = refusal(k, person)
    if problem is not None and not isinstance(problem, OverrideNeeded):
        raise problem
