"""Demo queue: waiting tickets of every class (one past the long-wait threshold) and
counters in every state, each with its clerk.

Counter 1 open with 8004 (sales), counter 2 open with 8005 (acceptance), counter 5
open with 8006 (complaints) serving a ticket, counter 3 paused for handover with the
duty manager 8002, counter 4 with its closing sign up (the hall manager 8001, who
helped out in the morning rush), counter 6 closed. The retention clerk 8007 holds
no counter, so a handover can be tried on a fresh demo (README: counter 1 from
8004 to 8007). The long wait is issued through a context whose clock is set back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hallterm.context import Ctx

ORDER = 20
DEMO_PIN = "246810"


def seed(ctx: Ctx) -> None:
    """Issue the morning's tickets and set up the counters (needs the demo staff)."""
    from hallterm.clock import FixedClock
    from hallterm.services import queue
    from hallterm.services.hall import get_hall
    from hallterm.services.staff import authenticate

    kiosk = ctx.as_actor(None)
    now = ctx.now()
    long_wait = get_hall(ctx).thresholds.long_wait_minutes
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=now.tzinfo)
    earlier = max(now - timedelta(minutes=long_wait + 12), midnight)
    # Backdated on purpose (customers who have waited): allowed on the demo store only.
    clock = FixedClock(earlier)
    back = replace(kiosk, clock=clock, extra={**kiosk.extra, "backdate": True})
    queue.issue_ticket(back, service="A")  # waiting past the threshold (flagged)
    clock.advance(minutes=3)
    queue.issue_ticket(back, service="F")
    for service, priority, code in (
        ("A", "vip", None), ("A", "care", None), ("A", "appointment", "AP-1001"),
        ("A", "normal", None), ("B", "normal", None), ("B", "care", None),
        ("C", "normal", None), ("D", "normal", None), ("D", "vip", None),
        ("E", "normal", None), ("V", "vip", None), ("F", "normal", None),
    ):
        queue.issue_ticket(kiosk, service=service, priority=priority, appointment=code)

    def clerk(empno: str, counter: int) -> Ctx:
        actor = authenticate(ctx, empno=empno, pin=DEMO_PIN, purpose="demo")
        return replace(ctx.as_actor(actor), counter=counter)

    for empno, counter in (("8004", 1), ("8005", 2), ("8006", 5), ("8002", 3), ("8001", 4)):
        queue.set_counter_state(ctx, counter=counter, state="open", clerk=empno)
    complaints = clerk("8006", 5)
    queue.call_next(complaints)
    queue.start_serving(complaints)
    # Only a counter's keeper changes its state (services.queue.keepers).
    queue.set_counter_state(clerk("8002", 3), counter=3, state="paused", reason="shift handover")
    queue.set_counter_state(clerk("8001", 4), counter=4, state="closing",
                            reason="back to the office at noon")
