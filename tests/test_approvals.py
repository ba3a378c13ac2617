"""One second-person rule for every area (services.approvals): sales, cash, stock, staff."""

from __future__ import annotations

import pytest

from hallterm.context import Actor
from hallterm.errors import ApprovalRequired, BadInput, Forbidden
from hallterm.services import approvals, cash, staff
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.sales_fixtures import stock_hall

CLERK = Actor(7, "8001", "Clerk Li", frozenset({"sales"}))
DUTY = Actor(8, "8002", "Duty Wang", frozenset({"duty_manager"}))
KEEPER = Actor(9, "8003", "Keeper Zhao", frozenset({"warehouse"}))


@pytest.mark.parametrize(("action", "words"), [
    ("sale.void", "the duty manager's approval"),
    ("stock.write_off", "a second person's PIN"),
    ("cash.move_large", "a second person's approval"),
    ("handover.witness", "a second person's approval"),
])
def test_a_missing_second_person_is_asked_for_in_the_areas_words(hall, action, words):
    with pytest.raises(ApprovalRequired, match=words):
        approvals.check_second(hall.ctx.as_actor(CLERK), None, action)


def test_nobody_approves_their_own_action(hall):
    with pytest.raises(Forbidden, match="cannot approve your own"):
        approvals.check_second(hall.ctx.as_actor(DUTY), DUTY, "sale.refund")


def test_a_role_that_may_not_approve_is_refused_naming_the_roles_it_needs(hall):
    with pytest.raises(Forbidden, match=r"Keeper Zhao \(8003\) may not approve this; it needs: "
                                        r"Hall manager$"):
        approvals.check_second(hall.ctx.as_actor(CLERK), KEEPER, "stock.write_off")
    assert approvals.check_second(hall.ctx.as_actor(CLERK), DUTY, "sale.void") is DUTY


def test_an_action_without_a_rule_is_refused(hall):
    with pytest.raises(BadInput):
        approvals.check_second(hall.ctx.as_actor(CLERK), DUTY, "sale.giveaway")


def test_cash_and_staff_refuse_the_same_way(hall):
    stock_hall(hall)
    clerk = hall.sales
    hall.add("8102", "warehouse", name="Keeper Qian")
    keeper = staff.confirm_person(clerk, empno="8102", pin=STAFF_PIN)
    cash.move_cash(clerk, counter=1, kind="float", reason="", amount_fen=50_000)
    with pytest.raises(Forbidden, match="it needs: Hall manager, Duty manager"):
        cash.move_cash(clerk, counter=1, kind="in", reason="change_fund", amount_fen=900_000,
                       approver=keeper)
    with pytest.raises(Forbidden, match="it needs: Hall manager, Duty manager"):
        staff.approve(clerk, action="cash.move_large", empno="8102", pin=STAFF_PIN)
    with pytest.raises(Forbidden, match="cannot approve your own"):
        staff.approve(hall.manager, action="cash.move_large", empno="9001", pin=MANAGER_PIN)
