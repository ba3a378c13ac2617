"""Shared set-up for the sales tests: a catalog, stock at counter 1, a clerk, a duty manager."""

from __future__ import annotations

from pathlib import Path

from hallterm.seeds.stock import make_iccid, make_imei
from hallterm.services import catalog, stock
from hallterm.services.stock import LineIn

ROOT = Path(__file__).parent.parent
PIN = "246810"
HANDSETS = [make_imei(500 + i) for i in range(4)]
SIMS = [make_iccid(700 + i) for i in range(4)]


def stock_hall(hall):
    """Catalog loaded; 8004 (sales) keeps counter 1 (open) and holds 3 handsets, 2 SIMs
    and accessories there."""
    from hallterm.services import queue

    catalog.load_catalog(hall.manager, path=ROOT / "data" / "catalog.toml")
    clerk = hall.add("8008", "warehouse")
    hall.sales = hall.add("8004", "sales")
    hall.other = hall.add("8005", "sales")
    hall.add("8002", "duty_manager")
    stock.receive(clerk, document_no="DN-T1", supplier="GD Devices",
                  lines=[LineIn("HS-HW-M60", s) for s in HANDSETS]
                  + [LineIn("SIM-5G", s) for s in SIMS]
                  + [LineIn("ACC-CABLE-C", None, 20), LineIn("ACC-CASE", None, 10)])
    from hallterm.services.staff import confirm_person

    # Only a counter's keeper takes stock into its custody and sells there.
    queue.set_counter_state(hall.manager, counter=1, state="open", clerk="8004")
    receiver = confirm_person(clerk, empno="8004", pin=PIN)
    stock.issue(clerk, counter=1, receiver=receiver,
                lines=[LineIn("HS-HW-M60", s) for s in HANDSETS[:3]]
                + [LineIn("SIM-5G", s) for s in SIMS[:2]]
                + [LineIn("ACC-CABLE-C", None, 10), LineIn("ACC-CASE", None, 5)])
    return hall


def approver(ctx, action="sale.void", empno="8002"):
    from hallterm.services.staff import approve

    return approve(ctx, action=action, empno=empno, pin=PIN)


def item_line(ctx, code, *, serial=None, quantity=1):
    from hallterm.services.sales import line_from_item

    return line_from_item(catalog.lookup(ctx, code=code), serial=serial, quantity=quantity)
