"""Complaints with the rest of the hall: compensation and the drawer, handover, Z, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hallterm.errors import ApprovalRequired, BadInput, Forbidden, Refused
from hallterm.services import cash, complaints, export
from hallterm.services.day import close_day, report
from hallterm.services.staff import approve
from hallterm.store import execute
from tests.complaint_fixtures import PHONE, open_one, to_stage
from tests.keeper_fixtures import PIN, hand_over, make_demo


@pytest.fixture
def demo(tmp_path):
    made = make_demo(tmp_path)
    yield made
    made.ctx.store.dispose()


def _approver(ctx, action, empno):
    return approve(ctx, action=action, empno=empno, pin=PIN)


def _movements(demo, number):
    with demo.ctx.store.read() as session:
        return execute(session, "SELECT id, counter, kind, reason, amount_fen, reference, "
                       "approver FROM cash_movement WHERE reference = :r", {"r": number}).all()


def test_compensation_needs_the_duty_manager_and_above_the_limit_the_hall_manager(demo):
    zhao = demo.as_("8006", counter=5)
    number = open_one(zhao)
    kw = {"number": number, "kind": "credit", "description": "bill credit"}
    assert complaints.check_compensate(zhao, amount_fen=5000, **kw) == "complaint.compensation"
    with pytest.raises(ApprovalRequired):
        complaints.compensate(zhao, amount_fen=5000, approver=None, **kw)
    with pytest.raises(Forbidden):  # a clerk may not approve
        complaints.compensate(zhao, amount_fen=5000, **kw, approver=demo.as_("8004").actor)
    small = complaints.compensate(zhao, amount_fen=5000, **kw,
                                  approver=_approver(zhao, "complaint.compensation", "8002"))
    assert (small.approver, small.cash_movement_id) == ("8002", None)
    # above compensation_approval_fen (¥200.00) only the hall manager
    assert complaints.check_compensate(zhao, amount_fen=20001, **kw) == \
        "complaint.compensation_large"
    with pytest.raises(Forbidden, match="may not approve"):
        complaints.compensate(zhao, amount_fen=20001, **kw, approver=demo.as_("8002").actor)
    large = complaints.compensate(zhao, amount_fen=20001, **kw,
                                  approver=_approver(zhao, "complaint.compensation_large",
                                                     "8001"))
    assert large.approver == "8001"
    view = complaints.get_complaint(demo.as_("8002"), number=number)
    assert [(m.kind, m.amount_fen, m.approver) for m in view.compensations] == [
        ("credit", 5000, "8002"), ("credit", 20001, "8001")]
    with demo.ctx.store.read() as session:
        rows = execute(session, "SELECT approver FROM audit_log WHERE action = "
                       "'complaint.compensate' AND entity_id = :n ORDER BY seq",
                       {"n": number}).all()
    assert [r.approver for r in rows] == ["8002", "8001"]


def test_cash_compensation_is_a_cash_out_of_the_drawer_linked_to_the_complaint(demo):
    chen = demo.as_("8004", counter=1)  # keeps counter 1, whose drawer has cash
    number = open_one(chen)
    before = cash.expected_cash(demo.as_("8002"), counter=1).expected_fen
    paid = complaints.compensate(chen, number=number, kind="cash", amount_fen=3000,
                                 description="refund of the double charge",
                                 approver=_approver(chen, "complaint.compensation", "8002"))
    assert paid.counter == 1 and paid.cash_movement_id is not None
    moves = _movements(demo, number)
    assert [(m.id, m.counter, m.kind, m.reason, m.amount_fen) for m in moves] == [
        (paid.cash_movement_id, 1, "out", "compensation", 3000)]
    assert cash.expected_cash(demo.as_("8002"), counter=1).expected_fen == before - 3000
    shown = complaints.get_complaint(chen, number=number).compensations[0]
    assert (shown.counter, shown.cash_movement_id) == (1, paid.cash_movement_id)


def test_cash_compensation_is_refused_whole_when_the_drawer_cannot_pay(demo):
    zhao = demo.as_("8006", counter=5)  # the complaints desk: no float in its drawer yet
    number = open_one(zhao)
    kw = {"number": number, "kind": "cash", "amount_fen": 3000, "description": "refund"}
    with pytest.raises(Refused, match="drawer"):
        complaints.check_compensate(zhao, **kw)
    with pytest.raises(Refused, match="drawer"):
        complaints.compensate(zhao, **kw, approver=_approver(
            zhao, "complaint.compensation", "8002"))
    with pytest.raises(BadInput, match="give the counter"):
        complaints.check_compensate(demo.as_("8004"), **{**kw, "number": open_one(
            demo.as_("8004"), phone="13900001111", channel="phone")})
    with pytest.raises(Refused, match="kept by"):  # not the keeper of counter 1
        complaints.compensate(zhao, **kw, counter=1, approver=_approver(
            zhao, "complaint.compensation", "8002"))
    assert _movements(demo, number) == []
    assert complaints.get_complaint(zhao, number=number).compensations == ()
    # once the desk's drawer has cash, the desk pays from it
    cash.move_cash(demo.as_("8002", counter=5), counter=5, kind="float", reason="",
                   amount_fen=10000, override_reason="complaints desk float")
    done = complaints.compensate(zhao, **kw, approver=_approver(
        zhao, "complaint.compensation", "8002"))
    assert done.counter == 5 and len(_movements(demo, number)) == 1


def test_a_handover_passes_the_outgoing_clerks_open_complaints(demo):
    zhao = demo.as_("8006", counter=5)
    mine = open_one(zhao)
    paused = open_one(zhao, phone="13900001111")
    complaints.pause(zhao, number=paused, waiting_for="a bill copy")
    done = open_one(zhao, phone="13900002222")
    to_stage(zhao, done, 3)
    complaints.close(zhao, number=done, result="satisfied", summary="ok")
    others = {x.number for x in complaints.list_complaints(zhao, owner="8006")} - {mine, paused}
    from hallterm.services import queue

    queue.finish(zhao, counter=5)  # the demo's ticket at counter 5
    hand_over(demo, 5, "8006", "8007")
    sun = demo.as_("8007", counter=5)
    for number in (mine, paused, *others):
        view = complaints.get_complaint(sun, number=number)
        assert (view.owner, view.offered_to) == ("8007", None)
        assert [e.kind for e in view.events][-2:] == ["transferred", "accepted"]
    assert complaints.get_complaint(sun, number=paused).state == "paused"
    assert complaints.get_complaint(sun, number=done).owner == "8006"
    complaints.record_stage(sun, number=mine, stage=1, done="called the customer")
    with demo.ctx.store.read() as session:
        pending = [r.reference for r in execute(
            session, "SELECT reference FROM handover_pending WHERE kind = 'complaint'").all()]
    assert {mine, paused} <= set(pending) and done not in pending


def _z(demo, tmp_path):
    manager = demo.as_("8001")
    demo.clock.advance(hours=1)
    closed = close_day(manager, force=True, reason="test", reports_dir=tmp_path / "reports")
    return closed, report(manager, closed.business_day)


def test_the_z_report_counts_complaints_and_the_compensation_paid(demo, tmp_path):
    chen = demo.as_("8004", counter=1)
    first = open_one(chen, category="goods")
    second = open_one(chen, phone="13900001111", category="billing")
    open_one(chen, phone="13900002222", category="billing")
    to_stage(chen, first, 3)
    complaints.close(chen, number=first, result="dissatisfied", summary="no refund possible")
    complaints.compensate(chen, number=second, kind="cash", amount_fen=2500,
                          description="refund", approver=_approver(
                              chen, "complaint.compensation", "8002"))
    base = {x.number for x in complaints.list_complaints(chen, overdue=True)}
    _closed, z = _z(demo, tmp_path)
    figs = next(s["figures"] for s in z.data["sections"] if s["key"] == "complaints")
    assert figs["closed"] >= 1 and figs["closed_by_result"]["dissatisfied"] >= 1
    assert figs["by_category"]["goods"] >= 1 and figs["by_category"]["billing"] >= 2
    assert figs["compensation"]["cash"]["fen"] >= 2500
    assert set(figs["overdue_numbers"]) >= base
    assert z.data["totals"]["complaints.compensation_cash_fen"] == \
        figs["compensation"]["cash"]["fen"]
    assert "Complaints" in z.text and "Compensation Cash" in z.text


def test_an_overdue_complaint_shows_on_the_z_report(hall, tmp_path):
    from tests.complaint_fixtures import make_desk

    desk = make_desk(hall)
    number = open_one(desk.zhao)
    hall.clock.advance(days=4)
    closed = close_day(desk.manager, force=True, reason="test", reports_dir=tmp_path,
                       business_day=closed_day(hall))
    figs = next(s["figures"] for s in report(desk.manager, closed.business_day).data["sections"]
                if s["key"] == "complaints")
    assert (figs["opened"], figs["overdue"], figs["overdue_numbers"]) == (1, 1, [number])


def closed_day(hall):
    from tests.conftest import T0

    return T0.date()


def test_the_export_minimises_the_customer(demo, tmp_path):
    chen = demo.as_("8004", counter=1)
    number = open_one(chen, text="Customer 王五 says the bill is wrong")
    to_stage(chen, number, 3)
    complaints.close(chen, number=number, result="satisfied", summary="王五 called back")
    closed, _z_report = _z(demo, tmp_path)
    result = export.export_days(demo.as_("8001"), to=tmp_path / "hq",
                                business_day=closed.business_day)
    folder = Path(result.days[0].folder)
    with (folder / "complaints.csv").open(encoding="utf-8") as f:
        rows = {r["number"]: r for r in csv.DictReader(f)}
    assert rows[number]["phone"] == "138****5678" and "text" not in rows[number]
    with (folder / "complaint_events.csv").open(encoding="utf-8") as f:
        kinds = [r["kind"] for r in csv.DictReader(f) if r["complaint"] == number]
    assert kinds == ["opened", "stage_done", "stage_done", "stage_done", "stage_done", "closed"]
    names = {r["name"] for r in json.loads((folder / "datapackage.json").read_text())[
        "resources"]}
    assert {"complaints", "complaint_events", "complaint_compensations"} <= {
        n.rsplit("-", 1)[0] for n in names} | names
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for secret in (PHONE.encode(), "王五".encode(), b"bill is wrong"):
        assert secret not in everything


@pytest.mark.sqlite_only
def test_a_closed_days_complaint_rows_cannot_be_changed(hall, tmp_path):
    import sqlite3

    from tests.complaint_fixtures import make_desk

    desk = make_desk(hall)
    number = open_one(desk.zhao)
    close_day(desk.manager, force=True, reason="test", reports_dir=tmp_path)
    con = sqlite3.connect(hall.path)
    try:
        for sql in ("UPDATE complaint SET text = 'changed' WHERE number = ?",
                    "DELETE FROM complaint_event WHERE complaint_id = (SELECT id FROM "
                    "complaint WHERE number = ?)"):
            with pytest.raises(sqlite3.IntegrityError, match="business day closed"):
                con.execute(sql, (number,))
            con.rollback()
    finally:
        con.close()
