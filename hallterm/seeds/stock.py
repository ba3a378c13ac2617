"""Demo stock: load the catalog, receive a delivery, issue some to counters 1-3.

The warehouse clerk 8008 receives handsets, SIM cards, valuable cards (witnessed
by the duty manager 8002) and accessories; counters 1-3 take some into custody,
confirmed by their clerks (8004 sales, 8005 acceptance, 8006 complaints).
"""

from __future__ import annotations

from hallterm.context import Ctx

ORDER = 30
DEMO_PIN = "246810"


def make_imei(n: int, prefix: str = "35") -> str:
    """A valid IMEI (with its check digit) numbered ``n`` under a TAC-like ``prefix``."""
    from stdnum import luhn

    body = f"{prefix}{n:0{14 - len(prefix)}d}"
    return body + luhn.calc_check_digit(body)


def make_iccid(n: int, prefix: str = "898600") -> str:
    """A valid 20-digit ICCID numbered ``n`` (Luhn check digit)."""
    from stdnum import luhn

    body = f"{prefix}{n:0{19 - len(prefix)}d}"
    return body + luhn.calc_check_digit(body)


def seed(ctx: Ctx) -> None:
    """Catalog, one delivery, and custody for counters 1-3 (needs the demo staff)."""
    from hallterm import paths
    from hallterm.catalog import parse_catalog
    from hallterm.context import run_write
    from hallterm.services import stock
    from hallterm.services.catalog import write_catalog
    from hallterm.services.staff import approve, authenticate, confirm_person

    path = paths.shipped_data() / "catalog.toml"
    entries = parse_catalog(path)
    run_write(ctx, "catalog.load", lambda uow: write_catalog(uow, entries, source=str(path)))
    clerk = ctx.as_actor(authenticate(ctx, empno="8008", pin=DEMO_PIN, purpose="demo"))
    witness = approve(clerk, action="stock.valuable_card", empno="8002", pin=DEMO_PIN)
    handsets = [make_imei(100 + i, "35209900") for i in range(6)] + [
        make_imei(200 + i, "86798004") for i in range(4)]
    seniors = [make_imei(300 + i, "86451203") for i in range(6)]
    sims = [make_iccid(5000 + i) for i in range(20)]
    cards50 = [f"VC50A{1000 + i}" for i in range(10)]
    cards100 = [f"VC100A{2000 + i}" for i in range(10)]
    lines = ([stock.LineIn("HS-HW-M60", s) for s in handsets[:6]]
             + [stock.LineIn("HS-XM-14", s) for s in handsets[6:]]
             + [stock.LineIn("HS-ZTE-K1", s) for s in seniors]
             + [stock.LineIn("SIM-5G", s) for s in sims]
             + [stock.LineIn("VC-50", s) for s in cards50]
             + [stock.LineIn("VC-100", s) for s in cards100]
             + [stock.LineIn("ACC-CHG-65W", None, 12), stock.LineIn("ACC-CABLE-C", None, 30),
                stock.LineIn("ACC-CASE", None, 20)])
    stock.receive(clerk, document_no="DN-20261125-001", supplier="广东终端公司 GD Devices",
                  lines=lines, witness=witness)
    for counter, empno, first in ((1, "8004", 0), (2, "8005", 2), (3, "8002", 4)):
        receiver = confirm_person(clerk, empno=empno, pin=DEMO_PIN, purpose="stock.issue")
        issue = [stock.LineIn("HS-HW-M60", handsets[first]),
                 stock.LineIn("HS-ZTE-K1", seniors[counter - 1]),
                 stock.LineIn("SIM-5G", sims[counter * 3]),
                 stock.LineIn("SIM-5G", sims[counter * 3 + 1]),
                 stock.LineIn("VC-50", cards50[counter]),
                 stock.LineIn("ACC-CABLE-C", None, 3)]
        stock.issue(clerk, counter=counter, lines=issue, receiver=receiver, witness=witness)
