"""Sales (前台销售): the cart's arithmetic, serial holds, completing a sale, voids and refunds.

The cart lives on the screen; its pricing and checks are pure functions here
(``cart_total``, ``settle``), so the screen shows exactly what the service will
write. ``complete_sale`` writes the sale, its lines (catalog price copied at sale
time; an override or discount records the original price and the approver), its
payments, the stock movements (through the stock ledger), a receipt number from
the gapless allocator and the audit row — in one transaction, all or nothing.

Receipt numbers are ``R<yyyymmdd>-<nnnn>`` per business day of the hall (one store
is one hall), e.g. ``R20261125-0001``; a void keeps its number, marked void
(voids and refunds: ``hallterm.services.reversals``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Forbidden, NotFound, Refused
from hallterm.i18n import N_, _, get_language
from hallterm.models.types import utc_text
from hallterm.money import format_fen
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.keeper import check_early, require_keeper
from hallterm.store import execute
from hallterm.textinput import free_text

CASH = "cash"
METHODS: dict[str, str] = {
    CASH: N_("Cash"),
    "card": N_("Bank card"),
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
}
HOLD_MINUTES = 30  # a serial scanned into a cart is held this long without activity
MAX_QUANTITY = 999


def method_label(method: str) -> str:
    """A payment method in the current language."""
    return _(METHODS.get(method, method))


def receipt_number(day: date, n: int) -> str:
    """The documented receipt format: ``R20261125-0001``."""
    return f"R{day:%Y%m%d}-{n:04d}"


# -- the cart (pure) ---------------------------------------------------------------------
@dataclass(frozen=True)
class CartLine:
    """A line of the cart: an item at its catalog price, or an approved override/discount."""

    sku: str
    name_zh: str
    name_en: str
    kind: str
    list_price_fen: int
    quantity: int = 1
    serial: str | None = None
    unit_price_fen: int | None = None  # None: the catalog price
    discount_fen: int = 0
    approver: Actor | None = None
    reason: str | None = None
    effective_zh: str | None = None
    effective_en: str | None = None

    @property
    def price_fen(self) -> int:
        """The unit price charged."""
        return self.list_price_fen if self.unit_price_fen is None else self.unit_price_fen

    @property
    def total_fen(self) -> int:
        return self.price_fen * self.quantity - self.discount_fen

    @property
    def overridden(self) -> bool:
        return self.price_fen != self.list_price_fen or self.discount_fen > 0

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


def line_from_item(item, *, serial: str | None = None, quantity: int = 1) -> CartLine:
    """A cart line for a catalog item (``services.catalog.Item``)."""
    return CartLine(item.sku, item.name_zh, item.name_en, item.kind, item.price_fen,
                    quantity, serial, effective_zh=item.effective_zh,
                    effective_en=item.effective_en)


def cart_total(lines: Sequence[CartLine]) -> int:
    """What the customer pays for ``lines``."""
    return sum(line.total_fen for line in lines)


def with_quantity(line: CartLine, quantity: int) -> CartLine:
    """The line with a new quantity (a serialised item is always one)."""
    if line.serial is not None and quantity != 1:
        raise BadInput(_("An item with a serial is sold one per line."))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadInput(_("A quantity is 1-{max}.").format(max=MAX_QUANTITY))
    if line.discount_fen > line.price_fen * quantity:
        raise BadInput(_("The discount would be more than the line."))
    return replace(line, quantity=quantity)


def check_override(line: CartLine, *, unit_price_fen: int | None = None, discount_fen: int = 0,
                   reason: str) -> CartLine:
    """Validate a price change before the duty manager is asked (no approver yet).

    Returns the line as it would be priced; raises ``BadInput`` for a negative
    price or discount, a discount larger than the line, or no reason.
    """
    if unit_price_fen is None and not discount_fen:
        raise BadInput(_("Give a new price or a discount."), field="price")
    price = line.price_fen if unit_price_fen is None else unit_price_fen
    if price < 0 or discount_fen < 0:
        raise BadInput(_("A price or discount cannot be negative."),
                       field="price" if price < 0 else "discount")
    if discount_fen > price * line.quantity:
        raise BadInput(_("The discount of {discount} is more than the line ({line}).").format(
            discount=format_fen(discount_fen), line=format_fen(price * line.quantity)),
            field="discount")
    why = free_text(reason, what=_("A reason"), field="reason")
    if not why:
        raise BadInput(_("Give a reason for the price change."), field="reason")
    return replace(line, unit_price_fen=price, discount_fen=discount_fen, reason=why[:200])


def with_override(line: CartLine, *, unit_price_fen: int | None = None, discount_fen: int = 0,
                  approver: Actor, reason: str) -> CartLine:
    """The line at an approved price or with an approved discount (original price kept)."""
    checked = check_override(line, unit_price_fen=unit_price_fen, discount_fen=discount_fen,
                             reason=reason)
    return replace(checked, approver=approver)


@dataclass(frozen=True)
class PaymentIn:
    """One payment as the clerk enters it. Cash gives ``tendered_fen``; others a reference."""

    method: str
    amount_fen: int
    tendered_fen: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Settled:
    """Payments checked against what is due: cash received and change (唱收唱付)."""

    due_fen: int
    payments: tuple[PaymentIn, ...]
    tendered_fen: int  # cash handed over (0 without cash)
    change_fen: int


def change_for(due_fen: int, tendered_fen: int) -> int:
    """The change for ``tendered_fen`` against ``due_fen``; refuses too little."""
    if tendered_fen < due_fen:
        raise BadInput(_("Tendered {tendered} is less than the {due} due.").format(
            tendered=format_fen(tendered_fen), due=format_fen(due_fen)))
    return tendered_fen - due_fen


def settle(due_fen: int, payments: Sequence[PaymentIn]) -> Settled:
    """Check that ``payments`` pay exactly ``due_fen``; fills in cash change.

    Card and QR payments need the terminal's reference number; at most one cash
    payment, whose tendered amount must cover its share.
    """
    if due_fen < 0:
        raise BadInput(_("A sale cannot total less than zero."))
    cash = [p for p in payments if p.method == CASH]
    if len(cash) > 1:
        raise BadInput(_("Take cash once per sale."))
    out: list[PaymentIn] = []
    tendered = change = 0
    for p in payments:
        if p.method not in METHODS:
            raise BadInput(_("Unknown payment method {method}.").format(method=p.method))
        if p.amount_fen <= 0:
            raise BadInput(_("A payment must be more than zero."))
        if p.method == CASH:
            given = p.amount_fen if p.tendered_fen is None else p.tendered_fen
            change = change_for(p.amount_fen, given)
            tendered = given
            out.append(PaymentIn(CASH, p.amount_fen, given, None))
        else:
            ref = (p.reference or "").strip()
            if not ref or len(ref) > 64:
                raise BadInput(_("{method} needs the terminal's reference number (1-64 "
                                 "characters).").format(method=method_label(p.method)))
            out.append(PaymentIn(p.method, p.amount_fen, None, ref))
    paid = sum(p.amount_fen for p in out)
    if paid != due_fen:
        raise BadInput(_("The payments ({paid}) do not match the total due ({due}).").format(
            paid=format_fen(paid), due=format_fen(due_fen)))
    return Settled(due_fen, tuple(out), tendered, change)


def split_cash_rest(due_fen: int, others: Sequence[PaymentIn], tendered_fen: int) -> list[PaymentIn]:
    """Split payment: the non-cash ``others`` first, cash pays the rest from ``tendered_fen``."""
    rest = due_fen - sum(p.amount_fen for p in others)
    if rest < 0:
        raise BadInput(_("The other payments are more than the total."))
    if rest == 0:
        return list(others)
    change_for(rest, tendered_fen)
    return [*others, PaymentIn(CASH, rest, tendered_fen)]


# -- scanning ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """An item offered instead (an alternative or a search hit), with what the counter holds."""

    line: CartLine
    available: int | None  # units in this counter's custody (None: a service)
    serialised: bool


@dataclass(frozen=True)
class Scanned:
    """What a scanned or typed code is at this counter.

    ``line`` is set when the item can go on the cart (a serialised item still
    needs its serial); otherwise ``problem`` says why not (not offered, out of
    stock, unknown) and ``options`` lists the alternatives or, for text that is
    no code, the items whose name matches (主动介绍替代性业务).
    """

    code: str
    line: CartLine | None
    serialised: bool = False
    available: int | None = None
    problem: str | None = None
    options: tuple[Option, ...] = ()
    serials: tuple[str, ...] = ()  # a serialised item's serials in this counter's custody


def _available(session, sku: str, counter: int) -> int:
    value = execute(session, "SELECT quantity FROM stock_balance WHERE sku = :s AND place = :p",
                    {"s": sku, "p": f"counter:{counter}"}).scalar()
    return int(value or 0)


def _option(session, item, counter: int) -> Option:
    avail = _available(session, item.sku, counter) if item.stocked else None
    return Option(line_from_item(item), avail, item.serialised)


def scan(ctx: Ctx, *, counter: int, code: str, in_cart: dict[str, int] | None = None
         ) -> Scanned:
    """Look a scanned barcode / SKU (or a name) up for this counter's cart (one short read).

    ``in_cart`` is how many of each SKU the cart already holds (the stock check).
    """
    require(ctx.actor, "sale.sell")
    from hallterm.services.catalog import _COLUMNS, find_item, item_from_row

    text = (code or "").strip()
    if not text:
        raise BadInput(_("Scan a barcode or type a SKU or a name."))
    with ctx.store.read() as session:
        check_early(session, counter, ctx.actor)  # not this clerk's counter: say so now
        item = find_item(session, text)
        if item is None or not item.active:
            pattern = "%" + text.replace("%", "").replace("_", "") + "%"
            rows = execute(session, f"SELECT {_COLUMNS} FROM catalog_item WHERE active = 1 AND "
                           "offered = 1 AND (sku LIKE :p OR name_zh LIKE :p OR name_en LIKE :p) "
                           "ORDER BY sku LIMIT 9", {"p": pattern}).all()
            hits = tuple(_option(session, item_from_row(r), counter) for r in rows)
            problem = (_("No item matches {text}.").format(text=text) if not hits
                       else _("Choose one of the items matching {text}.").format(text=text))
            return Scanned(text, None, problem=problem, options=hits)
        line = line_from_item(item)
        available = _available(session, item.sku, counter) if item.stocked else None
        problem = None
        if not item.offered:
            problem = _("{name} is not offered in this hall.").format(name=item.name())
        elif available is not None and available - (in_cart or {}).get(item.sku, 0) < 1:
            problem = _("{name} is out of stock at this counter.").format(name=item.name())
        options: tuple[Option, ...] = ()
        if problem:
            alts = [find_item(session, alt) for alt in item.alternatives]
            options = tuple(_option(session, a, counter) for a in alts
                            if a is not None and a.active and a.offered)
            if not options:
                problem += " " + _("The catalog lists no alternative.")
        serials: tuple[str, ...] = ()
        if item.serialised and not problem:
            serials = tuple(r[0] for r in execute(
                session, "SELECT s.serial FROM stock_serial s LEFT JOIN cart_hold h ON "
                "h.serial = s.serial AND h.expires_at > :now AND h.terminal != :t WHERE "
                "s.place = :p AND s.sku = :sku AND h.serial IS NULL ORDER BY s.serial LIMIT 9",
                {"p": f"counter:{counter}", "sku": item.sku, "now": utc_text(ctx.now()),
                 "t": ctx.terminal}).all())
        return Scanned(text, None if problem else line, item.serialised, available, problem,
                       options, serials)


def check_cart(ctx: Ctx, *, counter: int, lines: Sequence[CartLine]) -> None:
    """Check a cart as a line is added or its quantity changed: every stocked item's
    quantity against this counter's custody, so the clerk hears it now, not at payment.

    Refuses (``Refused``) naming the first item the counter does not hold enough of.
    """
    require(ctx.actor, "sale.sell")
    from hallterm.services.catalog import find_item

    wanted: dict[str, int] = {}
    names: dict[str, CartLine] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        names.setdefault(line.sku, line)
    with ctx.store.read() as session:
        for sku, quantity in wanted.items():
            item = find_item(session, sku)
            if item is None or not item.stocked:
                continue
            have = _available(session, sku, counter)
            if quantity > have:
                raise Refused(_("Counter {n} holds only {have} of {name}; the cart would have "
                                "{want}.").format(n=counter, have=have, want=quantity,
                                                  name=names[sku].name(get_language())))


# -- serial holds (reservations) ---------------------------------------------------------
@dataclass(frozen=True)
class Held:
    """A serial checked and held for a cart, with its catalog item."""

    serial: str
    line: CartLine


def _clean(serial: str | None) -> str:
    return (serial or "").strip().replace(" ", "").replace("-", "").upper()


def _serial_problem(session, *, counter: int, sku: str, serial: str, cart_id: str | None,
                    now: datetime, terminal: str) -> str | None:
    row = execute(session, "SELECT sku, place FROM stock_serial WHERE serial = :s",
                  {"s": serial}).first()
    if row is None:
        return _("Serial {serial} is not in this hall's stock.").format(serial=serial)
    if row[0] != sku:
        return _("Serial {serial} belongs to {sku}, not {want}.").format(
            serial=serial, sku=row[0], want=sku)
    if row[1] == "sold":
        return _("Serial {serial} is already sold.").format(serial=serial)
    if row[1] != f"counter:{counter}":
        from hallterm.services.stock import place_label

        return _("Serial {serial} is not in this counter's custody (it is at {place}).").format(
            serial=serial, place=place_label(row[1]))
    hold = execute(session, "SELECT cart_id, terminal, counter FROM cart_hold WHERE serial = :s "
                   "AND expires_at > :now", {"s": serial, "now": utc_text(now)}).first()
    # A hold of this very terminal (a cart left behind by a restart) is no conflict.
    if hold is not None and hold[0] != cart_id and hold[1] != terminal:
        return _("Serial {serial} is in an unfinished sale on terminal {terminal}.").format(
            serial=serial, terminal=hold[1])
    return None


def hold_serial(ctx: Ctx, *, counter: int, code: str, serial: str, cart_id: str) -> Held:
    """Check a scanned serial (in this counter's custody, not sold, not held elsewhere) and hold it.

    ``code`` is the item's SKU or barcode. The hold expires after ``HOLD_MINUTES``.
    """
    require(ctx.actor, "sale.sell")
    text = _clean(serial)
    if not text:
        raise BadInput(_("Scan the serial number."))

    def work(uow: UnitOfWork) -> Held:
        from hallterm.catalog import check_serial
        from hallterm.services.catalog import find_item

        check_early(uow.session, counter, ctx.actor)
        item = find_item(uow.session, code)
        if item is None:
            raise NotFound(_("No catalog item with SKU or barcode {code}.").format(code=code))
        if not item.serialised:
            raise BadInput(_("{sku} has no serial numbers.").format(sku=item.sku))
        number = check_serial(text, kind=item.kind, serial_type=item.serial_type)
        problem = _serial_problem(uow.session, counter=counter, sku=item.sku, serial=number,
                                  cart_id=cart_id, now=uow.now, terminal=ctx.terminal)
        if problem:
            raise Refused(problem)
        expires = uow.now + timedelta(minutes=HOLD_MINUTES)
        uow.sql("INSERT INTO cart_hold (serial, sku, cart_id, counter, terminal, actor, "
                "expires_at) VALUES (:s, :sku, :c, :n, :t, :a, :e) ON CONFLICT(serial) DO "
                "UPDATE SET sku = :sku, cart_id = :c, counter = :n, terminal = :t, actor = :a, "
                "expires_at = :e",
                {"s": number, "sku": item.sku, "c": cart_id, "n": counter,
                 "t": ctx.terminal, "a": ctx.actor.empno, "e": utc_text(expires)})
        uow.audit("sale.hold_serial", entity="serial", entity_id=number,
                  payload={"sku": item.sku, "cart": cart_id, "counter": counter})
        return Held(number, line_from_item(item, serial=number))

    return run_write(ctx, "sale.hold_serial", work)


def release_holds(ctx: Ctx, *, cart_id: str, serials: Sequence[str] | None = None) -> int:
    """Release a cart's holds (all, or ``serials``): a line removed, a cart cleared."""
    require(ctx.actor, "sale.sell")

    def work(uow: UnitOfWork) -> int:
        if serials is None:
            rows = uow.sql("DELETE FROM cart_hold WHERE cart_id = :c RETURNING serial",
                           {"c": cart_id}).all()
        else:
            rows = []
            for s in serials:
                rows += uow.sql("DELETE FROM cart_hold WHERE cart_id = :c AND serial = :s "
                                "RETURNING serial", {"c": cart_id, "s": _clean(s)}).all()
        uow.audit("sale.release_serials", entity="cart", entity_id=cart_id,
                  payload={"serials": [r[0] for r in rows]})
        return len(rows)

    return run_write(ctx, "sale.release_serials", work)


# -- completing a sale -------------------------------------------------------------------
@dataclass(frozen=True)
class SaleDone:
    """A completed sale: what the screen shows and the receipt needs."""

    id: int
    receipt_no: str
    business_day: date
    at: datetime
    counter: int
    visit_id: int
    walk_up: bool
    total_fen: int
    tendered_fen: int
    change_fen: int
    lines: int
    stock_document: str | None


def _walk_up_visit(uow: UnitOfWork, day: date) -> int:
    from hallterm.services.queue import open_walk_up_visit

    return open_walk_up_visit(uow, day)


def complete_sale(ctx: Ctx, *, counter: int, visit_id: int | None, lines: Sequence[CartLine],
                  payments: Sequence[PaymentIn], command_id: str | None = None,
                  cart_id: str | None = None, witness: Actor | None = None,
                  override_reason: str | None = None) -> SaleDone:
    """Write one sale whole: lines, payments, stock, receipt number, audit — or nothing.

    Only the counter's keeper sells there, never while it is being handed over
    (``services.keeper``; a manager only with ``override_reason``).

    Prices are re-read from the catalog in the transaction; a line without an
    approved override is charged the catalog price of that moment, so ``payments``
    must match the total recomputed here. ``witness`` is the second person for
    valuable cards (``stock.valuable_card``). The card/QR payments already taken for
    ``cart_id`` (``services.carts``) are the sale's own: passed again or not, each
    is entered once.
    """
    require(ctx.actor, "sale.sell")
    if not lines:
        raise BadInput(_("The cart is empty."))
    for line in lines:
        if line.overridden:
            approvals.check_second(ctx, line.approver, "sale.price_override")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise BadInput(_("A quantity is 1-{max}.").format(max=MAX_QUANTITY))
    serials = [_clean(x.serial) for x in lines if x.serial]
    if len(set(serials)) != len(serials):
        raise BadInput(_("A serial is on the cart twice."))

    def work(uow: UnitOfWork) -> SaleDone:
        from hallterm.services.catalog import find_item
        from hallterm.services.stock import LineIn, record_sale_movements

        day = uow.open_day()
        require_keeper(uow, counter, action="sale.complete", override_reason=override_reason,
                       during_handover=False)
        priced: list[CartLine] = []
        for line in lines:
            item = find_item(uow.session, line.sku)
            if item is None or not item.active:
                raise Refused(_("{sku} is no longer in the catalog.").format(sku=line.sku))
            if not item.offered:
                raise Refused(_("{name} is not offered in this hall.").format(name=item.name()))
            if item.serialised and not line.serial:
                raise BadInput(_("{name} needs its serial number.").format(name=item.name()))
            if line.serial:
                problem = _serial_problem(uow.session, counter=counter, sku=item.sku,
                                          serial=_clean(line.serial), cart_id=cart_id,
                                          now=uow.now, terminal=ctx.terminal)
                if problem:
                    raise Refused(problem)
            unit = line.unit_price_fen if line.overridden else item.price_fen
            priced.append(replace(line, name_zh=item.name_zh, name_en=item.name_en,
                                  kind=item.kind, list_price_fen=item.price_fen,
                                  unit_price_fen=unit, serial=_clean(line.serial) or None,
                                  effective_zh=item.effective_zh, effective_en=item.effective_en))
        total = cart_total(priced)
        # Card/QR payments already taken for this cart are its payments (entered once).
        from hallterm.services.carts import mark_sold, payments_for_sale

        paying, taken_ids = payments_for_sale(uow, cart_id=cart_id, counter=counter,
                                              payments=payments)
        settled = settle(total, paying)
        if visit_id is None:
            visit, walk_up = _walk_up_visit(uow, day), True
        else:
            if uow.sql("SELECT 1 FROM visit WHERE id = :v", {"v": visit_id}).first() is None:
                raise NotFound(_("No visit {id}.").format(id=visit_id))
            visit, walk_up = visit_id, False
        number = receipt_number(day, uow.next_number(f"receipt:{day.isoformat()}"))
        at = utc_text(uow.now)
        list_total = sum(x.list_price_fen * x.quantity for x in priced)
        sale_id = uow.sql(
            "INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, visit_id, "
            "walk_up, list_total_fen, total_fen, state, reprints) VALUES (:r, :d, :at, :c, :t, "
            ":k, :v, :w, :lt, :tot, 'completed', 0) RETURNING id",
            {"r": number, "d": day.isoformat(), "at": at, "c": counter, "t": ctx.terminal,
             "k": ctx.actor.empno, "v": visit, "w": int(walk_up), "lt": list_total,
             "tot": total}).scalar()
        uow.sql(
            "INSERT INTO sale_line (sale_id, business_day, line_no, sku, name_zh, name_en, kind, "
            "serial, quantity, list_price_fen, unit_price_fen, discount_fen, total_fen, approver, "
            "override_reason, effective_zh, effective_en) VALUES (:s, :d, :n, :sku, :zh, :en, "
            ":k, :serial, :q, :lp, :up, :disc, :tot, :ap, :why, :ezh, :een)",
            [{"s": sale_id, "d": day.isoformat(), "n": i, "sku": x.sku, "zh": x.name_zh,
              "en": x.name_en, "k": x.kind, "serial": x.serial, "q": x.quantity,
              "lp": x.list_price_fen, "up": x.price_fen, "disc": x.discount_fen,
              "tot": x.total_fen, "ap": x.approver.empno if x.overridden else None,
              "why": x.reason if x.overridden else None, "ezh": x.effective_zh,
              "een": x.effective_en} for i, x in enumerate(priced, start=1)])
        if settled.payments:
            uow.sql(
                "INSERT INTO payment (sale_id, business_day, method, amount_fen, tendered_fen, "
                "change_fen, reference) VALUES (:s, :d, :m, :a, :t, :c, :r)",
                [{"s": sale_id, "d": day.isoformat(), "m": p.method, "a": p.amount_fen,
                  "t": p.tendered_fen, "c": (p.tendered_fen - p.amount_fen)
                  if p.method == CASH else None, "r": p.reference} for p in settled.payments])
        mark_sold(uow, cart_id=cart_id, taken_ids=taken_ids, sale_id=sale_id,
                  receipt_no=number)
        doc = record_sale_movements(
            uow, counter=counter, sale_ref=number, witness=witness,
            lines=[LineIn(x.sku, x.serial, x.quantity) for x in priced if x.kind != "service"])
        if serials:
            marks = ", ".join(f":s{i}" for i in range(len(serials)))
            uow.sql(f"DELETE FROM cart_hold WHERE serial IN ({marks})",
                    {f"s{i}": s for i, s in enumerate(serials)})
        overrides = [{"line": i, "sku": x.sku, "list_fen": x.list_price_fen,
                      "price_fen": x.price_fen, "discount_fen": x.discount_fen,
                      "approver": x.approver.empno, "reason": x.reason}
                     for i, x in enumerate(priced, start=1) if x.overridden]
        approver = next((x.approver for x in priced if x.overridden), None)
        for x in priced:  # each override's approval is recorded with the sale it priced
            if x.overridden:
                uow.pin_used(x.approver, for_action="sale.price_override")
        uow.audit("sale.complete", entity="sale", entity_id=number, approver=approver,
                  business_day=day,
                  payload={"counter": counter, "total_fen": total, "lines": len(priced),
                           "visit": visit, "walk_up": walk_up,
                           "payments": [{"method": p.method, "amount_fen": p.amount_fen,
                                         "reference": p.reference} for p in settled.payments],
                           "tendered_fen": settled.tendered_fen,
                           "change_fen": settled.change_fen, "overrides": overrides,
                           "serials": serials, "cart": cart_id, "taken_payments": taken_ids,
                           "stock_document": doc.number if doc else None})
        return SaleDone(sale_id, number, day, uow.now, counter, visit, walk_up, total,
                        settled.tendered_fen, settled.change_fen, len(priced),
                        doc.number if doc else None)

    return run_write(ctx, "sale.complete", work, command_id=command_id, result_type=SaleDone)


# -- reading sales -----------------------------------------------------------------------
@dataclass(frozen=True)
class SaleLineView:
    """A line of a recorded sale, with what was already given back."""

    id: int
    line_no: int
    sku: str
    name_zh: str
    name_en: str
    kind: str
    serial: str | None
    quantity: int
    list_price_fen: int
    unit_price_fen: int
    discount_fen: int
    total_fen: int
    approver: str | None
    override_reason: str | None
    effective_zh: str | None
    effective_en: str | None
    returned: int = 0
    returned_fen: int = 0

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True)
class PaymentView:
    """A payment of a recorded sale."""

    id: int
    method: str
    amount_fen: int
    tendered_fen: int | None
    change_fen: int | None
    reference: str | None
    returned_fen: int = 0


@dataclass(frozen=True)
class ReversalView:
    """A void or refund document."""

    number: str
    kind: str
    business_day: date
    at: datetime
    counter: int
    clerk: str
    approver: str
    reason: str
    amount_fen: int
    stock_document: str | None


@dataclass(frozen=True)
class SaleView:
    """A recorded sale with its lines, payments and voids/refunds."""

    id: int
    receipt_no: str
    business_day: date
    at: datetime
    counter: int
    terminal: str
    clerk: str
    clerk_name: str
    visit_id: int | None
    walk_up: bool
    list_total_fen: int
    total_fen: int
    state: str
    reprints: int
    lines: list[SaleLineView] = field(default_factory=list)
    payments: list[PaymentView] = field(default_factory=list)
    reversals: list[ReversalView] = field(default_factory=list)

    @property
    def returned_fen(self) -> int:
        return sum(r.amount_fen for r in self.reversals)

    @property
    def tendered_fen(self) -> int:
        return sum(p.tendered_fen or 0 for p in self.payments if p.method == CASH)

    @property
    def change_fen(self) -> int:
        return sum(p.change_fen or 0 for p in self.payments if p.method == CASH)


_SALE_COLS = ("s.id, s.receipt_no, s.business_day, s.at, s.counter, s.terminal, s.clerk, "
              "COALESCE(st.name, s.clerk), s.visit_id, s.walk_up, s.list_total_fen, s.total_fen, "
              "s.state, s.reprints")


def _read_sale(session, receipt_no: str, tz) -> SaleView:
    row = execute(session, f"SELECT {_SALE_COLS} FROM sale s LEFT JOIN staff st ON "
                  "st.empno = s.clerk WHERE s.receipt_no = :r",
                  {"r": receipt_no.strip().upper()}).first()
    if row is None:
        raise NotFound(_("No sale with receipt number {number}.").format(number=receipt_no))
    sale_id = row[0]
    returned: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line_id, qty, amount in execute(
            session, "SELECT l.sale_line_id, SUM(l.quantity), SUM(l.amount_fen) FROM "
            "sale_reversal_line l JOIN sale_reversal r ON r.id = l.reversal_id WHERE "
            "r.sale_id = :s GROUP BY l.sale_line_id", {"s": sale_id}).all():
        returned[line_id] = [int(qty), int(amount)]
    lines = [SaleLineView(*r, returned=returned[r[0]][0], returned_fen=returned[r[0]][1])
             for r in execute(
                 session, "SELECT id, line_no, sku, name_zh, name_en, kind, serial, quantity, "
                 "list_price_fen, unit_price_fen, discount_fen, total_fen, approver, "
                 "override_reason, effective_zh, effective_en FROM sale_line WHERE sale_id = :s "
                 "ORDER BY line_no", {"s": sale_id}).all()]
    back = dict(execute(session, "SELECT rp.payment_id, SUM(rp.amount_fen) FROM reversal_payment rp "
                        "JOIN sale_reversal r ON r.id = rp.reversal_id WHERE r.sale_id = :s "
                        "GROUP BY rp.payment_id", {"s": sale_id}).all())
    payments = [PaymentView(*r, returned_fen=int(back.get(r[0], 0))) for r in execute(
        session, "SELECT id, method, amount_fen, tendered_fen, change_fen, reference FROM "
        "payment WHERE sale_id = :s ORDER BY id", {"s": sale_id}).all()]
    reversals = [ReversalView(r[0], r[1], date.fromisoformat(r[2]),
                              datetime.fromisoformat(r[3]).astimezone(tz), *r[4:])
                 for r in execute(
                     session, "SELECT number, kind, business_day, at, counter, clerk, approver, "
                     "reason, amount_fen, stock_document FROM sale_reversal WHERE sale_id = :s "
                     "ORDER BY id", {"s": sale_id}).all()]
    return SaleView(row[0], row[1], date.fromisoformat(row[2]),
                    datetime.fromisoformat(row[3]).astimezone(tz), row[4], row[5], row[6],
                    row[7], row[8], bool(row[9]), row[10], row[11], row[12], row[13], lines,
                    payments, reversals)


def get_sale(ctx: Ctx, *, receipt_no: str) -> SaleView:
    """A sale by its receipt number (any signed-in member of staff)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    with ctx.store.read() as session:
        return _read_sale(session, receipt_no, ctx.clock.tz)


@dataclass(frozen=True)
class SaleRow:
    """One sale in a day's list."""

    receipt_no: str
    at: datetime
    counter: int
    clerk: str
    total_fen: int
    state: str
    returned_fen: int
    methods: str


def list_sales(ctx: Ctx, *, business_day: date | None = None, counter: int | None = None,
               limit: int = 500) -> list[SaleRow]:
    """The sales of a day (default today), newest first."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    day = business_day or ctx.today()
    where, params = "s.business_day = :d", {"d": day.isoformat(), "n": limit}
    if counter is not None:
        where += " AND s.counter = :c"
        params["c"] = counter
    from hallterm.services.queue import require_counter

    with ctx.store.read() as session:
        if counter is not None:
            require_counter(session, counter)
        rows = execute(session, "SELECT s.receipt_no, s.at, s.counter, s.clerk, s.total_fen, "
                       "s.state, (SELECT COALESCE(SUM(amount_fen), 0) FROM sale_reversal r "
                       "WHERE r.sale_id = s.id), (SELECT GROUP_CONCAT(method, '+') FROM payment "
                       f"p WHERE p.sale_id = s.id) FROM sale s WHERE {where} ORDER BY s.id DESC "
                       "LIMIT :n", params).all()
    tz = ctx.clock.tz
    return [SaleRow(r[0], datetime.fromisoformat(r[1]).astimezone(tz), r[2], r[3], r[4], r[5],
                    int(r[6]), r[7] or "") for r in rows]


def reprint(ctx: Ctx, *, receipt_no: str) -> SaleView:
    """Count a reprint (重打) of a receipt and audit it; returns the sale to print as a copy.

    Only a counter role or a manager may print a copy (``sale.reprint``).
    """
    require(ctx.actor, "sale.reprint")

    def work(uow: UnitOfWork) -> SaleView:
        sale = _read_sale(uow.session, receipt_no, ctx.clock.tz)
        # The audit rows count the copies: a closed day's sale row cannot change.
        copies = uow.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.reprint' AND "
                         "entity_id = :r", {"r": sale.receipt_no}).scalar() or 0
        state = uow.sql("SELECT state FROM business_day WHERE day = :d",
                        {"d": sale.business_day.isoformat()}).scalar()
        if state == "open":
            uow.sql("UPDATE sale SET reprints = reprints + 1 WHERE id = :s", {"s": sale.id})
        uow.audit("sale.reprint", entity="sale", entity_id=sale.receipt_no,
                  payload={"copy": copies + 1, "sale_day": sale.business_day.isoformat()})
        return replace(sale, reprints=copies + 1)

    return run_write(ctx, "sale.reprint", work)
