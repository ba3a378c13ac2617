"""Stock movements: receive, issue, return, write off, and the stock side of sales.

Each is checked first (``check_receive``, ``check_issue``, ``check_move``) so a
screen can refuse a request before anyone is asked for a PIN; the write checks
again inside its transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import ApprovalRequired, BadInput, Forbidden, Refused
from hallterm.i18n import _
from hallterm.permissions import COUNTER_ROLES, MANAGERS, require
from hallterm.services import approvals
from hallterm.services.catalog import find_item
from hallterm.services.stock.checks import (
    CheckedLine,
    LineIn,
    clean_serial,
    may_read,
    refuse_bad_lines,
    validate,
)
from hallterm.services.stock.ledger import (
    Document,
    check_counter,
    frozen_places,
    move_lines,
    optional_text,
    text_field,
)
from hallterm.services.stock.places import (
    DAMAGED,
    SOLD,
    SUPPLIER,
    WAREHOUSE,
    WRITE_OFF_PLACES,
    counter_of,
    counter_place,
    is_holding,
)


# -- movements ---------------------------------------------------------------------------
def _delivery(document_no: str, supplier: str) -> tuple[str, str]:
    try:
        ref = text_field(document_no, _("The delivery document number"), 64)
    except BadInput as exc:
        raise BadInput(str(exc), field="document") from None
    try:
        who = text_field(supplier, _("The supplier"), 80)
    except BadInput as exc:
        raise BadInput(str(exc), field="supplier") from None
    return ref, who


def _not_received(unit: ReadUnit, ref: str, who: str) -> None:
    dup = unit.sql("SELECT number FROM stock_document WHERE kind = 'receive' AND "
                   "reference = :r AND supplier = :s", {"r": ref, "s": who}).first()
    if dup is not None:
        raise Refused(_("Delivery {ref} of {supplier} was already received ({number})."
                        ).format(ref=ref, supplier=who, number=dup.number), field="document")


def check_receive(ctx: Ctx, *, document_no: str, supplier: str,
                  lines: Sequence[LineIn] = ()) -> None:
    """Validate a delivery before it is scanned or a witness is asked: not received yet,
    and (when given) every line. Writes nothing."""
    require(ctx.actor, "stock.move")
    ref, who = _delivery(document_no, supplier)

    def check(unit: ReadUnit) -> None:
        _not_received(unit, ref, who)
        if lines:
            refuse_bad_lines(lines, validate(unit.session, SUPPLIER, lines)[1])

    run_check(ctx, check)


def receive(ctx: Ctx, *, document_no: str, supplier: str, lines: Sequence[LineIn],
            witness: Actor | None = None, command_id: str | None = None) -> Document:
    """入库: a supplier's delivery into the warehouse (every line checked first)."""
    require(ctx.actor, "stock.move")
    ref, who = _delivery(document_no, supplier)

    def work(uow: UnitOfWork) -> Document:
        _not_received(uow, ref, who)
        return move_lines(uow, kind="receive", from_place=SUPPLIER, to_place=WAREHOUSE,
                           lines=lines, witness=witness, reference=ref, supplier=who)

    return run_write(ctx, "stock.receive", work, command_id=command_id, result_type=Document)


def _check_receiver(unit: ReadUnit, counter: int, receiver: Actor | str) -> None:
    """The receiving clerk of an issue: another person, at a counter, its keeper if it has one.

    ``receiver`` is the confirmed person, or an employee number still to confirm (a
    screen checks who before it asks for their PIN).
    """
    from hallterm.services.queue import require_keeper

    if isinstance(receiver, str):
        row = unit.sql("SELECT id, empno, name, roles FROM staff WHERE empno = :e AND active = TRUE",
                       {"e": receiver.strip()}).first()
        if row is None:
            raise BadInput(_("No staff member with employee number {empno}.").format(
                empno=receiver.strip()))
        receiver = Actor(row.id, row.empno, row.name, frozenset(row.roles.split()))
    if unit.actor is not None and receiver.id == unit.actor.id:
        raise Forbidden(_("The receiving clerk must be another person."))
    if not receiver.roles & (COUNTER_ROLES | MANAGERS):
        raise Forbidden(_("{name} ({empno}) does not work at a counter.").format(
            name=receiver.name, empno=receiver.empno))
    # Custody is the counter's keeper's: only they sign for it, and not while the
    # counter is being handed over (services.queue.keepers).
    require_keeper(unit, counter, action="stock.issue", person=receiver, during_handover=False)


def _check_document(unit: ReadUnit, *, from_place: str, to_place: str,
                    lines: Sequence[LineIn]) -> list[CheckedLine]:
    """Everything a document's write checks before it writes: day, places, lines."""
    unit.open_day()
    for place in (from_place, to_place):
        check_counter(unit, place)
        number = counter_of(place)
        if number is not None:  # its handover's count must still hold
            from hallterm.services.queue import require_no_handover

            require_no_handover(unit, number)
    frozen_places(unit, {from_place, to_place})
    if not lines:
        raise BadInput(_("A document needs at least one line."))
    checked, errors = validate(unit.session, from_place, lines)
    refuse_bad_lines(lines, errors)
    return checked


def check_place(ctx: Ctx, *, place: str) -> None:
    """Stock can move in or out of ``place`` now: a counter that exists, no stocktake on it."""
    may_read(ctx)

    def check(unit: ReadUnit) -> None:
        check_counter(unit, place)
        frozen_places(unit, {place})

    run_check(ctx, check)


def check_issue(ctx: Ctx, *, counter: int, lines: Sequence[LineIn],
                receiver: str | None = None) -> list[CheckedLine]:
    """Validate an issue before anyone is asked for a PIN; writes nothing.

    Refuses an unknown counter, a counter under stocktake, a bad line and, when
    ``receiver`` (an employee number) is given, anyone but the counter's clerk.
    Returns the checked lines (valuable cards among them need a second person).
    """
    require(ctx.actor, "stock.move")

    def check(unit: ReadUnit) -> list[CheckedLine]:
        checked = _check_document(unit, from_place=WAREHOUSE, to_place=counter_place(counter),
                                  lines=lines)
        if receiver is not None:
            _check_receiver(unit, counter, receiver)
        return checked

    return run_check(ctx, check)


def check_move(ctx: Ctx, *, kind: str, from_place: str, to_place: str,
               lines: Sequence[LineIn], reason: str | None = None) -> list[CheckedLine]:
    """Validate a return or a write-off before a second person is asked; writes nothing."""
    require(ctx.actor, "stock.move")
    if kind == "write_off":
        if to_place not in WRITE_OFF_PLACES:
            raise BadInput(_("A write-off goes to damaged, lost or returned_to_supplier."))
        if not is_holding(from_place):
            raise BadInput(_("Stock is written off from the warehouse or a counter."))
        text_field(reason, _("The reason"), 200)
    return run_check(ctx, lambda unit: _check_document(unit, from_place=from_place,
                                                       to_place=to_place, lines=lines))


def issue(ctx: Ctx, *, counter: int, lines: Sequence[LineIn], receiver: Actor,
          witness: Actor | None = None, command_id: str | None = None) -> Document:
    """出库/领用: warehouse to a counter's custody; the receiving clerk confirmed with a PIN.

    ``receiver`` comes from ``staff.confirm_person`` on this terminal, after
    ``check_issue`` accepted the request.
    """
    require(ctx.actor, "stock.move")

    def work(uow: UnitOfWork) -> Document:
        _check_document(uow, from_place=WAREHOUSE, to_place=counter_place(counter), lines=lines)
        if receiver is None:
            raise ApprovalRequired(_("The receiving clerk confirms with their PIN."))
        _check_receiver(uow, counter, receiver)
        return move_lines(uow, kind="issue", from_place=WAREHOUSE,
                           to_place=counter_place(counter), lines=lines, witness=witness,
                           confirmer=receiver)

    return run_write(ctx, "stock.issue", work, command_id=command_id, result_type=Document)


def return_from_counter(ctx: Ctx, *, counter: int, lines: Sequence[LineIn],
                        witness: Actor | None = None, reason: str | None = None,
                        command_id: str | None = None) -> Document:
    """退库: a counter's custody back into the warehouse."""
    require(ctx.actor, "stock.move")
    why = optional_text(reason, _("The reason"), 200)

    def work(uow: UnitOfWork) -> Document:
        from hallterm.services.queue import require_no_handover

        check_counter(uow, counter_place(counter))
        require_no_handover(uow, counter)
        return move_lines(uow, kind="return", from_place=counter_place(counter),
                           to_place=WAREHOUSE, lines=lines, witness=witness, reason=why)

    return run_write(ctx, "stock.return", work, command_id=command_id, result_type=Document)


def write_off(ctx: Ctx, *, place: str, to: str, lines: Sequence[LineIn], reason: str,
              approver: Actor, witness: Actor | None = None,
              command_id: str | None = None) -> Document:
    """Damaged (报损), lost (丢失) or returned to supplier (退供应商): the hall manager approves."""
    require(ctx.actor, "stock.move")
    if to not in WRITE_OFF_PLACES:
        raise BadInput(_("A write-off goes to damaged, lost or returned_to_supplier."))
    if not is_holding(place):
        raise BadInput(_("Stock is written off from the warehouse or a counter."))
    why = text_field(reason, _("The reason"), 200)

    def work(uow: UnitOfWork) -> Document:
        number = counter_of(place)
        if number is not None:
            from hallterm.services.queue import require_no_handover

            check_counter(uow, place)
            require_no_handover(uow, number)
        _check_document(uow, from_place=place, to_place=to, lines=lines)
        second = approvals.check_second(ctx, approver, "stock.write_off")
        return move_lines(uow, kind="write_off", from_place=place, to_place=to, lines=lines,
                           witness=witness, approver=second, reason=why)

    return run_write(ctx, "stock.write_off", work, command_id=command_id, result_type=Document)


def record_sale_movements(uow: UnitOfWork, *, counter: int, lines: Sequence[LineIn],
                          sale_ref: str, witness: Actor | None = None,
                          audit_into: dict | None = None) -> Document | None:
    """Inside the caller's sale transaction: sold goods leave the counter's custody.

    Service lines (no stock) are skipped; ``None`` when nothing was stocked. A
    serialised item must name its serial (a handset cannot be sold twice).
    Valuable cards need ``witness`` (staff.approve with ``stock.valuable_card``).
    ``audit_into``: the document's audit entries go there, for the caller's own audit
    row (a sale is one audit row), instead of a ``stock.sale`` row of their own.
    """
    from hallterm.services.catalog import item_in

    stocked = []
    for line in lines:
        item = item_in(uow, line.sku) if line.sku else None
        if item is not None and not item.stocked:
            continue
        stocked.append(line)
    if not stocked:
        return None
    return move_lines(uow, kind="sale", from_place=counter_place(counter), to_place=SOLD,
                       lines=stocked, witness=witness, reference=sale_ref,
                       audit_into=audit_into)


def retire_sold_serial(uow: UnitOfWork, *, sku: str, serial: str, reference: str,
                       reason: str) -> Document:
    """Inside the caller's write: a sold serial taken out of service (a replaced SIM card,
    补换卡) goes from ``sold`` to ``damaged`` in a ``retire`` document, audited in its own
    ``stock.retire`` row. Refused when the ledger does not hold it as sold."""
    return move_lines(uow, kind="retire", from_place=SOLD, to_place=DAMAGED,
                       lines=[LineIn(sku, serial)], reference=reference,
                       reason=text_field(reason, _("The reason"), 200))


def reverse_sale_movements(uow: UnitOfWork, *, sale_ref: str,
                           lines: Sequence[LineIn] | None = None,
                           witness: Actor | None = None,
                           to_counter: int | None = None,
                           audit_into: dict | None = None) -> Document | None:
    """Inside the caller's void/refund transaction: sold goods go back to a counter.

    With ``lines`` only those (a partial refund); else everything of the sale not
    yet reversed. The goods go into the custody of ``to_counter`` (where they were
    handed back), else of the counter that sold them. ``None`` when the sale moved
    no stock.
    """
    rows = uow.sql(
        "SELECT d.kind, d.from_place, m.sku, m.serial, m.quantity FROM stock_document d "
        "JOIN stock_move m ON m.document_id = d.id WHERE d.reference = :r AND "
        "d.kind IN ('sale', 'sale_reversal') ORDER BY m.id", {"r": sale_ref}).all()
    sold = [r for r in rows if r.kind == "sale"]
    if not sold:
        return None
    counter_from = counter_place(to_counter) if to_counter is not None else sold[0].from_place
    remaining_serials = {r.serial: r.sku for r in sold if r.serial}
    remaining_qty: dict[str, int] = defaultdict(int)
    for r in sold:
        if not r.serial:
            remaining_qty[r.sku] += r.quantity
    for r in rows:
        if r.kind == "sale_reversal":
            if r.serial:
                remaining_serials.pop(r.serial, None)
            else:
                remaining_qty[r.sku] -= r.quantity
    if lines is None:
        lines = [LineIn(sku, serial) for serial, sku in remaining_serials.items()] + [
            LineIn(sku, None, qty) for sku, qty in remaining_qty.items() if qty > 0]
        if not lines:
            raise Refused(_("Sale {ref} was already reversed.").format(ref=sale_ref))
    else:
        for line in lines:
            serial = clean_serial(line.serial)
            if serial and serial not in remaining_serials:
                raise Refused(_("Serial {serial} was not sold in {ref} (or was already "
                                "returned).").format(serial=serial, ref=sale_ref))
            if not serial:
                item = find_item(uow.session, line.sku)
                if item is None or remaining_qty.get(item.sku, 0) < line.quantity:
                    raise Refused(_("Sale {ref} has not {qty} of {sku} left to return.").format(
                        ref=sale_ref, qty=line.quantity, sku=line.sku))
    return move_lines(uow, kind="sale_reversal", from_place=SOLD, to_place=counter_from,
                       lines=lines, witness=witness, reference=sale_ref,
                       audit_into=audit_into)


def sell(ctx: Ctx, *, counter: int, lines: Sequence[LineIn], sale_ref: str,
         witness: Actor | None = None) -> Document | None:
    """The stock side of a sale on its own (tests, tools); sales call ``record_sale_movements``."""
    require(ctx.actor, "sale.sell")
    ref = text_field(sale_ref, _("The sale reference"), 64)

    def work(uow: UnitOfWork) -> Document | None:
        from hallterm.services.queue import require_keeper

        require_keeper(uow, counter, action="stock.sale", during_handover=False)
        doc = record_sale_movements(uow, counter=counter, lines=lines, sale_ref=ref,
                                    witness=witness)
        if doc is None:
            _no_stock(uow, ref)
        return doc

    return run_write(ctx, "stock.sale", work)


def reverse_sale(ctx: Ctx, *, sale_ref: str, lines: Sequence[LineIn] | None = None,
                 witness: Actor | None = None) -> Document | None:
    """The stock side of a sale void/refund on its own; sales call ``reverse_sale_movements``."""
    require(ctx.actor, "sale.sell")

    def work(uow: UnitOfWork) -> Document | None:
        doc = reverse_sale_movements(uow, sale_ref=sale_ref, lines=lines, witness=witness)
        if doc is None:
            _no_stock(uow, sale_ref)
        return doc

    return run_write(ctx, "stock.sale_reversal", work)


def _no_stock(uow: UnitOfWork, ref: str) -> None:
    """A sale of services only moved no stock: said so in the audit."""
    uow.audit("stock.no_stock", entity="sale", entity_id=ref)
