"""Queue services: issuing, calling, recalls, no-shows, transfers, parking, counters, figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hallterm.errors import BadInput, DayNotOpen, Forbidden, NotFound, Refused
from hallterm.services import queue


@pytest.fixture
def q(hall):
    """The hall with a guide, two clerks at counters 1 and 2 (both open)."""
    guide = hall.add("8003", "guide")
    c1 = replace(hall.add("8004", "sales"), counter=1)
    c2 = replace(hall.add("8005", "acceptance"), counter=2)
    queue.set_counter_state(guide, counter=1, state="open", clerk="8004")
    queue.set_counter_state(c2, counter=2, state="open")
    hall.guide, hall.c1, hall.c2 = guide, c1, c2
    return hall


def test_numbers_per_prefix_and_day_and_a_visit_each(q):
    a1 = queue.issue_ticket(q.ctx, service="A")
    a2 = queue.issue_ticket(q.guide, service="a", priority="vip")
    b1 = queue.issue_ticket(q.ctx, service="B")
    assert (a1.number, a2.number, b1.number) == ("A001", "A002", "B001")
    assert len({a1.visit, a2.visit, b1.visit}) == 3
    assert a2.people_ahead == 0 and a1.people_ahead == 0
    a3 = queue.issue_ticket(q.ctx, service="A")
    assert a3.people_ahead == 2 and a3.estimated_wait_min > 0
    # the kiosk (nobody signed in) is the audited actor
    from hallterm.services.audit import recent

    rows = [r for r in recent(q.manager, limit=50) if r.action == "queue.issue"]
    assert {r.actor for r in rows} == {"kiosk", "8003"}


def test_issue_refusals(q, hall):
    with pytest.raises(BadInput, match="No service Z"):
        queue.issue_ticket(q.ctx, service="Z")
    with pytest.raises(BadInput, match="appointment code"):
        queue.issue_ticket(q.ctx, service="A", priority="appointment")
    with pytest.raises(BadInput, match="Unknown priority"):
        queue.issue_ticket(q.ctx, service="A", priority="gold")
    with pytest.raises(Forbidden):
        queue.issue_ticket(q.c1, service="A")
    hall.clock.set(hall.clock.now().replace(hour=18, minute=5))
    with pytest.raises(Refused, match="closed now"):
        queue.issue_ticket(q.ctx, service="A")
    hall.clock.set(hall.clock.now() + timedelta(days=1, hours=-6))
    with pytest.raises(DayNotOpen):
        queue.issue_ticket(q.ctx, service="A")


def test_priority_first_then_ratio_gives_normal_a_turn(q):
    n1 = queue.issue_ticket(q.ctx, service="A")
    for _ in range(4):
        queue.issue_ticket(q.ctx, service="A", priority="vip")
    called = []
    for _ in range(5):
        t = queue.call_next(q.c1)
        called.append((t.number, t.call_rule))
        queue.finish(q.c1)
    # K = 3 priority calls, then the normal ticket, then the last VIP
    assert [c[0] for c in called] == ["A002", "A003", "A004", n1.number, "A005"]
    assert called[0][1] == "priority" and called[3][1] == "ratio"
    assert queue.call_next(q.c1) is None


def test_call_only_serves_the_counters_services_and_one_at_a_time(q):
    queue.issue_ticket(q.ctx, service="F")
    assert queue.call_next(q.c1) is None  # counter 1 serves A and D only
    queue.issue_ticket(q.ctx, service="D")
    t = queue.call_next(q.c1)
    assert t.number == "D001" and t.counter == 1
    with pytest.raises(Refused, match="still holds"):
        queue.call_next(q.c1)
    with pytest.raises(Refused, match=r"paused|closed"):
        queue.call_next(replace(q.c1, counter=3))


def test_recall_then_no_show_and_reinsert(q):
    first = queue.issue_ticket(q.ctx, service="A")
    for _ in range(4):
        queue.issue_ticket(q.ctx, service="A")
    queue.call_next(q.c1)
    with pytest.raises(Refused, match="Recall"):
        queue.no_show(q.c1)
    queue.recall(q.c1)
    assert queue.recall(q.c1).recalls == 2
    result = queue.no_show(q.c1)
    assert not result.reinserted and result.ticket.state == "no_show"
    with pytest.raises(Forbidden):
        queue.reinsert(q.c1, number=first.number, reason="back")
    with pytest.raises(BadInput, match="reason"):
        queue.reinsert(q.guide, number=first.number, reason=" ")
    back = queue.reinsert(q.guide, number=first.number, reason="came back")
    assert back.state == "waiting"
    order = [queue.call_next(q.c1).number for _ in range(1)]
    queue.finish(q.c1)
    for _ in range(3):
        order.append(queue.call_next(q.c1).number)
        queue.finish(q.c1)
    # three places on (顺延): after A002, A003, A004
    assert order == ["A002", "A003", "A004", "A001"]


def test_vip_and_care_get_one_automatic_reinsertion(q):
    vip = queue.issue_ticket(q.ctx, service="A", priority="care")
    queue.issue_ticket(q.ctx, service="A")
    t = queue.call_next(q.c1)
    assert t.number == vip.number
    queue.recall(q.c1)
    queue.recall(q.c1)
    first = queue.no_show(q.c1)
    assert first.reinserted and first.ticket.state == "waiting"
    assert first.ticket.auto_reinserted
    again = queue.call_next(q.c1)
    assert again.number == vip.number  # still the highest class waiting
    queue.recall(q.c1)
    queue.recall(q.c1)
    second = queue.no_show(q.c1)
    assert not second.reinserted and second.ticket.state == "no_show"


def test_transfer_keeps_issue_time_and_visit(q, hall):
    early = queue.issue_ticket(q.ctx, service="A")
    hall.clock.advance(minutes=10)
    later = queue.issue_ticket(q.ctx, service="B")
    queue.call_next(q.c1)
    moved = queue.transfer(q.c1, service="B", reason="needs a new line")
    assert moved.number == early.number and moved.service == "B"
    assert moved.issued_at == early.issued_at and moved.visit == early.visit
    # it keeps its place by issue time: called before B001 at counter 2
    assert queue.call_next(q.c2).number == early.number
    queue.finish(q.c2)
    assert queue.call_next(q.c2).number == later.number
    # the guide transfers a waiting ticket; a clerk cannot touch another counter's ticket
    w = queue.issue_ticket(q.ctx, service="C")
    with pytest.raises(Refused, match="not at your counter"):
        queue.transfer(q.c1, number=w.number, service="A")
    assert queue.transfer(q.guide, number=w.number, service="E").service == "E"
    with pytest.raises(BadInput, match="already"):
        queue.transfer(q.guide, number=w.number, service="E")
    with pytest.raises(NotFound):
        queue.transfer(q.guide, number="Z999", service="E")


def test_park_and_resume_exclude_parked_time(q, hall):
    queue.issue_ticket(q.ctx, service="A")
    queue.issue_ticket(q.ctx, service="A")
    queue.call_next(q.c1)
    queue.start_serving(q.c1)
    hall.clock.advance(minutes=3)
    parked = queue.park(q.c1, reason="fetching ID card")
    assert parked.state == "parked"
    # the counter serves someone else meanwhile
    queue.call_next(q.c1)
    hall.clock.advance(minutes=10)
    with pytest.raises(Refused, match="still holds"):
        queue.resume(q.c1)
    queue.finish(q.c1)
    resumed = queue.resume(q.c1)
    assert resumed.state == "serving" and resumed.parked_s == 600
    hall.clock.advance(minutes=2)
    done = queue.finish(q.c1)
    visit = queue.get_visit(q.c1, visit_id=done.visit)
    assert visit.service_s == 5 * 60 and visit.parked_s == 600


def test_long_wait_flag_and_apology(q, hall):
    t = queue.issue_ticket(q.ctx, service="A")
    hall.clock.advance(minutes=25)
    status = queue.queue_status(q.guide)
    a = next(s for s in status.services if s.code == "A")
    assert a.flagged == (t.number,) and a.longest_wait_s == 25 * 60
    called = queue.call_next(q.c1)
    assert called.long_wait and "25 min" in queue.apology(called)
    assert "说明原因并表示歉意" in queue.apology(called)
    assert "Normal" in queue.why(called)
    view = queue.counter_view(q.c1)
    assert view.current.number == t.number and view.current.visit == called.visit
    assert queue.current_visit(q.c1) == called.visit


def test_counter_states_and_rules(q):
    with pytest.raises(Refused, match="only your own"):
        queue.set_counter_state(q.c1, counter=2, state="paused")
    info = queue.set_counter_state(q.c1, counter=1, state="paused")
    assert info.state == "paused" and info.clerk == "8004"
    with pytest.raises(Refused, match="paused"):
        queue.call_next(q.c1)
    queue.set_counter_state(q.c1, counter=1, state="open")
    queue.issue_ticket(q.ctx, service="A")
    queue.call_next(q.c1)
    with pytest.raises(Refused, match="cannot close"):
        queue.set_counter_state(q.c1, counter=1, state="closed")
    queue.set_counter_state(q.c1, counter=1, state="closing")
    queue.finish(q.c1)
    with pytest.raises(Refused, match=r"kept by .*\(8004\)"):
        queue.set_counter_state(q.guide, counter=1, state="closed")  # only its keeper
    closed = queue.set_counter_state(q.c1, counter=1, state="closed")
    assert closed.state == "closed" and closed.clerk is None
    with pytest.raises(Refused, match="cannot become"):
        queue.set_counter_state(q.guide, counter=1, state="paused")
    with pytest.raises(BadInput, match="Name the clerk"):
        queue.set_counter_state(q.guide, counter=3, state="open")
    with pytest.raises(Refused, match="no counter role"):
        queue.set_counter_state(q.guide, counter=3, state="open", clerk="8003")


def test_closing_counter_serves_only_those_already_waiting(q, hall):
    # counter 1 serves A and D; counter 4 (closed) also D; D is served only at counter 1
    queue.issue_ticket(q.ctx, service="D")
    hall.clock.advance(minutes=1)
    info = queue.set_counter_state(q.c1, counter=1, state="closing")
    assert info.orphans == ("D001",)
    hall.clock.advance(minutes=1)
    queue.issue_ticket(q.ctx, service="D")
    assert queue.call_next(q.c1).number == "D001"
    queue.finish(q.c1)
    assert queue.call_next(q.c1) is None  # D002 came after the sign went up


def test_cancel_blockers_and_figures(q, hall):
    a = queue.issue_ticket(q.ctx, service="A")
    b = queue.issue_ticket(q.ctx, service="A")
    c = queue.issue_ticket(q.ctx, service="B")
    day = hall.clock.now().date()
    assert {t.number for t in queue.blockers(q.manager, day)} == {a.number, b.number, c.number}
    queue.cancel(q.guide, number=c.number, reason="left")
    with pytest.raises(Refused):
        queue.cancel(q.guide, number=c.number, reason="again")
    hall.clock.advance(minutes=5)
    queue.call_next(q.c1)
    queue.start_serving(q.c1)
    hall.clock.advance(minutes=4)
    queue.finish(q.c1)
    hall.clock.advance(minutes=16)
    queue.call_next(q.c1)
    queue.recall(q.c1)
    queue.recall(q.c1)
    queue.no_show(q.c1)
    assert queue.blockers(q.manager, day) == []
    fig = queue.day_figures(q.manager, business_day=day)
    fa = next(s for s in fig.services if s.code == "A")
    assert (fa.issued, fa.served, fa.no_show, fa.cancelled) == (2, 1, 1, 0)
    assert fa.avg_wait_s == (5 * 60 + 25 * 60) // 2 and fa.p90_wait_s == 25 * 60
    assert fa.avg_service_s == 4 * 60 and fa.within_target == 0.5
    assert fig.total.cancelled == 1 and fig.total.issued == 3


def test_changes_counter_moves_on_every_write(q):
    before = queue.changes(q.ctx)
    queue.issue_ticket(q.ctx, service="A")
    mid = queue.changes(q.ctx)
    queue.call_next(q.c1)
    assert before < mid < queue.changes(q.ctx)
    board = queue.board(q.ctx)
    assert board.calls[0].number == "A001" and board.calls[0].counter == 1


def test_idempotent_issue_with_command_id(q):
    one = queue.issue_ticket(q.ctx, service="A", command_id="kiosk-1")
    two = queue.issue_ticket(q.ctx, service="A", command_id="kiosk-1")
    assert one == two
    assert queue.issue_ticket(q.ctx, service="A").number == "A002"


def test_replaying_the_same_events_on_a_new_store_gives_the_same_calls(tmp_path):
    from tests.conftest import make_hall

    script = [("issue", "A", "normal"), ("issue", "A", "vip"), ("issue", "D", "care"),
              ("call", 1), ("issue", "A", "vip"), ("finish", 1), ("call", 2), ("call", 1),
              ("issue", "B", "appointment"), ("finish", 1), ("finish", 2), ("call", 2),
              ("call", 1), ("issue", "A", "normal"), ("finish", 1), ("call", 1)]

    def replay(folder):
        folder.mkdir()
        h = make_hall(folder)
        clerks = {1: replace(h.add("8004", "sales"), counter=1),
                  2: replace(h.add("8005", "sales"), counter=2)}
        for n, clerk in clerks.items():
            queue.set_counter_state(clerk, counter=n, state="open")
        calls = []
        for step in script:
            h.clock.advance(minutes=1)
            if step[0] == "issue":
                queue.issue_ticket(h.ctx, service=step[1], priority=step[2],
                                   appointment="AP-1" if step[2] == "appointment" else None)
            elif step[0] == "call":
                t = queue.call_next(clerks[step[1]])
                calls.append((step[1], t.number if t else None, t.call_rule if t else None))
            else:
                queue.finish(clerks[step[1]])
        h.ctx.store.dispose()
        return calls

    first = replay(tmp_path / "one")
    assert first == replay(tmp_path / "two")
    assert [c[1] for c in first if c[1]][:2] == ["A002", "A003"]  # counter 2 serves no D


def test_a_clerk_is_at_one_counter_at_a_time(q):
    with pytest.raises(Refused, match="already at counter 1"):
        queue.set_counter_state(q.guide, counter=3, state="open", clerk="8004")
    queue.set_counter_state(q.c1, counter=1, state="paused")
    # a counter changes hands only by a handover
    with pytest.raises(Refused, match="only by a handover"):
        queue.set_counter_state(q.c1, counter=1, state="open", clerk="8005")
    queue.set_counter_state(q.c1, counter=1, state="closed")
    # a clerk still at another counter cannot open this one
    with pytest.raises(Refused, match="already at counter 2"):
        queue.set_counter_state(q.guide, counter=1, state="open", clerk="8005")
    assert queue.set_counter_state(q.guide, counter=3, state="open", clerk="8004").clerk == "8004"
