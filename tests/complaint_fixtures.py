"""A hall with complaint staff: a complaints clerk at counter 5, two more clerks, managers."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tests.conftest import Hall

PHONE = "13812345678"


@dataclass
class Desk:
    """The hall and contexts acting as its complaint people."""

    hall: Hall
    zhao: object  # complaints clerk 7001 at counter 5
    sun: object  # retention clerk 7002 at counter 6
    chen: object  # sales clerk 7003
    duty: object  # duty manager 7009
    manager: object  # hall manager 9001

    def as_(self, empno: str, counter: int | None = None):
        return replace(self.hall.as_(empno), counter=counter)


def make_desk(hall: Hall) -> Desk:
    zhao = replace(hall.add("7001", "complaints", name="Zhao"), counter=5)
    sun = replace(hall.add("7002", "retention", name="Sun"), counter=6)
    chen = hall.add("7003", "sales", name="Chen")
    duty = hall.add("7009", "duty_manager", name="Duty Du")
    return Desk(hall, zhao, sun, chen, duty, hall.manager)


def open_one(ctx, *, phone: str = PHONE, category: str = "billing",
             text: str = "Charged twice for the data pack", **kw) -> str:
    from hallterm.services import complaints

    return complaints.open_complaint(ctx, customer=complaints.Customer(phone), category=category,
                                     text=text, **kw).number


def to_stage(ctx, number: str, stage: int) -> None:
    """Record stages 1..``stage`` with a line each."""
    from hallterm.services import complaints

    for n in range(1, stage + 1):
        complaints.record_stage(ctx, number=number, stage=n, done=f"stage {n} done")


def a_receipt(hall) -> str:
    """A receipt the hall issued: a case sold at counter 1 (the hall stocked for sales)."""
    from hallterm.services import sales
    from tests.sales_fixtures import item_line, stock_hall

    stock_hall(hall)
    line = item_line(hall.sales, "ACC-CASE")
    return sales.complete_sale(hall.sales, counter=1, visit_id=None, lines=[line], payments=[
        sales.PaymentIn("cash", sales.cart_total([line]))]).receipt_no
