"""Demo customers and lines: a number pool, SIM cards at counter 2, customers with lines.

Counter 2 is the acceptance counter (8005 刘受理 Liu): it gets SIM cards into its
custody, so a new line and a SIM swap can be tried at once. The customers have
real-format, checksummed but fictitious resident ID numbers (GB 11643 check digit,
real birth dates, Guangzhou Tianhe's area code); the acceptance guide lists them:

- 王芳 Wang Fang: one line (try a plan change or a SIM swap on it);
- 陈伟 Chen Wei: five lines, the 一证五号 cap (a sixth is refused with the count);
- 李小明 Li Xiaoming, a minor, one line opened with his guardian 李强 Li Qiang;
- 赵磊 Zhao Lei is not a customer yet (``NEW_CUSTOMER``): open his first line.
"""

from __future__ import annotations

from stdnum.cn import ric

from hallterm.context import Ctx

ORDER = 50
DEMO_PIN = "246810"
POOL = [f"1852000{n:04d}" for n in range(1, 31)]  # the hall's number pool (fictitious)


def gb11643(first17: str) -> str:
    """A resident ID number with its GB 11643 check digit (``calc_check_digit`` reads the
    first 17 characters of an 18-character number)."""
    return first17 + ric.calc_check_digit(first17 + "0")


WANG_FANG = ("resident", gb11643("44010619850315002"), "王芳", "13900001111")
CHEN_WEI = ("resident", gb11643("44010619780722003"), "陈伟", "13900002222")
LI_XIAOMING = ("resident", gb11643("44010620140910004"), "李小明", None)
LI_QIANG = ("resident", gb11643("44010619800101005"), "李强", "13900003333")
NEW_CUSTOMER = ("resident", gb11643("44010619950620006"), "赵磊", "13900004444")


def seed(ctx: Ctx) -> None:
    """The pool, SIMs into counter 2's custody, and the customers' lines (completed)."""
    from hallterm.seeds.stock import make_iccid
    from hallterm.services import catalog, customers, stock
    from hallterm.services.orders import Paperwork, add_numbers, new_line
    from hallterm.services.sales import PaymentIn
    from hallterm.services.staff import authenticate, confirm_person

    add_numbers(ctx, numbers=POOL)
    keeper = ctx.as_actor(authenticate(ctx, empno="8008", pin=DEMO_PIN, purpose="demo"))
    sims = [make_iccid(6000 + i) for i in range(20)]
    stock.receive(keeper, document_no="DN-20261125-SIM", supplier="广东卡商 GD SIM Cards",
                  lines=[stock.LineIn("SIM-5G", s) for s in sims])
    receiver = confirm_person(keeper, empno="8005", pin=DEMO_PIN, purpose="stock.issue")
    stock.issue(keeper, counter=2, receiver=receiver,
                lines=[stock.LineIn("SIM-5G", s) for s in sims[:16]])

    liu = ctx.as_actor(authenticate(ctx, empno="8005", pin=DEMO_PIN, purpose="demo"))
    paper = Paperwork(id_copy=True, form_signed=True, photo=True)

    def person(who: tuple) -> customers.Person:
        return customers.Person(*who)

    def open_line(holder: tuple, sim: str, number: str, plan: str = "PLAN-5G-59",
                  **parties) -> None:
        due = sum(catalog.lookup(liu, code=sku).price_fen for sku in ("SIM-5G", plan))
        new_line(liu, counter=2, holder=person(holder), iccid=sim, plan=plan,
                        number=number, paperwork=paper, payments=[PaymentIn(
                            "wechat", due, reference=f"WX-DEMO-{number}")], **parties)

    open_line(WANG_FANG, sims[0], POOL[0])
    for i in range(5):  # the cap
        open_line(CHEN_WEI, sims[1 + i], POOL[1 + i], plan="PLAN-BASIC-8" if i else "PLAN-5G-129")
    open_line(LI_XIAOMING, sims[6], POOL[6], guardian=person(LI_QIANG))

