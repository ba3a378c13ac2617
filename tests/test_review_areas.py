"""Areas that joined the review after it was built register their records themselves:
complaints (and their compensations) are reviewed like any record."""

from __future__ import annotations

from hallterm.services import complaints, review
from hallterm.services.day import closing, open_day
from hallterm.services.staff import approve
from tests.complaint_fixtures import make_desk, open_one


def test_complaints_and_compensations_go_through_the_loop(hall, tmp_path):
    desk = make_desk(hall)
    number = open_one(desk.zhao)
    complaints.compensate(desk.zhao, number=number, kind="credit", amount_fen=2000,
                          description="bill credit",
                          approver=approve(desk.zhao, action="complaint.compensation",
                                           empno="7009", pin="246810"))
    auditor = hall.add("8009", "auditor")
    day = hall.clock.now().date()
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path / "r")
    hall.clock.advance(hours=15)
    open_day(hall.manager)
    rows = {r.kind: r for r in review.day_queue(auditor, business_day=day)}
    assert rows["complaint"].reference == number and rows["complaint"].owner == "7001"
    assert "Billing" in rows["complaint"].summary and "138" not in rows["complaint"].summary
    comp = rows["compensation"]
    assert (comp.owner, comp.amount_fen) == ("7001", 2000) and "7009" in comp.summary
    review.raise_exception(auditor, business_day=day, ref=comp.ref, category="other",
                           note="no credit note filed")
    assert [e.ref for e in review.mine(desk.zhao)] == [comp.ref]
    review.rectify(desk.zhao, ref=comp.ref, with_record="note", note="credit note filed")
    assert review.accept(auditor, ref=comp.ref).state == "accepted"
    assert review.mark_ok(auditor, business_day=day, ref=f"complaint:{number}").state == "ok"


def test_a_complaints_compensations_are_numbered_from_1_within_it(hall, tmp_path):
    """The trial's first compensation on a complaint read TS2026-00012/2 (the table's id)."""
    desk = make_desk(hall)
    first, second = open_one(desk.zhao), open_one(desk.zhao, phone="13900001111")

    def credit(number: str) -> None:
        complaints.compensate(desk.zhao, number=number, kind="credit", amount_fen=1000,
                              description="bill credit",
                              approver=approve(desk.zhao, action="complaint.compensation",
                                               empno="7009", pin="246810"))

    credit(first)
    credit(second)
    credit(second)
    day = hall.clock.now().date()
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path / "r")
    hall.clock.advance(hours=15)
    open_day(hall.manager)
    auditor = hall.add("8009", "auditor")
    refs = [r.reference for r in review.day_queue(auditor, business_day=day, kind="compensation")]
    assert refs == [f"{first}/1", f"{second}/1", f"{second}/2"]


def test_service_orders_show_their_paperwork_and_archive_box_and_go_through_the_loop(hall,
                                                                                    tmp_path):
    from hallterm.services import orders
    from tests.orders_fixtures import ADULT_ID, SIMS, cash, open_line, order_hall, person

    order_hall(hall)
    whole = open_line(hall, sim=0)
    short = orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[1],
                            plan="PLAN-5G-59", payments=cash(),
                            paperwork=orders.Paperwork(id_copy=True))
    auditor = hall.add("8009", "auditor")
    day = hall.clock.now().date()
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path / "r")
    hall.clock.advance(hours=15)
    open_day(hall.manager)
    rows = {r.reference: r for r in review.day_queue(auditor, business_day=day, kind="order")}
    assert set(rows) == {whole.order_no, short.order_no}
    good, bad = rows[whole.order_no], rows[short.order_no]
    assert good.owner == "8010" and not any("missing" in f for f in good.flags)
    assert any(whole.box_no in f for f in good.flags)  # its archive box
    assert any("paperwork missing" in f and "form" in f.lower() for f in bad.flags)
    assert all(ADULT_ID not in text and ADULT_ID[-4:] not in text
               for r in rows.values() for text in (r.summary, *r.flags))
    review.mark_ok(auditor, business_day=day, ref=good.ref)
    review.raise_exception(auditor, business_day=day, ref=bad.ref,
                           category="missing_paperwork", note="form not signed")
    assert [e.ref for e in review.mine(hall.clerk)] == [bad.ref]
    review.rectify(hall.clerk, ref=bad.ref, with_record="note",
                   note="customer came back and signed; form filed in the box")
    review.reopen(auditor, ref=bad.ref, note="the flag is still missing on the order")
    assert review.mine(hall.clerk)[0].state == "reopened"
