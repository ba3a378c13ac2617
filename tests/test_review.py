"""The audit review loop (issue 18): every record kind, the rules, the closed day untouched."""

from __future__ import annotations

import pytest

from hallterm.context import run_write
from hallterm.errors import BadInput, Forbidden, HallTermError, NotFound, Refused
from hallterm.services import audit, cash, figures, review
from hallterm.services.day import closing, open_day, report
from tests.review_fixtures import DAY, NEXT, busy_day, day_rows_digest

KINDS = ("sale", "void", "refund", "override", "cash_move", "cash_count", "handover", "stock")


@pytest.fixture
def rv(hall, tmp_path):
    return busy_day(hall, tmp_path)


def _owner(rv, ref):
    row = next(r for r in review.day_queue(rv.auditor2, business_day=DAY) if r.ref == ref)
    return rv.as_(row.owner)


def test_the_queue_holds_every_kind_of_record_of_the_day(rv):
    rows = review.day_queue(rv.auditor, business_day=DAY)
    assert {r.kind for r in rows} == set(KINDS)
    assert {ref for ref in rv.refs.values()} <= {r.ref for r in rows}
    assert all(r.state == "unreviewed" and r.owner and r.summary for r in rows)
    handover = next(r for r in rows if r.ref == rv.refs["handover"])
    assert handover.owner == "8004" and handover.amount_fen == -1000
    assert any("witness 8002" in f for f in handover.flags)
    # the stock side of a sale is reviewed with the sale, not twice
    assert all(r.summary.split()[0] != "Sale" for r in rows if r.kind == "stock")
    only = review.day_queue(rv.auditor, business_day=DAY, kind="refund")
    assert [r.ref for r in only] == [rv.refs["refund"]]


@pytest.mark.parametrize("kind", KINDS)
def test_the_loop_on_every_record_type(rv, kind):
    ref = rv.refs[kind]
    auditor = rv.auditor2
    owner = _owner(rv, ref)
    step = review.raise_exception(auditor, business_day=DAY, ref=ref,
                                  category="wrong-amount", note="check the amount")
    assert (step.state, step.category, step.owner) == ("exception", "wrong_amount",
                                                       owner.actor.empno)
    assert [e.ref for e in review.mine(owner)] == [ref]
    assert [e.ref for e in review.open_exceptions(rv.manager)] == [ref]
    step = review.rectify(owner, ref=ref, with_record="note", note="nothing to change: typo")
    assert step.state == "rectified"
    assert review.mine(owner)[0].state == "rectified"  # waiting for the auditor
    step = review.accept(auditor, ref=ref)
    assert step.state == "accepted"
    assert review.mine(owner) == [] and review.open_exceptions(rv.manager) == []
    row = next(r for r in review.day_queue(auditor, business_day=DAY) if r.ref == ref)
    assert row.state == "accepted"
    actions = [r.action for r in audit.recent(rv.ctx, limit=3, action_prefix="review.")]
    assert actions == ["review.accepted", "review.rectified", "review.exception"]


@pytest.mark.parametrize("kind", KINDS)
def test_ok_on_every_record_type(rv, kind):
    step = review.mark_ok(rv.auditor2, business_day=DAY, ref=rv.refs[kind])
    assert step.state == "ok"
    row = next(r for r in review.day_queue(rv.auditor2, business_day=DAY, state="ok"))
    assert row.ref == rv.refs[kind] and row.reviewer == "8010"
    with pytest.raises(Refused, match="already reviewed"):
        review.raise_exception(rv.auditor2, business_day=DAY, ref=rv.refs[kind],
                               category="other", note="second thoughts")


def test_a_reference_alone_names_the_record(rv):
    bare = rv.refs["void"].split(":", 1)[1]
    assert review.mark_ok(rv.auditor2, business_day=DAY, ref=bare).ref == rv.refs["void"]
    with pytest.raises(NotFound):
        review.mark_ok(rv.auditor2, business_day=DAY, ref="sale:R19990101-0001")


def test_sent_back_then_rectified_with_a_corrective_record_and_accepted(rv):
    ref = rv.refs["cash_count"]  # 8005's day-end count
    clerk = rv.as_("8005")
    review.raise_exception(rv.auditor, business_day=DAY, ref=ref, category="wrong_amount",
                           note="the drawer was ¥10 short by the slips")
    review.rectify(clerk, ref=ref, with_record="note", note="counted again, it was right")
    back = review.reopen(rv.auditor, ref=ref, note="the slips say otherwise")
    assert back.state == "reopened" and review.mine(clerk)[0].state == "reopened"
    with pytest.raises(Refused, match="Sent back"):
        review.accept(rv.auditor, ref=ref)
    # the correction: the ¥10 put into the drawer today, named by its reference
    moved = cash.move_cash(clerk, counter=1, kind="in", reason="other", amount_fen=1000,
                           note="short on 25 Nov")
    with pytest.raises(NotFound):
        review.rectify(clerk, ref=ref, with_record="cash_move:CM999")
    with pytest.raises(BadInput, match="itself"):
        review.rectify(clerk, ref=ref, with_record=ref)
    step = review.rectify(clerk, ref=ref, with_record=f"cash_move:CM{moved.id}")
    assert step.with_ref == f"cash_move:CM{moved.id}"
    assert review.accept(rv.auditor, ref=ref).with_ref == f"cash_move:CM{moved.id}"


def test_only_an_auditor_reviews_and_only_the_owner_rectifies(rv):
    ref = rv.refs["sale"]
    for who in (rv.as_("8005"), rv.manager, rv.as_("8002")):
        with pytest.raises(Forbidden):
            review.mark_ok(who, business_day=DAY, ref=ref)
    review.raise_exception(rv.auditor, business_day=DAY, ref=ref, category="approval_missing",
                           note="no slip")
    with pytest.raises(Forbidden, match="8005"):
        review.rectify(rv.as_("8004"), ref=ref, with_record="note", note="not mine")
    with pytest.raises(Refused, match="Exception"):
        review.accept(rv.auditor, ref=ref)  # nothing rectified yet
    with pytest.raises(BadInput, match="note"):
        review.rectify(rv.as_("8005"), ref=ref, with_record="note", note="  ")
    review.rectify(rv.as_("8005"), ref=ref, with_record="note", note="slip found")
    with pytest.raises(Forbidden):
        review.accept(rv.as_("8005"), ref=ref)
    with pytest.raises(BadInput, match="note"):
        review.reopen(rv.auditor, ref=ref, note="")


def test_an_owner_cannot_review_or_accept_their_own_record(rv):
    ref = rv.refs["stock"]  # 8009's delivery; 8009 is an auditor too
    with pytest.raises(Forbidden, match="own record"):
        review.mark_ok(rv.auditor, business_day=DAY, ref=ref)
    review.raise_exception(rv.auditor2, business_day=DAY, ref=ref, category="missing_paperwork",
                           note="delivery note not filed")
    review.rectify(rv.auditor, ref=ref, with_record="note", note="filed now")
    with pytest.raises(Forbidden, match="another auditor"):
        review.accept(rv.auditor, ref=ref)
    assert review.accept(rv.auditor2, ref=ref).state == "accepted"


def test_bad_input_is_named(rv):
    with pytest.raises(BadInput, match="category"):
        review.raise_exception(rv.auditor, business_day=DAY, ref=rv.refs["sale"],
                               category="vibes", note="x")
    with pytest.raises(BadInput, match="note"):
        review.raise_exception(rv.auditor, business_day=DAY, ref=rv.refs["sale"],
                               category="other", note="")
    with pytest.raises(BadInput):
        review.mark_ok(rv.auditor, business_day=DAY, ref="  ")
    with pytest.raises(BadInput, match="kind"):
        review.day_queue(rv.auditor, business_day=DAY, kind="nonsense")
    with pytest.raises(Refused, match="no review exception"):
        review.accept(rv.auditor, ref=rv.refs["sale"])


def test_a_day_still_open_is_not_reviewed(rv):
    moved = cash.move_cash(rv.as_("8005"), counter=1, kind="in", reason="change_fund",
                           amount_fen=500)
    with pytest.raises(Refused, match="not closed"):
        review.mark_ok(rv.auditor, business_day=NEXT, ref=f"cash_move:CM{moved.id}")


def test_the_closed_day_never_changes(rv):
    before = day_rows_digest(rv, DAY)
    for kind in KINDS:
        review.raise_exception(rv.auditor2, business_day=DAY, ref=rv.refs[kind],
                               category="other", note="look again")
    review.rectify(rv.as_("8005"), ref=rv.refs["sale"], with_record="note", note="fine")
    review.accept(rv.auditor2, ref=rv.refs["sale"])
    review.rectify(rv.as_("8004"), ref=rv.refs["handover"], with_record="note", note="fine")
    review.reopen(rv.auditor2, ref=rv.refs["handover"], note="no")
    assert day_rows_digest(rv, DAY) == before
    # the reviews are rows of the open day; none can be put into the closed one
    rows = review.day_queue(rv.auditor2, business_day=DAY)
    assert all(r.state != "unreviewed" for r in rows if r.ref in rv.refs.values())

    def sneak(uow):
        uow.sql("INSERT INTO review_event (business_day, at, target_day, kind, reference, "
                "owner, action, actor) VALUES (:d, :at, :d, 'sale', 'X', '8005', 'ok', '8009')",
                {"d": DAY.isoformat(), "at": "2026-11-26T01:00:00.000000+00:00"})
        uow.audit("test.sneak")

    with pytest.raises(HallTermError, match="closed"):
        run_write(rv.auditor, "test.sneak", sneak)


def test_the_reviews_lock_with_their_own_day(rv, tmp_path):
    review.mark_ok(rv.auditor2, business_day=DAY, ref=rv.refs["sale"])
    rv.clock.advance(hours=8)
    closing.close_day(rv.manager, force=True, reason="test", reports_dir=tmp_path / "r2")

    def rewrite(uow):
        uow.sql("UPDATE review_event SET action = 'exception' WHERE business_day = :d",
                {"d": NEXT.isoformat()})
        uow.audit("test.rewrite")

    rv.clock.advance(hours=16)
    open_day(rv.manager)
    with pytest.raises(HallTermError, match="closed"):
        run_write(rv.manager, "test.rewrite", rewrite)


def test_open_exceptions_in_the_next_days_report_and_on_the_managers_home(rv, tmp_path):
    review.mark_ok(rv.auditor2, business_day=DAY, ref=rv.refs["void"])
    review.raise_exception(rv.auditor2, business_day=DAY, ref=rv.refs["refund"],
                           category="approval_missing", note="approval slip missing")
    assert ("Open review exceptions", "1") in figures.headline(rv.manager)
    rv.clock.advance(hours=8)
    closing.close_day(rv.manager, force=True, reason="test", reports_dir=tmp_path / "r2")
    text = report(rv.manager, NEXT).text
    assert "Reviews today: 1 OK, 1 exceptions" in text
    assert "Open review exceptions: 1" in text
    assert rv.refs["refund"] in text and "approval slip missing" in text
    assert "Approval missing" in text
    # the reviewed day's own report is as it was closed
    assert "Open review exceptions" not in report(rv.manager, DAY).text


def test_the_cash_reconciliation_of_a_day(rv):
    rows = review.cash_reconciliation(rv.auditor, business_day=DAY)
    [c] = rows
    assert (c.counter, c.float_fen, c.cash_out_fen, c.day_difference_fen) == (1, 50_000, 10_000,
                                                                              -1000)
    assert c.counted_at_end
    handover, day_end = c.counts
    assert (handover.purpose, handover.expected_fen, handover.counted_fen,
            handover.difference_fen) == ("handover", 50_000, 49_000, -1000)
    assert handover.handover and handover.handover in rv.refs["handover"]
    assert (handover.by, handover.incoming, handover.witness) == ("8004", "8005", "8002")
    assert handover.reason == "gave ¥10 too much change"
    assert (day_end.purpose, day_end.difference_fen, day_end.by) == ("day_end", 0, "8005")
    text = "\n".join(review.cash_lines(rows))
    assert "witness 8002" in text and "8004 → 8005" in text
    with pytest.raises(Forbidden):
        review.cash_reconciliation(rv.as_("8005"), business_day=DAY)


def test_who_viewed_customer_data_by_person_and_day(rv):
    audit.log_view(rv.auditor, what="id_number", entity="customer", entity_id=7)
    audit.log_view(rv.manager, what="phone", entity="customer", entity_id=3)
    audit.log_view(rv.auditor, what="phone", entity="customer", entity_id=9)
    seen = review.reveals(rv.auditor2, business_day=NEXT)
    assert [(v.person, v.what, v.record) for v in seen] == [
        ("8009", "id_number", "customer 7"), ("8009", "phone", "customer 9"),
        ("9001", "phone", "customer 3")]
    assert review.reveals(rv.auditor2, business_day=DAY) == []
    with pytest.raises(Forbidden):
        review.reveals(rv.as_("8005"), business_day=NEXT)


def test_the_demo_has_a_reviewed_closed_day_with_an_open_exception(tmp_path):
    from datetime import timedelta

    from tests.keeper_fixtures import make_demo

    demo = make_demo(tmp_path)
    yesterday = demo.ctx.today() - timedelta(days=1)
    rows = review.day_queue(demo.as_("8009"), business_day=yesterday)
    assert {r.kind for r in rows} == {"cash_move", "cash_count", "handover"}
    assert all(r.state in ("ok", "exception") for r in rows)
    [open_] = review.open_exceptions(demo.as_("8001"))
    assert (open_.owner, open_.category, open_.target_day) == ("8004", "wrong_amount", yesterday)
    assert [e.ref for e in review.mine(demo.as_("8004"))] == [open_.ref]
