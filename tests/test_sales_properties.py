"""Properties: money in = money recorded by method; no sale's lines and payments disagree."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallterm.errors import BadInput
from hallterm.services import cash, sales
from hallterm.services.sales import PaymentIn
from tests.conftest import make_hall
from tests.sales_fixtures import item_line, stock_hall

METHODS = ("card", "wechat", "alipay")


@st.composite
def payment_plans(draw):
    """A cart of accessories and services, and how the customer splits the payment."""
    cables = draw(st.integers(0, 2))
    cases = draw(st.integers(0, 2))
    data = draw(st.integers(0 if cables + cases else 1, 2))
    shares = draw(st.lists(st.tuples(st.sampled_from(METHODS), st.integers(1, 100)),
                           max_size=2))
    extra = draw(st.integers(0, 50_000))
    return cables, cases, data, shares, extra


@given(plan=payment_plans())
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_settle_is_exact(plan):
    cables, cases, data, shares, extra = plan
    due = cables * 3900 + cases * 4900 + data * 3000
    others, left = [], due
    for i, (method, pct) in enumerate(shares):
        amount = min(left, max(1, due * pct // 300))
        if amount > 0:
            others.append(PaymentIn(method, amount, reference=f"R{i}"))
            left -= amount
    try:
        pays = sales.split_cash_rest(due, others, left + extra)
    except BadInput:
        return
    settled = sales.settle(due, pays)
    assert sum(p.amount_fen for p in settled.payments) == due
    if left:
        assert settled.change_fen == extra and settled.tendered_fen == left + extra


def test_money_in_equals_money_by_method(tmp_path):
    """Many random sales on one store: drawer and per-method sums agree with the lines."""
    hall = make_hall(tmp_path)
    stock_hall(hall)
    ctx = hall.sales
    taken = {"cash": 0, "card": 0, "wechat": 0, "alipay": 0}

    @given(plan=payment_plans())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    def one_sale(plan):
        cables, cases, data, shares, extra = plan
        lines = []
        if cables:
            lines.append(item_line(ctx, "ACC-CABLE-C", quantity=1))
        if cases:
            lines.append(item_line(ctx, "ACC-CASE", quantity=1))
        if data or not lines:
            lines.append(item_line(ctx, "SVC-DATA-10G", quantity=max(1, data)))
        due = sales.cart_total(lines)
        others, left = [], due
        for i, (method, pct) in enumerate(shares):
            amount = min(left, max(1, due * pct // 300))
            if amount > 0:
                others.append(PaymentIn(method, amount, reference=f"R{i}"))
                left -= amount
        pays = sales.split_cash_rest(due, others, left + extra)
        try:
            sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, payments=pays)
        except BadInput:  # out of stock at the counter: a refused sale records nothing
            return
        for p in pays:
            taken[p.method] += p.amount_fen

    try:
        one_sale()
    finally:
        rows = sales.list_sales(ctx)
        recorded = {m: 0 for m in taken}
        for row in rows:
            view = sales.get_sale(ctx, receipt_no=row.receipt_no)
            assert sum(x.total_fen for x in view.lines) == view.total_fen
            assert sum(p.amount_fen for p in view.payments) == view.total_fen
            for p in view.payments:
                recorded[p.method] += p.amount_fen
        assert recorded == taken
        assert cash.expected_cash(ctx, counter=1).expected_fen == taken["cash"]
        hall.ctx.store.dispose()
