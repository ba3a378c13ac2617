"""An order's people: 代办 (agent) and a minor's guardian, each identity checked."""

from __future__ import annotations

from datetime import date

import pytest

from hallterm.context import run_write
from hallterm.errors import BadInput, Refused
from hallterm.services import customers
from hallterm.services.customers import Person
from hallterm.store import execute
from tests.test_customers import NUMBER, PHONE, gb

ON = date(2026, 11, 25)
CHILD = Person("household", gb("11010820150601003"), "小明")
PARENT = Person("resident", NUMBER, "张三", PHONE)
AGENT = Person("resident", gb("44030419850315123"), "李四")
TEEN = Person("resident", gb("44030420100315123"), "王五")


def test_a_minor_needs_an_adult_guardian():
    with pytest.raises(Refused, match="minor: record a guardian") as refused:
        customers.check_parties(CHILD, on=ON)
    assert refused.value.field == "guardian_number"
    with pytest.raises(Refused, match="guardian is a minor"):
        customers.check_parties(CHILD, guardian=TEEN, on=ON)
    with pytest.raises(BadInput, match="customer's own"):
        customers.check_parties(Person("resident", CHILD.number, "小明"),
                                guardian=Person("household", CHILD.number, "小明"), on=ON)
    checked = customers.check_parties(CHILD, guardian=PARENT, on=ON)
    assert checked.minor and checked.guardian is not None


def test_an_agent_is_an_adult_other_than_the_holder_and_both_are_checked():
    checked = customers.check_parties(PARENT, agent=AGENT, on=ON)
    assert not checked.minor and checked.agent.number == AGENT.number
    with pytest.raises(Refused, match="agent is a minor"):
        customers.check_parties(PARENT, agent=TEEN, on=ON)
    with pytest.raises(BadInput, match="customer's own"):
        customers.check_parties(PARENT, agent=PARENT, on=ON)
    wrong = Person("resident", AGENT.number[:-1] + ("0" if AGENT.number[-1] != "0" else "1"),
                   "李四")
    with pytest.raises(BadInput, match=r"^Agent: Wrong check digit") as bad:
        customers.check_parties(PARENT, agent=wrong, on=ON)
    assert bad.value.field == "agent_number"
    with pytest.raises(BadInput, match=r"^Guardian: Type the name") as bad:
        customers.check_parties(CHILD, guardian=Person("resident", NUMBER, ""), on=ON)
    assert bad.value.field == "guardian_name"
    with pytest.raises(BadInput, match="check digit"):  # the holder's own: no prefix
        customers.check_parties(Person("resident", NUMBER[:-1] + "1", "张三"), on=ON)


def test_identify_parties_records_every_person(hall):
    clerk = hall.add("1001", "acceptance")

    def work(uow):
        parties = customers.identify_parties(uow, CHILD, agent=AGENT, guardian=PARENT)
        uow.audit("test.order", payload={"holder": parties.holder_id})
        return parties

    parties = run_write(clerk, "test.order", work)
    ids = {parties.holder_id, parties.agent_id, parties.guardian_id}
    assert len(ids) == 3 and parties.check.minor
    assert customers.view(clerk, parties.guardian_id).id_masked == "110***********002X"
    with pytest.raises(Refused):
        run_write(clerk, "test.order", lambda uow: customers.identify_parties(uow, CHILD))
    with hall.ctx.store.read() as session:
        assert execute(session, "SELECT COUNT(*) FROM customer").scalar() == 3
