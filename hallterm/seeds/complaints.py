"""Demo complaints: one in every stage and state, one overdue, one repeat, one offered on.

Taken by the complaints desk 8006 (counter 5) unless said otherwise: just opened;
accepted; explained; a resolution proposed with a bill credit the duty manager 8002
approved; waiting for the customer (paused); appealed to the regulator; closed with
the customer satisfied; one passed on from the hotline three days ago with nothing
done — overdue, escalated past the duty manager to the hall manager — from the same
phone as the first, so it is flagged as a repeat; and one offered to the retention
clerk 8007, not yet accepted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hallterm.context import Ctx

ORDER = 50
DEMO_PIN = "246810"


def seed(ctx: Ctx) -> None:
    """Open the demo's complaints and take each to its stage (needs the demo staff)."""
    from hallterm.services import complaints, sales
    from hallterm.services.staff import approve, authenticate

    zhao = replace(ctx.as_actor(authenticate(ctx, empno="8006", pin=DEMO_PIN, purpose="demo")),
                   counter=5)

    def new(phone: str, category: str, text: str, **kw) -> str:
        return complaints.open_complaint(zhao, customer=complaints.Customer(phone),
                                         category=category, text=text, **kw).number

    def stages(number: str, *done: str) -> None:
        for n, what in enumerate(done, start=1):
            complaints.record_stage(zhao, number=number, stage=n, done=what)

    overdue_phone = "13800138000"
    data_pack = sales.list_sales(ctx, counter=1)[-1].receipt_no  # the sales seed's first sale
    new(overdue_phone, "billing", "流量包扣费两次 The 10 GB data pack was charged twice",
        receipt=data_pack)
    accepted = new("13911112222", "network", "小区晚上没有信号 No signal at home in the evening")
    stages(accepted, "记录地址与时段 Took the address and the hours")
    explained = new("13622223333", "service", "营业员态度差 The clerk at counter 2 was rude")
    stages(explained, "致歉并记录 Apologised and took the details",
           "说明排队规则 Explained how the queue calls VIP tickets")
    proposed = new("13733334444", "goods", "新手机屏幕有坏点 Dead pixels on the new handset")
    stages(proposed, "检测确认 Checked the screen: dead pixels",
           "说明保修政策 Explained the warranty", "换新机并补偿话费 New handset and a bill credit")
    complaints.compensate(zhao, number=proposed, kind="credit", amount_fen=5000,
                          description="话费补偿 ¥50 bill credit",
                          approver=approve(zhao, action="complaint.compensation", empno="8002",
                                           pin=DEMO_PIN))
    paused = new("13544445555", "broadband", "宽带经常掉线 The broadband drops every hour")
    stages(paused, "预约上门检测 Booked an engineer's visit")
    complaints.pause(zhao, number=paused, waiting_for="客户确认上门时间 The customer to confirm "
                     "a visit time")
    appealed = new("13655556666", "billing", "国际漫游费用争议 Disputes the roaming charges")
    stages(appealed, "调取话单 Pulled the call records", "解释计费 Explained the charges")
    complaints.appeal(zhao, number=appealed, reference="工信部申诉 GXB-2026-1130-017")
    closed = new("13766667777", "business", "套餐变更未生效 The plan change did not take effect")
    stages(closed, "核实工单 Checked the order", "说明生效时间 Explained it starts next month",
           "立即生效并退差价 Made it effective now, refunded the difference")
    complaints.close(zhao, number=closed, result="satisfied",
                     summary="客户满意 Customer satisfied on the follow-up call")
    new(overdue_phone, "billing", "热线转来：扣费仍未退回 From the hotline: the double charge is "
        "still not refunded", channel="phone", received_at=ctx.now() - timedelta(days=3))
    offered = new("13877778888", "other", "想取消增值业务 Wants value-added services cancelled")
    stages(offered, "记录业务清单 Listed the services")
    complaints.transfer(zhao, number=offered, to="8007", reason="维系岗处理退订 Retention "
                        "handles cancellations")
