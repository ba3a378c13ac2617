"""``hallterm sales`` (list, receipt, void, refund, carts, give-back) and ``hallterm cash``
(expected, move, count)."""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    OVERRIDE_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    print_json,
    read_pin,
    sign_in,
    signed_in,
)
from hallterm.i18n import _

app = group(_("Sales: the day's sales, receipts, voids and refunds."))
cash_app = group(_("The cash drawer of a counter: expected cash, cash in/out, "
                              "counts."))

APPROVER_PIN_ENV = "HALLTERM_APPROVER_PIN"
APPROVER_OPTION = typer.Option(None, "--approver", help=_(
    "The approving manager's employee number (PIN from HALLTERM_APPROVER_PIN or a prompt)."),
    metavar="EMPNO")
COUNTER_OPTION = typer.Option(..., "--counter", help=_("The counter number."), metavar="N")


def _approve(hctx, action: str, empno: str | None):
    from hallterm.services.staff import approve

    if not empno:
        return None
    pin = read_pin(_("PIN for {empno}").format(empno=empno), env=APPROVER_PIN_ENV)
    return approve(hctx, action=action, empno=empno, pin=pin)


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--day", help=_("The business day (YYYY-MM-DD); "
                                                         "default today."), metavar="DATE"),
    counter: int | None = typer.Option(None, "--counter", help=_("Only this counter."),
                                       metavar="N"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """List a day's sales, newest first."""
    from hallterm.cli.parse import parse_day
    from hallterm.money import format_fen
    from hallterm.services.sales import list_sales

    hctx = signed_in(ctx, as_, store, counter=counter)  # the counter before any PIN
    rows = list_sales(hctx, business_day=parse_day(day), counter=counter)
    if json_:
        print_json(rows)
        return
    for r in rows:
        state = _("void") if r.state == "void" else ""
        back = _("returned {amount}").format(amount=format_fen(r.returned_fen)) \
            if r.returned_fen and r.state != "void" else ""
        typer.echo(f"{r.receipt_no}  {r.at:%H:%M:%S}  {_('Counter {n}').format(n=r.counter)}  "
                   f"{r.clerk}  {format_fen(r.total_fen):>12}  {r.methods}  {state}{back}".rstrip())
    if not rows:
        typer.echo(_("No sales."))


@app.command("receipt")
@handle_errors
def receipt_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("The receipt number, e.g. R20261125-0001.")),
    reprint: bool = typer.Option(False, "--reprint", help=_(
        "Print a copy (marked 重打) on the configured printer; audited.")),
    language: str | None = typer.Option(None, "--receipt-language", help=_(
        "zh_CN or en, as the customer asks (default: the hall's receipt_language)."),
        metavar="LANG"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Show a receipt's text, or reprint it with --reprint (in the customer's language)."""
    from hallterm.services import sales

    receipts = sales.receipts
    if language is not None:
        receipts.check_language(language)  # a language we cannot print: exit 2 before signing in
    opts = options(ctx)
    hctx = sign_in(opts.ctx(store), as_)
    lang = receipts.receipt_language(hctx, language)
    if reprint:
        printed = receipts.print_receipt(hctx, receipt_no=number, printer=sales.printer_from_settings(
            opts.settings()), language=lang, reprint=True)
        if json_:
            print_json(printed)
            return
        typer.echo(_("Copy {n} of {number} printed: {where}").format(
            n=printed.copy, number=printed.receipt_no, where=printed.where))
        return
    sale = sales.get_sale(hctx, receipt_no=number)
    if json_:
        print_json(sale)
        return
    typer.echo(receipts.render(sale, language=lang, hall_name=receipts.hall_name_in(hctx, lang)))


@app.command("void")
@handle_errors
def void_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("The receipt number to void.")),
    reason: str = typer.Option(..., "--reason", help=_("Why."), metavar="TEXT"),
    approver: str | None = APPROVER_OPTION,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Void a whole sale of today at your counter (the duty manager approves)."""
    from hallterm.context import command_done
    from hallterm.services import sales

    hctx = signed_in(ctx, as_, store, terminal_counter=True)
    if not command_done(hctx, command_id):  # a retry replays; a new request is checked first
        sales.reversals.check_void(hctx, receipt_no=number, reason=reason, counter=hctx.counter)
    result = sales.reversals.void_sale(hctx, receipt_no=number, reason=reason,
                       approver=_approve(hctx, "sale.void", approver), counter=hctx.counter,
                       command_id=command_id, override_reason=override_reason)
    _reversal_out(result, json_)


@app.command("refund")
@handle_errors
def refund_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("The receipt number.")),
    lines: list[str] = typer.Option([], "--line", help=_(
        "LINE:QTY to give back (repeat); none: everything not yet given back."),
        metavar="LINE:QTY"),
    reason: str = typer.Option(..., "--reason", help=_("Why."), metavar="TEXT"),
    approver: str | None = APPROVER_OPTION,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Refund some or all lines of a sale at your counter (the duty manager approves)."""
    from hallterm.context import command_done
    from hallterm.parsing import parse_refund_lines
    from hallterm.services import sales

    parsed = parse_refund_lines(lines) if lines else None  # the screens' rule too
    wanted = [sales.reversals.RefundLine(n, q) for n, q in parsed or ()]
    hctx = signed_in(ctx, as_, store, terminal_counter=True)
    if not command_done(hctx, command_id):  # checked before the approver's PIN is asked
        sales.reversals.check_refund(hctx, receipt_no=number, lines=wanted or None, reason=reason,
                     counter=hctx.counter)
    result = sales.reversals.refund_sale(hctx, receipt_no=number, lines=wanted or None, reason=reason,
                         approver=_approve(hctx, "sale.refund", approver),
                         counter=hctx.counter, command_id=command_id,
                         override_reason=override_reason)
    _reversal_out(result, json_)


@app.command("carts")
@handle_errors
def carts_cmd(
    ctx: typer.Context,
    counter: int | None = typer.Option(None, "--counter", help=_("Only this counter."),
                                       metavar="N"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """List unfinished sales that hold card/QR money taken (the day cannot close with them)."""
    from hallterm.money import format_fen
    from hallterm.services import sales

    hctx = signed_in(ctx, as_, store)
    rows = sales.carts.open_carts(hctx, counter=counter)
    if json_:
        print_json(rows)
        return
    for c in rows:
        typer.echo(_("{cart}  Counter {n}  {clerk}  total {total}, taken {taken}").format(
            cart=c.id, n=c.counter, clerk=c.clerk, total=format_fen(c.total_fen),
            taken=format_fen(c.taken_fen)))
        for p in c.taken:
            typer.echo(f"  --payment {p.id}  {p.at:%H:%M:%S}  {p.label()}")
    if not rows:
        typer.echo(_("No unfinished sale holds money taken."))


@app.command("give-back")
@handle_errors
def give_back_cmd(
    ctx: typer.Context,
    cart: str = typer.Argument(..., help=_("The cart id (from hallterm sales carts).")),
    payment: int = typer.Option(..., "--payment", help=_("The taken payment's number."),
                                metavar="ID"),
    refund_reference: str = typer.Option(..., "--refund-reference", help=_(
        "The refund's reference number from the card/QR terminal."), metavar="REF"),
    reason: str = typer.Option(..., "--reason", help=_("Why."), metavar="TEXT"),
    approver: str | None = APPROVER_OPTION,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Record card/QR money of an unfinished sale given back (the duty manager approves)."""
    from hallterm.context import command_done
    from hallterm.money import format_fen
    from hallterm.services import sales

    hctx = signed_in(ctx, as_, store)
    if not command_done(hctx, command_id):  # checked before the approver's PIN is asked
        sales.carts.check_refund_taken(hctx, cart_id=cart, payment_id=payment,
                           refund_reference=refund_reference, reason=reason)
    result = sales.carts.refund_taken(hctx, cart_id=cart, payment_id=payment,
                          refund_reference=refund_reference, reason=reason,
                          approver=_approve(hctx, "sale.refund", approver),
                          command_id=command_id)
    if json_:
        print_json(result)
        return
    back = next(p for p in result.payments if p.id == payment)
    typer.echo(_("{money} given back (refund {reference}), approved by {empno}.").format(
        money=back.label(), reference=back.refund_reference, empno=back.approver))
    if result.taken:
        typer.echo(_("Still taken on this cart: {taken}").format(
            taken=format_fen(result.taken_fen)))


def _reversal_out(result, json_: bool) -> None:
    from hallterm.money import format_fen
    from hallterm.services.sales import method_label

    if json_:
        print_json(result)
        return
    money = ", ".join(f"{method_label(m)} {format_fen(a)}" for m, a in result.by_method.items())
    typer.echo(_("{number} ({receipt}): {amount} back ({money}); approved by {approver}").format(
        number=result.number, receipt=result.receipt_no, amount=format_fen(result.amount_fen),
        money=money or "-", approver=result.approver))


# -- cash --------------------------------------------------------------------------------
@cash_app.command("expected")
@handle_errors
def expected_cmd(
    ctx: typer.Context,
    counter: int = COUNTER_OPTION,
    day: str | None = typer.Option(None, "--day", help=_("The business day; default today."),
                                   metavar="DATE"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """What should be in a counter's drawer now (managers and the auditor; a counter
    clerk once the drawer is counted: the count is blind)."""
    from hallterm.cli.parse import parse_day
    from hallterm.money import format_fen
    from hallterm.services.cash import drawer_view

    hctx = signed_in(ctx, as_, store, counter=counter)  # the counter before any PIN
    d = drawer_view(hctx, counter=counter, business_day=parse_day(day))
    if json_:
        print_json(d)
        return
    typer.echo(_("Counter {n}, {day}: expected {expected}").format(
        n=counter, day=d.business_day.isoformat(), expected=format_fen(d.expected_fen)))
    typer.echo(_("  float {f} + cash sales {s} + cash in {i} - cash out {o} - refunds {r}").format(
        f=format_fen(d.float_fen), s=format_fen(d.cash_sales_fen), i=format_fen(d.cash_in_fen),
        o=format_fen(d.cash_out_fen), r=format_fen(d.cash_refunds_fen)))
    if d.day_difference_fen:
        # Each count re-based the drawer: its difference is carried, recorded once.
        typer.echo(_("  + the differences of the day's counts {diff}").format(
            diff=format_fen(d.day_difference_fen)))
    if d.counted_fen is not None:
        typer.echo(_("  last count {counted}, difference {diff}").format(
            counted=format_fen(d.counted_fen), diff=format_fen(d.difference_fen or 0)))


@cash_app.command("move")
@handle_errors
def move_cmd(
    ctx: typer.Context,
    counter: int = COUNTER_OPTION,
    kind: str = typer.Option(..., "--kind", help=_("in, out or float (the opening float)."),
                             metavar="KIND"),
    amount: str = typer.Option(..., "--amount", help=_("The amount, e.g. 500 or 500.00."),
                               metavar="YUAN"),
    reason: str = typer.Option("other", "--reason", help=_(
        "bank_drop, change_fund, compensation or other."), metavar="CODE"),
    note: str | None = typer.Option(None, "--note", help=_("What it was for."), metavar="TEXT"),
    reference: str | None = typer.Option(None, "--reference", help=_(
        "A reference (bank slip, complaint number)."), metavar="TEXT"),
    approver: str | None = APPROVER_OPTION,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Put cash into or take it out of your counter\'s drawer (approval above the threshold)."""
    from hallterm.context import command_done
    from hallterm.money import format_fen, parse_fen
    from hallterm.services.cash import check_move, move_cash, sees_expected

    hctx = signed_in(ctx, as_, store, counter=counter)  # the counter before any PIN
    amount_fen = parse_fen(amount, allow_zero=False)
    large = True  # a retry replays the first write, whatever it needed
    if not command_done(hctx, command_id):
        large = check_move(hctx, counter=counter, kind=kind, reason=reason,
                           amount_fen=amount_fen, note=note)
    moved = move_cash(hctx, counter=counter, kind=kind, reason=reason,
                      amount_fen=amount_fen, note=note, reference=reference,
                      approver=_approve(hctx, "cash.move_large", approver) if large else None,
                      command_id=command_id, override_reason=override_reason)
    if not sees_expected(hctx.actor):  # the clerk's count stays blind
        from dataclasses import replace

        moved = replace(moved, expected_fen=None)
    if json_:
        print_json(moved)
        return
    if moved.expected_fen is None:
        typer.echo(_("Counter {n}: {kind} {amount}.").format(
            n=counter, kind=kind, amount=format_fen(moved.amount_fen)))
        return
    typer.echo(_("Counter {n}: {kind} {amount}; the drawer should now hold {expected}.").format(
        n=counter, kind=kind, amount=format_fen(moved.amount_fen),
        expected=format_fen(moved.expected_fen)))


@cash_app.command("count")
@handle_errors
def count_cmd(
    ctx: typer.Context,
    counter: int = COUNTER_OPTION,
    counted: str = typer.Option(..., "--counted", help=_("The cash counted."), metavar="YUAN"),
    purpose: str = typer.Option("day_end", "--purpose", help=_(
        "handover, day_end or check."), metavar="PURPOSE"),
    reason: str | None = typer.Option(None, "--reason", help=_(
        "Why counted and expected differ (长短款)."), metavar="TEXT"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Record a count of your counter's drawer against the expected cash."""
    from hallterm.money import format_fen, parse_fen
    from hallterm.services.cash import count_cash

    hctx = signed_in(ctx, as_, store, counter=counter)  # the counter before any PIN
    result = count_cash(hctx, counter=counter, counted_fen=parse_fen(counted), purpose=purpose,
                        reason=reason, command_id=command_id, override_reason=override_reason)
    if json_:
        print_json(result)
        return
    typer.echo(_("Count {id} recorded. Counter {n}: counted {counted}, expected {expected}, "
                 "difference {diff}.").format(
        id=result.id, n=counter, counted=format_fen(result.counted_fen),
        expected=format_fen(result.expected_fen), diff=format_fen(result.difference_fen)))
    if result.difference_fen and not result.reason:
        typer.echo(_("The reason for the difference is missing; the day does not close until "
                     "it is given: hallterm cash count-reason {id} --reason TEXT").format(
            id=result.id), err=True)


@cash_app.command("count-reason")
@handle_errors
def count_reason_cmd(
    ctx: typer.Context,
    count_id: int = typer.Argument(..., help=_("The count's number."), metavar="COUNT_ID"),
    reason: str = typer.Option(..., "--reason", help=_(
        "Why counted and expected differ (长短款)."), metavar="TEXT"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Give the missing reason of a count's difference (the clerk who counted, or a manager)."""
    from hallterm.money import format_fen
    from hallterm.services.cash import give_count_reason

    hctx = signed_in(ctx, as_, store)
    result = give_count_reason(hctx, count_id=count_id, reason=reason, command_id=command_id)
    if json_:
        print_json(result)
        return
    typer.echo(_("Count {id} (counter {n}, difference {diff}): reason {reason}.").format(
        id=result.id, n=result.counter, diff=format_fen(result.difference_fen),
        reason=result.reason))
