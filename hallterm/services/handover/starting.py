"""Step 1: start (or resume, or restart) a handover; the counter pauses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import Refused
from hallterm.i18n import _
from hallterm.permissions import allowed, require
from hallterm.services.handover.counter import _counter, _held, _set_counter
from hallterm.services.handover.inputs import _reason, _threshold
from hallterm.services.handover.reads import _result
from hallterm.services.handover.views import HandoverView, kind_label
from hallterm.services.handover.witness import _incoming_ok, _person, _witness_ok


# -- 1. start -----------------------------------------------------------------------------
def _refuse_paid_carts(unit: ReadUnit, counter: int) -> None:
    # Card/QR money taken for a sale not yet written stays with the clerk who took it:
    # they complete the sale or give it back before the counter changes hands.
    from hallterm.services.sales import paid_carts_at

    paid = paid_carts_at(unit.session, counter)
    if paid:
        raise Refused(paid[0])


def _start_checks(unit: ReadUnit, counter: int, outgoing: Actor, kind: str, restart: bool
                  ) -> tuple[date, Any, Any, str, bool]:
    """Why a handover cannot start (raises), else (day, counter row, current, state before,
    resume): shared by ``start`` and ``check_start`` so the check is the write's own."""
    day = unit.open_day()
    crow = _counter(unit, counter)
    current = unit.sql("SELECT id, number, kind, outgoing, counter_state_before FROM handover "
                       "WHERE counter = :c AND state IN ('started', 'counted', 'reviewed') "
                       "ORDER BY id DESC LIMIT 1", {"c": counter}).first()
    before = crow.state
    if current is not None:
        if not restart:
            if current.kind != kind or current.outgoing != outgoing.empno:
                raise Refused(_("Counter {counter} has handover {number} in progress ({kind} "
                                "by {empno}); resume it, or start again with restart.")
                              .format(counter=counter, number=current.number,
                                      kind=kind_label(current.kind), empno=current.outgoing))
            return day, crow, current, before, True
        before = current.counter_state_before
    if crow.clerk_id is not None and crow.clerk_id != outgoing.id:
        raise Refused(_("Counter {counter}'s clerk is {empno}; only they hand it over.")
                      .format(counter=counter, empno=crow.empno))
    _refuse_paid_carts(unit, counter)
    if kind == "shift" and before == "closed" and current is None:
        raise Refused(_("Counter {counter} is closed; there is no shift to hand over. The "
                        "last clerk of the day hands the drawer in with the day-end "
                        "variant.").format(counter=counter))
    if kind == "day_end":
        held = _held(unit, counter, day)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish or "
                            "transfer it before handing the drawer in.").format(
                counter=counter, number=held[0]))
    return day, crow, current, before, False

def check_start(ctx: Ctx, *, counter: int, outgoing: str, day_end: bool = False,
                restart: bool = False, incoming: str | None = None,
                witness: str | None = None, reasons: Sequence[str | None] = ()) -> None:
    """Validate a handover before anything is written or anyone is asked for a PIN.

    ``outgoing``, ``incoming`` and ``witness`` are employee numbers: the counter
    exists and the outgoing clerk may hand it over now (as ``start`` would decide);
    the incoming clerk is another active counter clerk not holding another counter;
    the witness may witness and is neither of them. Writes nothing.
    """
    kind = "day_end" if day_end else "shift"
    for text in reasons:
        _reason(text)

    def check(unit: ReadUnit) -> None:
        out = _person(unit, outgoing, _("Outgoing clerk"))
        if not allowed(out.roles, "queue.serve"):
            raise Refused(_("{empno} has no counter role; only a counter's clerk hands it "
                            "over.").format(empno=out.empno))
        _start_checks(unit, counter, out, kind, restart)
        if incoming:
            _incoming_ok(unit, counter, incoming, outgoing=out.empno)
        if witness:
            _witness_ok(unit, witness, outgoing=out.empno, incoming=incoming)

    run_check(ctx, check)

def start(ctx: Ctx, *, counter: int, outgoing: Actor, day_end: bool = False,
          restart: bool = False) -> HandoverView:
    """Start (or resume) the handover of ``counter``; the counter pauses.

    ``outgoing`` is the clerk handing over, authenticated with their PIN (on the CLI
    they are the one signed in; on the duty manager's screen they confirm with
    theirs). A handover already in progress by the same clerk and of the same kind is
    resumed as it is (nothing is written); ``restart`` cancels it and starts afresh.
    """
    actor = require(ctx.actor, "handover.run")
    if not allowed(outgoing.roles, "queue.serve"):
        raise Refused(_("{empno} has no counter role; only a counter's clerk hands it over.")
                      .format(empno=outgoing.empno))
    kind = "day_end" if day_end else "shift"
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        uow.pin_used(outgoing, for_action="handover.start")
        day, crow, current, before, resume = _start_checks(uow, counter, outgoing, kind,
                                                           restart)
        if resume:
            uow.audit("handover.resume", entity="handover", entity_id=current.number,
                      business_day=day, payload={"counter": counter})
            return _result(ctx, uow, current.id, threshold)
        if current is not None:
            uow.sql("UPDATE handover SET state = 'cancelled', note = :n, finished_at = :at "
                    "WHERE id = :i", {"n": "restarted", "at": utc_text(uow.now), "i": current.id})
            uow.audit("handover.cancel", entity="handover", entity_id=current.number,
                      business_day=day, payload={"counter": counter, "reason": "restarted"})
        number = f"HO{day:%Y%m%d}-{uow.next_number(f'handover:{day.isoformat()}'):03d}"
        hid = uow.sql(
            "INSERT INTO handover (number, business_day, counter, kind, state, actor, outgoing, "
            "counter_state_before, started_at) VALUES (:n, :d, :c, :k, 'started', :a, :o, :b, "
            ":at) RETURNING id",
            {"n": number, "d": day.isoformat(), "c": counter, "k": kind,
             "a": actor.empno, "o": outgoing.empno, "b": before,
             "at": utc_text(uow.now)}).scalar()
        uow.audit("handover.start", entity="handover", entity_id=number, business_day=day,
                  payload={"counter": counter, "kind": kind, "outgoing": outgoing.empno,
                           "counter_state": crow.state, "restart": current is not None})
        if crow.state in ("open", "closing"):
            _set_counter(uow, day, counter, crow.state, "paused", crow.clerk_id,
                         _("handover {number}").format(number=number))
        return _result(ctx, uow, hid, threshold)

    return run_write(ctx, "handover.start", work)
