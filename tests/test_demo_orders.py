"""The demo hall's customers and lines: a new line, a plan change and a SIM swap can be tried
at once at counter 2, and one customer is already at the 一证五号 cap."""

from __future__ import annotations

import pytest

from hallterm.errors import Refused
from hallterm.seeds import orders as seeded
from hallterm.services import catalog, customers, orders, stock
from hallterm.services.sales import PaymentIn
from tests.keeper_fixtures import make_demo


@pytest.fixture
def demo(tmp_path):
    made = make_demo(tmp_path)
    yield made
    made.ctx.store.dispose()


def person(who: tuple) -> customers.Person:
    return customers.Person(*who)


def test_the_demo_ids_are_checksummed_and_fictitious_customers_are_masked(demo):
    for who in (seeded.WANG_FANG, seeded.CHEN_WEI, seeded.LI_XIAOMING, seeded.LI_QIANG,
                seeded.NEW_CUSTOMER):
        assert customers.check_id(who[1], "resident").number == who[1]
    liu = demo.as_("8005", counter=2)
    found = customers.find(liu, number=seeded.WANG_FANG[1])
    assert [c.id_masked for c in found] == [customers.mask_id(seeded.WANG_FANG[1])]
    assert customers.find(liu, number=seeded.NEW_CUSTOMER[1]) == []


def test_new_line_plan_change_and_sim_swap_at_once_and_the_cap(demo):
    liu = demo.as_("8005", counter=2)
    sims = [s for line in stock.custody(liu, counter=2).lines if line.sku == "SIM-5G"
            for s in line.serials]
    assert len(sims) >= 3 and len(orders.free_numbers(liu)) >= 3
    sim_fen = catalog.lookup(liu, code="SIM-5G").price_fen
    fee = catalog.lookup(liu, code="PLAN-5G-59").price_fen
    made = orders.new_line(liu, counter=2, holder=person(seeded.NEW_CUSTOMER), iccid=sims[0],
                           plan="PLAN-5G-59", payments=[PaymentIn("cash", sim_fen + fee,
                                                                  20_000)])
    assert made.state == "completed"
    wang = customers.find(liu, number=seeded.WANG_FANG[1])[0]
    number = orders.lines_of(liu, customer_id=wang.id)[0].number
    changed = orders.plan_change(liu, counter=2, number=number, plan="PLAN-5G-129",
                                 holder=person(seeded.WANG_FANG))
    assert changed.effective
    swapped = orders.sim_replace(liu, counter=2, number=number, iccid=sims[1],
                                 holder=person(seeded.WANG_FANG),
                                 payments=[PaymentIn("cash", sim_fen, sim_fen)])
    assert swapped.state == "completed"
    chen = customers.find(liu, number=seeded.CHEN_WEI[1])[0]
    assert len(orders.lines_of(liu, customer_id=chen.id)) == 5
    with pytest.raises(Refused, match="5"):
        orders.new_line(liu, counter=2, holder=person(seeded.CHEN_WEI), iccid=sims[2],
                        plan="PLAN-5G-59")
