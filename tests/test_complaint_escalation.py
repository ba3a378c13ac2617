"""Escalations of overdue complaints: who is shown which, and each recorded once in the
audit log (complaint, level, the manager shown it)."""

from __future__ import annotations

import json
from datetime import timedelta

from hallterm.services import complaints
from hallterm.store import execute
from tests.complaint_fixtures import make_desk, open_one


def escalate_rows(hall) -> list[tuple[str, str, str]]:
    with hall.ctx.store.read() as session:
        rows = execute(session, "SELECT entity_id, actor, payload FROM audit_log WHERE "
                       "action = 'complaint.escalate' ORDER BY seq").all()
    return [(r.entity_id, r.actor, json.loads(r.payload)["level"]) for r in rows]


def audit_count(hall) -> int:
    with hall.ctx.store.read() as session:
        return int(execute(session, "SELECT COUNT(*) AS n FROM audit_log").one().n)


def test_an_overdue_complaint_goes_to_the_duty_manager_then_the_hall_manager(hall):
    desk = make_desk(hall)
    late = open_one(desk.zhao)  # Wed 10:00: contact due Fri 16:00
    hall.clock.set(hall.clock.now() + timedelta(days=2, hours=5))  # Fri 15:00
    before = audit_count(hall)
    assert complaints.show_escalations(desk.duty) == []
    assert audit_count(hall) == before  # nothing overdue: no write at all
    hall.clock.set(hall.clock.now() + timedelta(hours=2))  # Fri 17:00: an hour late
    shown = complaints.show_escalations(desk.duty)
    assert [x.number for x in shown] == [late] and shown[0].clocks.level == "duty_manager"
    assert complaints.show_escalations(desk.manager) == []  # not the hall manager's yet
    assert complaints.show_escalations(desk.zhao) == []  # a clerk is escalated nothing
    assert escalate_rows(hall) == [(late, "7009", "duty_manager")]
    payload = escalate_rows_payload(hall)[0]
    assert payload["clock"] == "accept" and payload["overdue_seconds"] == 3600
    assert payload["owner"] == "7001"
    complaints.show_escalations(desk.duty)  # shown again: recorded once
    assert escalate_rows(hall) == [(late, "7009", "duty_manager")]
    hall.clock.set(hall.clock.now() + timedelta(days=1))  # Sat 17:00: 10 working hours late
    assert [x.number for x in complaints.show_escalations(desk.manager)] == [late]
    complaints.show_escalations(desk.duty)
    assert escalate_rows(hall) == [(late, "7009", "duty_manager"),
                                   (late, "9001", "hall_manager"),
                                   (late, "7009", "hall_manager")]


def escalate_rows_payload(hall) -> list[dict]:
    with hall.ctx.store.read() as session:
        rows = execute(session, "SELECT payload FROM audit_log WHERE "
                       "action = 'complaint.escalate' ORDER BY seq").all()
    return [json.loads(r.payload) for r in rows]


def test_only_a_late_clock_escalates(hall):
    desk = make_desk(hall)
    handled = open_one(desk.zhao)
    for stage in (1, 2):  # contacted in time: the contact clocks are met
        complaints.record_stage(desk.zhao, number=handled, stage=stage, done="Called back")
    late = open_one(desk.zhao, phone="13900001111")
    hall.clock.set(hall.clock.now() + timedelta(days=2, hours=7))  # Fri 17:00
    assert [x.number for x in complaints.escalated(desk.duty)] == [late]
