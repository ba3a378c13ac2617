"""Service orders in the day: archive boxes, paperwork flags, the Z report section, the
export (customer data minimised), open orders at handover and at the close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hallterm.errors import Refused
from hallterm.services import export, handover, orders
from hallterm.services.day import closing
from tests.orders_fixtures import (
    ADULT_ID,
    NUMBERS,
    OTHER_ID,
    SIMS,
    open_line,
    order_hall,
    person,
)


def _day_with_orders(hall):
    """Three lines (one with paperwork missing), a plan change, a cancellation kept by
    retention, a port-out enquiry without an offer."""
    order_hall(hall)
    a = open_line(hall, sim=0)
    open_line(hall, sim=1, holder=person(OTHER_ID, "李四"))
    b = orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[2],
                        plan="PLAN-5G-59", payments=[orders_cash()],
                        paperwork=orders.Paperwork(id_copy=True))
    orders.plan_change(hall.clerk, counter=1, number=a.number, holder=person(),
                       plan="PLAN-5G-129", paperwork=orders.Paperwork(form_signed=True))
    orders.cancel_line(hall.clerk, counter=1, number=a.number, holder=person(),
                       retention=orders.Retention("stayed", offer="half price", reason="cost"))
    orders.port_out(hall.clerk, counter=1, number=a.number, holder=person(),
                    retention=orders.Retention("left", heard=False),
                    paperwork=orders.Paperwork(form_signed=True))
    return b


def orders_cash():
    from hallterm.services.sales import PaymentIn

    return PaymentIn("cash", 6900, 6900)


def test_forms_are_filed_in_numbered_boxes_by_the_hall_setting(hall):
    from hallterm.context import run_write
    from hallterm.hallconfig import load_hall_file
    from hallterm.services.hall import write_hall
    from tests.orders_fixtures import ROOT

    config = load_hall_file(ROOT / "data" / "hall.toml")
    config = config.model_copy(update={"thresholds": config.thresholds.model_copy(
        update={"archive_box_size": 2})})
    run_write(hall.manager, "hall.load", lambda uow: write_hall(uow, config, source="t"))
    b = _day_with_orders(hall)
    day = orders.archive(hall.clerk, business_day=hall.ctx.today())
    assert [(x.box_no, [f.position for f in x.forms]) for x in day.boxes] == [
        ("A20261125-01", [1, 2]), ("A20261125-02", [1, 2]), ("A20261125-03", [1])]
    # the retained cancellation is not filed; the third line lacks its form and photo
    assert [f.kind for x in day.boxes for f in x.forms] == [
        "new_line", "new_line", "new_line", "plan_change", "port_out"]
    assert [(box, f.order_no, f.missing) for box, f in day.incomplete] == [
        ("A20261125-02", b.order_no, ("form_signed", "photo"))]
    orders.set_paperwork(hall.clerk, order_no=b.order_no, form_signed=True, photo=True)
    assert orders.archive(hall.clerk, business_day=hall.ctx.today()).incomplete == ()


def test_the_z_section_counts_kinds_clerks_retention_and_incomplete_paperwork(hall):
    b = _day_with_orders(hall)
    with hall.ctx.store.read() as session:
        figs = orders.day.compute(session, hall.ctx.today())
    assert figs["by_kind"] == {"cancel": {"retained": 1}, "new_line": {"completed": 3},
                               "plan_change": {"completed": 1}, "port_out": {"completed": 1}}
    assert figs["by_clerk"] == {"8010": 6}
    assert figs["retention"] == {"cancel": {"attempts": 1, "heard": 1, "stayed": 1},
                                 "port_out": {"attempts": 1, "heard": 0, "left": 1}}
    assert [x["order_no"] for x in figs["incomplete"]] == [b.order_no]
    text = "\n".join(orders.day.render(figs))
    assert "Port-out enquiry: 1 attempts, offer heard 0, stayed 0, went ahead 1" in text
    assert f"{b.order_no} (A20261125-01 #3): signed form, photo" in text


def test_the_export_carries_orders_minimised(hall, tmp_path):
    _day_with_orders(hall)
    hall.clock.set(hall.clock.now().replace(hour=18, minute=0))
    closed = closing.close_day(hall.manager, reports_dir=tmp_path / "r", force=True,
                               reason="test")
    report = Path(closed.text_file).read_text(encoding="utf-8")
    assert "Service orders" in report and "Retention attempts:" in report
    result = export.export_days(hall.ctx, to=tmp_path / "hq")
    folder = Path(result.days[0].folder)
    desc = json.loads((folder / "datapackage.json").read_text())
    names = {r["name"] for r in desc["resources"]}
    assert {"service_orders", "retention_attempts", "archive_positions"} <= names
    rows = (folder / "service_orders.csv").read_text(encoding="utf-8")
    assert "138****0000" in rows and NUMBERS[0] not in rows
    whole = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file())
    assert ADULT_ID not in whole and NUMBERS[0] not in whole and "13912345678" not in whole


def test_an_open_order_passes_at_handover_and_blocks_the_close(hall, tmp_path):
    order_hall(hall)
    done = orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[0],
                           plan="PLAN-5G-59")
    items = handover.pending(hall.manager, counter=1)
    mine = [i for i in items if i.kind == "service_order"]
    assert [i.reference for i in mine] == [done.order_no]
    assert "first payment due" in handover.describe(mine[0])
    blockers = closing.blockers(hall.manager, hall.ctx.today())
    assert any(done.order_no in b for b in blockers)
    hall.clock.set(hall.clock.now().replace(hour=18, minute=0))
    with pytest.raises(Refused, match=done.order_no):
        closing.close_day(hall.manager, reports_dir=tmp_path / "r")
    orders.withdraw(hall.clerk, order_no=done.order_no, reason="customer left")
    assert not any(done.order_no in b for b in closing.blockers(hall.manager,
                                                                hall.ctx.today()))


def test_the_audit_review_lists_every_order_with_its_flags(hall):
    from hallterm.services import review

    b = _day_with_orders(hall)
    auditor = hall.add("8009", "auditor")
    rows = [r for r in review.day_queue(auditor, business_day=hall.ctx.today())
            if r.kind == "order"]
    assert len(rows) == 6 and all(r.owner == "8010" for r in rows)
    third = next(r for r in rows if r.reference == b.order_no)
    assert "paperwork missing: signed form, photo" in third.flags
    assert third.where == f"hallterm order show {b.order_no}"
    assert NUMBERS[2] not in third.summary and "138****0002" in third.summary
    port_out = next(r for r in rows if r.summary.startswith("Port-out enquiry"))
    assert "retention: went ahead (no offer heard)" in port_out.flags
