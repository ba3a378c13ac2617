"""Shift handover (交接班): blind count, differences with reasons and a witness, resume, day end."""

from __future__ import annotations

import pytest

from hallterm.errors import ApprovalRequired, AuthFailed, BadInput, Refused
from hallterm.services import cash, handover, queue
from hallterm.services.day import closing
from hallterm.services.handover import taking_over
from hallterm.services.staff import approve, confirm_person
from tests.sales_fixtures import HANDSETS, PIN, SIMS, stock_hall

FLOAT = 50_000
FULL_COUNTS = {"ACC-CABLE-C": 10, "ACC-CASE": 5}


def counter_hall(hall):
    """Counter 1 open with 8004 (sales): ¥500 float, 3 handsets, 2 SIMs, cables and cases."""
    stock_hall(hall)  # counter 1 open with 8004
    cash.move_cash(hall.sales, counter=1, kind="float", reason="", amount_fen=FLOAT)
    return hall


def full_serials():
    return [*HANDSETS[:3], *SIMS[:2]]


def counter_state(hall, n=1):
    return next(c for c in queue.queue_status(hall.manager).counters if c.number == n)


def witness(ctx, empno="8002"):
    return approve(ctx, action="handover.witness", empno=empno, pin=PIN)


def incoming(ctx, empno="8005"):
    return confirm_person(ctx, empno=empno, pin=PIN, purpose="handover")


@pytest.fixture
def ho(hall):
    return counter_hall(hall)


def test_cash_shortage_and_missing_serial(ho):
    ctx = ho.sales
    tickets = [queue.issue_ticket(ho.manager, service=s).number for s in ("A", "D")]
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    assert view.state == "started" and counter_state(ho).state == "paused"
    # Paused: no new ticket is routed there; the tickets stay in line.
    with pytest.raises(Refused):
        queue.call_next(ctx.as_actor(ctx.actor), counter=1)
    assert [p.reference for p in view.pending] == tickets

    serials = [s for s in full_serials() if s != HANDSETS[1]]
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT - 1000,
                                 serials=serials, counts=FULL_COUNTS)
    assert (view.counted_fen, view.expected_fen, view.difference_fen) == (49_000, 50_000, -1000)
    missing = view.stock_differences
    assert [(x.serial, x.status, x.difference) for x in missing] == [(HANDSETS[1], "missing", -1)]
    assert view.needs_cash_reason and view.needs_stock_reason
    assert view.needs_witness  # a missing handset is worth more than the ¥50 threshold

    with pytest.raises(Refused, match="reason"):
        handover.review(ctx, handover_id=view.id)
    with pytest.raises(Refused, match="stock"):
        handover.review(ctx, handover_id=view.id, cash_reason="gave ¥10 too much change")
    with pytest.raises(ApprovalRequired):
        handover.review(ctx, handover_id=view.id, cash_reason="gave ¥10 too much change",
                        stock_reason="handset lent to the demo table")
    view = handover.review(ctx, handover_id=view.id, cash_reason="gave ¥10 too much change",
                           stock_reason="handset lent to the demo table", witness=witness(ctx))
    assert view.state == "reviewed" and view.witness == "8002"

    view = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    assert view.state == "done" and view.incoming == "8005"
    c = counter_state(ho)
    assert (c.state, c.clerk) == ("open", "8005")
    assert {p.reference for p in view.pending} == set(tickets)
    drawer = cash.expected_cash(ctx, counter=1)
    assert (drawer.counted_fen, drawer.difference_fen) == (49_000, -1000)
    assert drawer.counted_since_last_cash
    # The stock difference is recorded, not posted: the ledger still has the handset there.
    from hallterm.services import stock

    held = {s for line in stock.custody(ctx, counter=1).lines for s in line.serials}
    assert HANDSETS[1] in held
    figs = closing.blockers(ho.manager, ho.clock.now().date())
    assert not any("Handover" in line or "Counter 1 is not" in line for line in figs)


def test_count_is_blind_until_submitted(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    for seen in (view, handover.active(ctx, counter=1), handover.get(ctx, number=view.number)):
        assert seen.expected_fen is None and seen.difference_fen is None
        assert seen.lines == () and seen.stock_difference_fen is None
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT,
                                 serials=full_serials(), counts=FULL_COUNTS)
    assert view.expected_fen == FLOAT and view.difference_fen == 0
    assert not view.stock_differences and not view.needs_witness
    view = handover.review(ctx, handover_id=view.id)
    view = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    assert view.state == "done" and view.cash_reason is None


def test_denominations_and_difference_over_threshold_needs_witness(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    notes = handover.parse_denominations("100x4,20x1,5角x2")  # ¥421: ¥79 short
    assert notes == {10000: 4, 2000: 1, 50: 2}
    with pytest.raises(BadInput):
        handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, denominations=notes)
    view = handover.submit_count(ctx, handover_id=view.id, denominations=notes,
                                 serials=full_serials(), counts=FULL_COUNTS)
    assert view.counted_fen == 42_100 and view.difference_fen == -7_900
    assert view.denominations == ((10000, 4), (2000, 1), (50, 2))
    with pytest.raises(ApprovalRequired):
        handover.review(ctx, handover_id=view.id, cash_reason="counting error")
    with pytest.raises(AuthFailed):
        approve(ctx, action="handover.witness", empno="8002", pin="000000")
    with pytest.raises(Refused):  # 8005 is a clerk, not a manager
        witness(ctx, "8005")
    view = handover.review(ctx, handover_id=view.id, cash_reason="counting error",
                           witness=witness(ctx))
    handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    with pytest.raises(BadInput):
        handover.parse_denominations("3x1")


def test_interrupted_after_each_step_resumes(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    # Run again (after Ctrl-C): the same handover resumes, the counter stays paused.
    again = handover.start(ctx, counter=1, outgoing=ctx.actor)
    assert again.number == view.number and counter_state(ho).state == "paused"
    with pytest.raises(Refused):  # another clerk cannot take over someone's handover
        handover.start(ho.other, counter=1, outgoing=ho.other.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT - 500,
                          serials=full_serials(), counts=FULL_COUNTS)
    again = handover.start(ctx, counter=1, outgoing=ctx.actor)
    assert again.state == "counted" and again.difference_fen == -500
    handover.review(ctx, handover_id=view.id, cash_reason="short ¥5")
    again = handover.start(ctx, counter=1, outgoing=ctx.actor)
    assert again.state == "reviewed" and again.cash_reason == "short ¥5"
    # Interrupted before the incoming clerk: nothing of the finish was written.
    assert cash.expected_cash(ctx, counter=1).counted_fen is None
    assert any(view.number in line for line in closing.blockers(ho.manager,
                                                                ho.clock.now().date()))
    done = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    assert done.state == "done"
    assert handover.active(ctx, counter=1) is None


def test_restart_cancels_and_starts_afresh(ho):
    ctx = ho.sales
    first = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=first.id, cash_fen=1, serials=[], counts={})
    second = handover.start(ctx, counter=1, outgoing=ctx.actor, restart=True)
    assert second.number != first.number and second.state == "started"
    assert second.counter_state_before == "open"
    assert handover.get(ctx, handover_id=first.id).state == "cancelled"
    assert second.expected_fen is None
    # Cancelling puts the counter back as it was before the handover.
    handover.cancel(ctx, handover_id=second.id, reason="clerk stays")
    assert counter_state(ho).state == "open"


def test_drawer_does_not_change_during_the_handover_so_the_count_holds(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=full_serials(),
                          counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    with pytest.raises(Refused, match="being handed over"):
        cash.move_cash(ctx, counter=1, kind="in", reason="change_fund", amount_fen=1000)
    done = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    assert done.state == "done" and done.difference_fen == 0


def test_incoming_must_hold_a_counter_role(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=full_serials(),
                          counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    with pytest.raises(Refused, match="counter role"):
        handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx, "8002"))
    with pytest.raises(BadInput):
        handover.finish(ctx, handover_id=view.id, incoming=None)
    with pytest.raises(Refused, match="another person"):
        handover.finish(ctx, handover_id=view.id, incoming=ctx.actor)


def test_day_end_hand_in_closes_the_counter(ho):
    ctx = ho.sales
    day = ho.clock.now().date()
    assert any("Counter 1 is not handed in" in line
               for line in closing.blockers(ho.manager, day))
    view = handover.start(ctx, counter=1, outgoing=ctx.actor, day_end=True)
    view = handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT,
                                 serials=full_serials(), counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    with pytest.raises(BadInput):
        handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    done = handover.finish(ctx, handover_id=view.id)
    assert done.state == "done" and done.incoming is None
    c = counter_state(ho)
    assert (c.state, c.clerk) == ("closed", None)
    blockers = closing.blockers(ho.manager, day)
    assert not any("Counter 1" in line or "Handover" in line for line in blockers)
    figs = handover.compute(ho.ctx.store.read().__enter__(), day)
    assert figs["totals"]["handovers"] == 1


def test_called_ticket_passes_to_incoming_clerk(ho):
    ctx = ho.sales
    from dataclasses import replace

    queue.issue_ticket(ho.manager, service="A")
    called = queue.call_next(replace(ctx, counter=1), counter=1)
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    assert view.pending[0].kind == "ticket_called" and view.pending[0].reference == called.number
    with pytest.raises(Refused, match="holds ticket"):
        handover.start(ctx, counter=1, outgoing=ctx.actor, day_end=True, restart=True)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=full_serials(),
                          counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    done = handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    assert [(p.kind, p.reference) for p in done.pending] == [("ticket_called", called.number)]
    view = queue.counter_view(ho.other, counter=1)
    assert view.current is not None and view.current.number == called.number


def test_killed_inside_a_step_writes_nothing_of_it(ho, monkeypatch):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT - 100,
                          serials=full_serials(), counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id, cash_reason="short ¥1")
    newcomer = incoming(ctx)
    real = taking_over._set_counter

    def interrupted(*args, **kwargs):  # Ctrl-C after the cash count, before the counter opens
        raise KeyboardInterrupt

    monkeypatch.setattr(taking_over, "_set_counter", interrupted)
    with pytest.raises(KeyboardInterrupt):
        handover.finish(ctx, handover_id=view.id, incoming=newcomer)
    assert handover.active(ctx, counter=1).state == "reviewed"
    assert cash.expected_cash(ctx, counter=1).counted_fen is None
    assert counter_state(ho).state == "paused"
    monkeypatch.setattr(taking_over, "_set_counter", real)
    done = handover.finish(ctx, handover_id=view.id, incoming=newcomer)
    assert done.state == "done" and cash.expected_cash(ctx, counter=1).counted_fen == FLOAT - 100


def test_day_report_and_export_carry_the_handovers(ho, tmp_path):
    from hallterm.services import export

    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor, day_end=True)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT - 1000,
                          serials=full_serials()[1:], counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id, cash_reason="short", stock_reason="lent",
                    witness=witness(ctx))
    handover.finish(ctx, handover_id=view.id)
    ho.clock.set(ho.clock.now().replace(hour=18, minute=0))
    closing.close_day(ho.manager, force=True, reason="test", reports_dir=tmp_path / "reports")
    day = ho.clock.now().date()
    report = closing.report(ho.manager, day)
    section = next(s for s in report.data["sections"] if s["key"] == "handovers")
    assert section["figures"]["totals"] == {"handovers": 1, "cash_difference_fen": -1000,
                                            "stock_difference_fen": -549_900,
                                            "stock_difference_lines": 1}
    assert "Shift handovers" in report.text and HANDSETS[0] in report.text
    with pytest.raises(Refused):  # the closed day is locked: no handover into it
        handover.start(ctx, counter=1, outgoing=ctx.actor)
    export.export_days(ho.manager, to=tmp_path / "out")
    folder = next((tmp_path / "out").glob("*/*"))
    rows = (folder / "handovers.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and view.number in rows[1]
    lines = (folder / "handover_lines.csv").read_text(encoding="utf-8")
    assert "missing" in lines and HANDSETS[0] in lines
    assert export.verify(tmp_path / "out").ok


def test_only_the_counters_clerk_restarts_its_handover(ho):
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    with pytest.raises(Refused, match="only they hand it over"):
        handover.start(ho.other, counter=1, outgoing=ho.other.actor, restart=True)
    assert handover.active(ctx, counter=1).number == view.number


def test_incoming_clerk_already_at_another_counter_is_refused(ho):
    queue.set_counter_state(ho.manager, counter=2, state="open", clerk="8005")
    ctx = ho.sales
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=full_serials(),
                          counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    with pytest.raises(Refused, match="already at counter 2"):
        handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx, "8005"))
    assert counter_state(ho, 1).clerk == "8004"
