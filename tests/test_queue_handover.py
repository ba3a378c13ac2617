"""What a handover does to the queue goes through the queue's own functions and checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hallterm.context import run_write
from hallterm.errors import Refused
from hallterm.services import handover, queue
from hallterm.services.sequences import current
from tests.test_handover import counter_hall, counter_state


@pytest.fixture
def ho(hall):
    return counter_hall(hall)


def test_a_handover_moves_the_counter_only_by_the_queues_moves(ho):
    day = ho.clock.now().date()
    assert counter_state(ho).state == "open"
    queue.set_counter_state(replace(ho.sales, counter=1), counter=1, state="closed")

    def pause(uow):
        return queue.handover_counter_state(uow, counter=1, state="paused", clerk_id=None,
                                            reason="handover", business_day=day)

    with pytest.raises(Refused, match="closed; it cannot become paused"):
        run_write(ho.manager, "handover.start", pause)
    c = counter_state(ho)
    assert (c.state, c.clerk) == ("closed", None)  # nothing written


def test_handover_state_changes_are_counter_events_and_audited(ho):
    before = queue.changes(ho.manager)
    view = handover.start(ho.sales, counter=1, outgoing=ho.sales.actor)
    assert counter_state(ho).state == "paused"
    assert queue.changes(ho.manager) > before  # live screens see the pause
    handover.cancel(ho.sales, handover_id=view.id, reason="wrong counter")
    assert counter_state(ho).state == "open"
    from hallterm.services.audit import recent

    actions = [r.action for r in recent(ho.manager, limit=20)]
    assert "counter.paused" in actions and "counter.open" in actions
    # The old "queue:changes" series was written and never read: it is gone.
    assert current(ho.ctx.store, "queue:changes") == 0


def test_held_tickets_are_handed_over_and_listed(ho):
    day = ho.clock.now().date()
    queue.issue_ticket(ho.manager, service="A")
    waiting = queue.issue_ticket(ho.manager, service="A")
    called = queue.call_next(replace(ho.sales, counter=1), counter=1)
    with ho.ctx.store.read() as session:
        assert queue.held_at(session, counter=1, business_day=day) == [(called.number, "called")]
        assert queue.waiting_for(session, business_day=day, services=["A"]) == [
            (waiting.number, "A")]
        assert queue.counter_of_clerk(session, staff_id=ho.sales.actor.id) == 1
        assert queue.counter_of_clerk(session, staff_id=ho.sales.actor.id, other_than=1) is None
    other = ho.other.actor.id
    numbers = run_write(ho.manager, "handover.finish", lambda uow: (
        queue.hand_over_tickets(uow, counter=1, business_day=day, clerk_id=other),
        uow.audit("handover.finish"))[0])
    assert numbers == [called.number]
    with ho.ctx.store.read() as session:
        from hallterm.store import execute

        assert execute(session, "SELECT clerk_id FROM ticket WHERE number = :n",
                       {"n": called.number}).scalar() == other
