"""Shared set-up for the service order tests: plans in the catalog, SIMs in counter 1's
custody kept by an acceptance clerk (8010), a retention clerk (8011), a number pool, and
checksummed fictitious identities."""

from __future__ import annotations

from pathlib import Path

from stdnum.cn import ric

from hallterm.seeds.stock import make_iccid
from hallterm.services import catalog, customers, orders, stock
from hallterm.services.sales import PaymentIn
from hallterm.services.stock import LineIn

ROOT = Path(__file__).parent.parent
PIN = "246810"
SIMS = [make_iccid(900 + i) for i in range(10)]
NUMBERS = [f"1380013{i:04d}" for i in range(12)]
FIRST_MONTH_FEN = 1000 + 5900  # SIM-5G and PLAN-5G-59


def gb(first17: str) -> str:
    """A GB 11643 number with its check digit."""
    return first17 + ric.calc_check_digit(first17 + "0")


ADULT_ID = gb("11010119900307123")
OTHER_ID = gb("44010619850512456")
AGENT_ID = gb("31010419781130789")
MINOR_ID = gb("11010120150601234")  # eleven years old on 25 Nov 2026
CHILD_ID = gb("11010120120202345")  # fourteen


def person(number: str = ADULT_ID, name: str = "张三", doc_type: str = "resident",
           phone: str | None = "13912345678") -> customers.Person:
    return customers.Person(doc_type, number, name, phone)


def cash(amount_fen: int = FIRST_MONTH_FEN, tendered_fen: int | None = 10000) -> list[PaymentIn]:
    return [PaymentIn("cash", amount_fen, tendered_fen)]


def order_hall(hall):
    """Catalog loaded; 8010 (acceptance) keeps counter 1 (open) holding 8 SIM cards; the
    pool holds ``NUMBERS``."""
    from hallterm.services import queue
    from hallterm.services.staff import confirm_person

    catalog.load_catalog(hall.manager, path=ROOT / "data" / "catalog.toml")
    keeper = hall.add("8008", "warehouse")
    hall.clerk = hall.add("8010", "acceptance")
    hall.retention = hall.add("8011", "retention")
    hall.add("8002", "duty_manager")
    stock.receive(keeper, document_no="DN-O1", supplier="GD SIM",
                  lines=[LineIn("SIM-5G", s) for s in SIMS])
    queue.set_counter_state(hall.manager, counter=1, state="open", clerk="8010")
    receiver = confirm_person(keeper, empno="8010", pin=PIN)
    stock.issue(keeper, counter=1, receiver=receiver,
                lines=[LineIn("SIM-5G", s) for s in SIMS[:8]])
    orders.add_numbers(hall.manager, numbers=NUMBERS)
    return hall


def open_line(hall, *, sim: int = 0, number: str | None = None, holder=None, **kw):
    """A completed new line at counter 1 (paid in cash)."""
    return orders.new_line(hall.clerk, counter=1, holder=holder or person(), iccid=SIMS[sim],
                           plan="PLAN-5G-59", number=number, payments=cash(),
                           paperwork=orders.Paperwork(True, True, True), **kw)
