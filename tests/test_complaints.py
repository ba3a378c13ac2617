"""Complaints: opening, the four stages in order, ownership, pause, appeal, close, repeats."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.services import complaints
from hallterm.store import execute
from tests.complaint_fixtures import PHONE, make_desk, open_one, to_stage


@pytest.fixture
def desk(hall):
    return make_desk(hall)


def _events(ctx, number):
    return [(e.kind, e.stage, e.by) for e in complaints.get_complaint(ctx, number=number).events]


def test_the_taker_owns_it_the_number_is_gapless_and_the_phone_is_sealed(desk):
    first = open_one(desk.zhao)
    second = open_one(desk.chen, phone="13900001111", category="network", text="No signal",
                      channel="phone")
    assert (first, second) == ("TS2026-00001", "TS2026-00002")
    view = complaints.get_complaint(desk.zhao, number=first)
    assert (view.owner, view.taken_by, view.state, view.stage) == ("7001", "7001", "open", 0)
    assert (view.channel, view.phone) == ("counter", "138****5678")
    assert complaints.get_complaint(desk.zhao, number=second).channel == "phone"
    with desk.hall.ctx.store.read() as session:
        row = execute(session, "SELECT * FROM complaint WHERE number = :n", {"n": first}).one()
        audit = execute(session, "SELECT payload FROM audit_log WHERE action = "
                        "'complaint.open'").all()
    assert PHONE not in " ".join(str(v) for v in row)  # sealed, hashed and masked only
    assert all(PHONE not in str(a.payload) for a in audit)


def test_a_counter_channel_needs_a_counter_and_bad_values_are_named(desk):
    with pytest.raises(BadInput, match="no counter"):
        open_one(desk.chen, channel="counter")  # 7003's terminal is at no counter
    with pytest.raises(BadInput, match="Unknown category"):
        open_one(desk.zhao, category="weather")
    with pytest.raises(BadInput) as bad:
        open_one(desk.zhao, phone="12345")
    assert bad.value.field == "phone"
    with pytest.raises(BadInput, match="complains about"):
        open_one(desk.zhao, text="  ")
    with pytest.raises(Forbidden):
        open_one(desk.hall.add("7050", "warehouse"))


def test_the_four_stages_are_done_strictly_in_order_each_with_what_was_done(desk):
    number = open_one(desk.zhao)
    with pytest.raises(Refused, match=r"Stage 1 .* comes first"):
        complaints.record_stage(desk.zhao, number=number, stage=2, done="explained")
    with pytest.raises(BadInput, match="What was done"):
        complaints.record_stage(desk.zhao, number=number, stage=1, done=" ")
    complaints.record_stage(desk.zhao, number=number, stage="accept", done="took the details")
    with pytest.raises(Refused, match="already done"):
        complaints.record_stage(desk.zhao, number=number, stage=1, done="again")
    with pytest.raises(Refused, match="Stage 2"):
        complaints.record_stage(desk.zhao, number=number, stage=3, done="credit offered")
    complaints.record_stage(desk.zhao, number=number, stage=2, done="explained the bill")
    view = complaints.get_complaint(desk.zhao, number=number)
    assert [(s.number, s.name, s.done) for s in view.stages] == [
        (1, "accept", "took the details"), (2, "explain", "explained the bill"),
        (3, "resolve", None), (4, "follow_up", None)]
    assert view.clocks.stages_done == ("accept", "explain")


def test_only_the_owner_works_it(desk):
    number = open_one(desk.zhao)
    with pytest.raises(Forbidden, match="7001"):
        complaints.record_stage(desk.sun, number=number, stage=1, done="not mine")
    with pytest.raises(Forbidden):
        complaints.pause(desk.duty, number=number, waiting_for="a bill copy")
    with pytest.raises(Forbidden):
        complaints.close(desk.sun, number=number, result="satisfied", summary="x")


def test_ownership_moves_only_when_the_new_owner_accepts(desk):
    number = open_one(desk.zhao)
    with pytest.raises(Forbidden):  # not the owner, not a manager
        complaints.transfer(desk.sun, number=number, to="7002", reason="mine now")
    with pytest.raises(BadInput, match="reason"):
        complaints.transfer(desk.zhao, number=number, to="7002", reason="")
    with pytest.raises(Refused, match="may not take complaints"):
        complaints.transfer(desk.zhao, number=number, to=desk.hall.add(
            "7051", "warehouse").actor.empno, reason="x")
    offered = complaints.transfer(desk.zhao, number=number, to="7002", reason="broadband")
    assert (offered.owner, offered.offered_to) == ("7001", "7002")
    with pytest.raises(Forbidden, match="offered to 7002"):
        complaints.accept(desk.chen, number=number)
    # until accepted it is still the taker's, and only theirs
    complaints.record_stage(desk.zhao, number=number, stage=1, done="took it")
    with pytest.raises(Forbidden):
        complaints.record_stage(desk.sun, number=number, stage=2, done="too early")
    taken = complaints.accept(desk.sun, number=number)
    assert (taken.owner, taken.offered_to) == ("7002", None)
    complaints.record_stage(desk.sun, number=number, stage=2, done="explained")
    with pytest.raises(Forbidden):
        complaints.record_stage(desk.zhao, number=number, stage=3, done="not mine any more")
    with pytest.raises(Refused, match="not been transferred"):
        complaints.accept(desk.sun, number=number)
    assert [k for k, _s, _b in _events(desk.zhao, number)] == [
        "opened", "transferred", "stage_done", "accepted", "stage_done"]
    with desk.hall.ctx.store.read() as session:
        actions = [r.action for r in execute(session, "SELECT action FROM audit_log WHERE "
                                             "entity = 'complaint' ORDER BY seq").all()]
    assert "complaint.transfer" in actions and "complaint.accept" in actions
    clocks = complaints.get_complaint(desk.duty, number=number).clocks
    assert clocks.owner == "7002" and clocks.transfer_pending is None


def test_a_manager_may_transfer_an_absent_owners_complaint(desk):
    number = open_one(desk.zhao)
    complaints.transfer(desk.duty, number=number, to="7002", reason="Zhao is off sick")
    assert complaints.accept(desk.sun, number=number).owner == "7002"


def test_pause_only_while_waiting_for_the_customer_and_resume(desk):
    number = open_one(desk.zhao)
    complaints.record_stage(desk.zhao, number=number, stage=1, done="took it")
    with pytest.raises(BadInput):
        complaints.pause(desk.zhao, number=number, waiting_for="")
    with pytest.raises(Refused, match="not waiting"):
        complaints.resume(desk.zhao, number=number)
    assert complaints.pause(desk.zhao, number=number,
                            waiting_for="the customer's bill copy").state == "paused"
    with pytest.raises(Refused, match="waiting for the customer"):
        complaints.record_stage(desk.zhao, number=number, stage=2, done="x")
    with pytest.raises(Refused):
        complaints.pause(desk.zhao, number=number, waiting_for="again")
    desk.hall.clock.advance(hours=2)
    view = complaints.get_complaint(desk.zhao, number=number)
    assert view.state == "paused" and view.clocks.paused_since is not None
    assert complaints.resume(desk.zhao, number=number, note="bill copy given").state == "open"
    complaints.record_stage(desk.zhao, number=number, stage=2, done="explained")
    assert [k for k, _s, _b in _events(desk.zhao, number)] == [
        "opened", "stage_done", "paused", "resumed", "stage_done"]


def test_an_appeal_is_its_own_state_with_the_regulators_reference(desk):
    number = open_one(desk.zhao)
    complaints.pause(desk.zhao, number=number, waiting_for="a call back")
    with pytest.raises(BadInput, match="reference"):
        complaints.appeal(desk.zhao, number=number, reference=" ")
    done = complaints.appeal(desk.duty, number=number, reference="GXB-2026-0815")
    assert done.state == "appealed"
    with pytest.raises(Refused, match="already appealed"):
        complaints.appeal(desk.zhao, number=number, reference="again")
    with pytest.raises(Refused):
        complaints.pause(desk.zhao, number=number, waiting_for="x")
    view = complaints.get_complaint(desk.zhao, number=number)
    assert view.appeal_reference == "GXB-2026-0815"
    assert [k for k, _s, _b in _events(desk.zhao, number)][-2:] == ["resumed", "appealed"]
    assert view.clocks.appeal is not None and view.clocks.paused_since is None
    to_stage(desk.zhao, number, 3)  # still worked, and closed as usual
    assert complaints.close(desk.zhao, number=number, result="dissatisfied",
                            summary="regulator informed").state == "closed"


def test_close_only_with_the_follow_up_result_and_a_summary(desk):
    number = open_one(desk.zhao)
    to_stage(desk.zhao, number, 2)
    with pytest.raises(BadInput, match="follow-up result"):
        complaints.close(desk.zhao, number=number, result=None, summary="done")
    with pytest.raises(BadInput, match="follow-up result"):
        complaints.close(desk.zhao, number=number, result="happy", summary="done")
    with pytest.raises(BadInput, match="summary"):
        complaints.close(desk.zhao, number=number, result="satisfied", summary="")
    with pytest.raises(Refused, match="before stage 3"):
        complaints.close(desk.zhao, number=number, result="satisfied", summary="done")
    complaints.record_stage(desk.zhao, number=number, stage=3, done="credit of 20 yuan")
    with pytest.raises(Refused, match="after 3 follow-up attempts; 2 recorded"):
        complaints.close(desk.zhao, number=number, result="unreachable", summary="no answer",
                         attempts=2)
    closed = complaints.close(desk.zhao, number=number, result="unreachable",
                              summary="three calls, no answer", attempts=3)
    assert (closed.state, closed.stage) == ("closed", 4)
    view = complaints.get_complaint(desk.zhao, number=number)
    assert (view.result, view.summary) == ("unreachable", "three calls, no answer")
    assert view.stages[3].done == "three calls, no answer"
    assert view.clocks.closed is not None
    with pytest.raises(Refused, match="closed"):
        complaints.record_stage(desk.zhao, number=number, stage=4, done="x")
    with pytest.raises(Refused, match="closed"):
        complaints.transfer(desk.zhao, number=number, to="7002", reason="x")
    assert complaints.list_complaints(desk.duty) == []


def test_a_recorded_fourth_stage_is_kept_at_the_close(desk):
    number = open_one(desk.zhao)
    to_stage(desk.zhao, number, 4)
    complaints.close(desk.zhao, number=number, result="satisfied", summary="all good")
    view = complaints.get_complaint(desk.zhao, number=number)
    assert view.stages[3].done == "stage 4 done"
    assert [k for k, _s, _b in _events(desk.zhao, number)].count("stage_done") == 4


def test_a_repeat_complaint_is_flagged_with_the_earlier_ones_linked(desk):
    first = open_one(desk.zhao)
    other = open_one(desk.zhao, phone="13900001111")
    again = complaints.open_complaint(desk.chen, customer=complaints.Customer(
        "+86 138-1234-5678"), category="service", text="Nobody called back", channel="phone")
    assert again.repeat_of == (first,)
    assert complaints.get_complaint(desk.zhao, number=again.number).repeat_of == (first,)
    assert complaints.get_complaint(desk.zhao, number=other).repeat_of == ()
    lines = {x.number: x.repeat for x in complaints.list_complaints(desk.duty)}
    assert lines == {first: False, other: False, again.number: True}


def test_a_repeat_counts_only_within_the_window(desk, tmp_path):
    from hallterm.services.day import close_day, open_day

    first = open_one(desk.zhao)
    to_stage(desk.zhao, first, 3)
    complaints.close(desk.zhao, number=first, result="satisfied", summary="ok")
    close_day(desk.manager, force=True, reason="test", reports_dir=tmp_path)
    desk.hall.clock.advance(days=31)
    open_day(desk.manager)
    later = complaints.open_complaint(desk.zhao, customer=complaints.Customer(PHONE),
                                      category="billing", text="Again")
    assert later.repeat_of == ()
    desk.hall.clock.advance(days=1)
    close_day(desk.manager, force=True, reason="test",
              business_day=(desk.hall.clock.now() - timedelta(days=1)).date(),
              reports_dir=tmp_path)
    open_day(desk.manager)
    assert complaints.open_complaint(desk.zhao, customer=complaints.Customer(PHONE),
                                     category="billing", text="Once more"
                                     ).repeat_of == (later.number,)


def test_the_same_id_number_on_another_phone_is_a_repeat_and_links_the_customer(desk):
    ident = "11010519491231002X"
    first = complaints.open_complaint(desk.zhao, customer=complaints.Customer(
        PHONE, id_number=ident, name="王五"), category="billing", text="x")
    again = complaints.open_complaint(desk.zhao, customer=complaints.Customer(
        "13900002222", id_number=ident, name="王五"), category="billing", text="y")
    assert first.customer_id is not None and again.customer_id == first.customer_id
    assert again.repeat_of == (first.number,)
    # a phone that belongs to one customer record links it without the document
    by_phone = open_one(desk.zhao, phone="13900002222")
    assert complaints.get_complaint(desk.zhao, number=by_phone).customer_id == first.customer_id


def test_an_unknown_number_and_reads_need_a_role(desk):
    with pytest.raises(BadInput, match="no complaint TS2026-09999"):
        complaints.get_complaint(desk.zhao, number="ts2026-09999")
    number = open_one(desk.zhao)
    with pytest.raises(Forbidden):
        complaints.get_complaint(desk.hall.add("7052", "warehouse"), number=number)
    assert complaints.get_complaint(desk.hall.add("7053", "auditor"), number=number)


def test_list_puts_the_next_deadline_first_and_overdue_only_on_request(desk):
    first = open_one(desk.zhao)
    desk.hall.clock.advance(hours=1)
    second = open_one(replace(desk.sun), phone="13900001111")
    complaints.record_stage(desk.zhao, number=first, stage=1, done="took it")
    assert [x.number for x in complaints.list_complaints(desk.duty)] == [first, second]
    assert complaints.list_complaints(desk.duty, overdue=True) == []
    assert [x.number for x in complaints.list_complaints(desk.duty, owner="7002")] == [second]
    desk.hall.clock.advance(days=4)  # 24 working hours and more have passed
    overdue = complaints.list_complaints(desk.duty, overdue=True)
    assert {x.number for x in overdue} == {first, second}
    assert all(x.clocks.level in ("duty_manager", "hall_manager") for x in overdue)


def test_a_refused_open_takes_no_number(desk, tmp_path):
    from hallterm.errors import DayNotOpen
    from hallterm.services.day import close_day, open_day

    assert open_one(desk.zhao) == "TS2026-00001"
    close_day(desk.manager, force=True, reason="test", reports_dir=tmp_path)
    with pytest.raises(DayNotOpen):
        open_one(desk.zhao)
    desk.hall.clock.advance(days=1)
    open_day(desk.manager)
    assert open_one(desk.zhao, phone="13900001111") == "TS2026-00002"


def test_a_related_receipt_order_or_ticket_must_be_one_the_hall_has(desk):
    """The trial's R999, O999 and Z were taken; now each is refused, named, and nothing
    is written; records the hall has (any day) are accepted."""
    from hallterm.services import queue
    from tests.orders_fixtures import open_line, order_hall

    for kw, field in (({"receipt": "R999"}, "receipt"), ({"order_no": "O999"}, "order"),
                      ({"ticket": "Z"}, "ticket")):
        for fn in (complaints.check_open, complaints.open_complaint):
            with pytest.raises(BadInput) as err:
                fn(desk.zhao, customer=complaints.Customer(PHONE), category="billing",
                   text="x", **kw)
            assert err.value.field == field and next(iter(kw.values())) in str(err.value)
    assert complaints.list_complaints(desk.duty) == []
    order_hall(desk.hall)
    order_no = open_line(desk.hall).order_no
    ticket = queue.issue_ticket(desk.hall.ctx, service="A").number
    number = open_one(desk.zhao, order_no=order_no, ticket=ticket.lower())
    view = complaints.get_complaint(desk.zhao, number=number)
    assert (view.order_no, view.ticket) == (order_no, ticket)
