"""Demo audit review: yesterday closed with its drawer ¥10 short, reviewed today.

``seed_before`` works the day before the demo's first day (``hallterm demo`` runs it on
a new demo store, on that day's clock, and closes the day): counter 1 opens with
8004 (sales), a ¥500 float, a ¥200 bank drop, and the day-end handover finds the
drawer ¥10 short, witnessed by the duty manager 8002. ``seed`` (today) has the auditor
8009 review that closed day: the float, the bank drop and the handover are OK; the
day-end count gets an exception (wrong amount), open in 8004's inbox, on the hall
manager's home and in today's report.
"""

from __future__ import annotations

from hallterm.context import Ctx

ORDER = 95  # after every area's records of today
DEMO_PIN = "246810"
SHORT_NOTE = "¥10 short at the day end: say what was checked, or put it right"


def _as(ctx: Ctx, empno: str) -> Ctx:
    from hallterm.services.staff import authenticate

    return ctx.as_actor(authenticate(ctx, empno=empno, pin=DEMO_PIN, purpose="demo"))


def seed_before(ctx: Ctx) -> None:
    """Yesterday's records (the hall manager's context, on yesterday's clock)."""
    from hallterm.services import cash, handover, queue
    from hallterm.services.staff import approve, authenticate

    outgoing = authenticate(ctx, empno="8004", pin=DEMO_PIN, purpose="demo")
    chen = ctx.as_actor(outgoing)
    queue.set_counter_state(ctx, counter=1, state="open", clerk="8004")
    cash.move_cash(chen, counter=1, kind="float", reason="", amount_fen=50_000)
    cash.move_cash(chen, counter=1, kind="out", reason="bank_drop", amount_fen=20_000,
                   note="afternoon bank drop")
    ho = handover.start(chen, counter=1, outgoing=outgoing, day_end=True)
    ho = handover.submit_count(chen, handover_id=ho.id, cash_fen=29_000, serials=[], counts={})
    ho = handover.review(chen, handover_id=ho.id, cash_reason="short ¥10, not found",
                         witness=approve(chen, action="handover.witness", empno="8002",
                                         pin=DEMO_PIN))
    handover.finish(chen, handover_id=ho.id)


def seed(ctx: Ctx) -> None:
    """The auditor reviews the last closed day once (nothing when there is none)."""
    from hallterm.services import review
    from hallterm.services.day import last_closed_day

    day = last_closed_day(ctx)
    if day is None:
        return
    wu = _as(ctx, "8009")
    rows = review.day_queue(wu, business_day=day)
    if not rows or any(r.state != "unreviewed" for r in rows):
        return
    for row in rows:
        if row.kind == "cash_count":
            review.raise_exception(wu, business_day=day, ref=row.ref, category="wrong_amount",
                                   note=SHORT_NOTE)
        else:
            review.mark_ok(wu, business_day=day, ref=row.ref)
