"""``hallterm stock``: receive a delivery file, show stock, verify the ledger, serial history.

Valuable cards need a second person (双人复核): ``--witness EMPNO``, whose PIN
comes from ``HALLTERM_WITNESS_PIN`` or a hidden prompt; a delivery with valuable
cards and no witness is refused (exit 3).
"""

from __future__ import annotations

from pathlib import Path

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    pad,
    print_json,
    read_pin,
    sign_in,
)
from hallterm.i18n import _

WITNESS_PIN_ENV = "HALLTERM_WITNESS_PIN"

app = group(_("The stock ledger: receive deliveries, show stock, verify, history."))


@app.command("receive")
@handle_errors
def receive_cmd(
    ctx: typer.Context,
    file: Path = typer.Option(..., "--file", help=_(
        "The supplier's delivery list (CSV with the header sku,serial,quantity)."),
        metavar="CSV"),
    document: str = typer.Option(..., "--document", help=_("The delivery document number."),
                                 metavar="NO"),
    supplier: str = typer.Option(..., "--supplier", help=_("The supplier's name."),
                                 metavar="NAME"),
    witness: str | None = typer.Option(None, "--witness", help=_(
        "Second person for valuable cards (PIN from HALLTERM_WITNESS_PIN or a prompt)."),
        metavar="EMPNO"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Receive a delivery into the warehouse (入库): one bad line refuses the whole file."""
    from hallterm.money import format_fen
    from hallterm.services import stock
    from hallterm.services.staff import approve
    from hallterm.textinput import read_text_file

    text = read_text_file(file)  # not UTF-8, a folder, a FIFO: one line, exit 2
    base = options(ctx).ctx(store)
    lines = stock.check_delivery_csv(base, text)  # every bad line at once, nothing written
    hctx = sign_in(base, as_)
    # A delivery already received is refused before the witness's PIN is read.
    stock.check_receive(hctx, document_no=document, supplier=supplier, lines=lines)
    second = None
    if witness:
        pin = read_pin(_("PIN for {empno} (witness)").format(empno=witness), env=WITNESS_PIN_ENV)
        second = approve(hctx, action="stock.valuable_card", empno=witness, pin=pin)
    doc = stock.receive(hctx, document_no=document, supplier=supplier, lines=lines,
                        witness=second, command_id=command_id)
    if json_:
        print_json(doc)
        return
    typer.echo(_("Received {number}: {lines} lines, {quantity} units, {value} (delivery "
                 "{ref} from {supplier}).").format(
        number=doc.number, lines=doc.lines, quantity=doc.quantity,
        value=format_fen(doc.value_fen), ref=doc.reference, supplier=doc.supplier))


@app.command("show")
@handle_errors
def show_cmd(
    ctx: typer.Context,
    place: str | None = typer.Option(None, "--place", help=_(
        "warehouse, counter:N, sold, damaged, lost or returned_to_supplier."), metavar="P"),
    all_places: bool = typer.Option(False, "--all", help=_(
        "Also the places goods have left to (sold, damaged, lost, returned).")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Show stock by item and place, with totals and value."""
    from hallterm.money import format_fen
    from hallterm.services import stock

    report = stock.balances(options(ctx).ctx(store), place=place, include_terminal=all_places)
    if json_:
        print_json(report)
        return
    if not report.rows:
        typer.echo(_("No stock."))
        return
    for r in report.rows:
        typer.echo(f"{pad(stock.place_label(r.place), 14)} {r.sku:<14} {r.quantity:>7} "
                   f"{format_fen(r.value_fen):>14}  {r.name}")
    for t in report.places:
        cards = ""
        if t.cards:
            cards = "  " + _("valuable cards {n}, face value {face}").format(
                n=t.cards, face=format_fen(t.cards_face_fen))
        typer.echo(_("Total {place}: {quantity} units, {value}").format(
            place=stock.place_label(t.place), quantity=t.quantity,
            value=format_fen(t.value_fen)) + cards)
    typer.echo(_("Total: {quantity} units, {value}; valuable cards {n}, face value {face}"
                 ).format(quantity=report.quantity, value=format_fen(report.value_fen),
                          n=report.cards, face=format_fen(report.cards_face_fen)))


@app.command("verify")
@handle_errors
def verify_cmd(ctx: typer.Context, json_: bool = JSON_OPTION,
               store: str | None = STORE_OPTION) -> None:
    """Recompute balances and serial places from the ledger: exit 0 agree, 1 disagree."""
    from hallterm.services import stock

    report = stock.verify(options(ctx).ctx(store))
    if json_:
        print_json(report)
    elif report.ok:
        typer.echo(_("Stock ledger agrees: {moves} ledger rows, {balances} balances, {serials} "
                     "serials.").format(moves=report.moves, balances=report.balances,
                                        serials=report.serials))
    if not report.ok:
        if not json_:
            typer.echo(_("Stock ledger disagrees ({n} problem(s)):").format(
                n=len(report.problems)), err=True)
            for problem in report.problems:
                typer.echo("  " + problem, err=True)
        raise typer.Exit(1)


@app.command("history")
@handle_errors
def history_cmd(
    ctx: typer.Context,
    serial: str = typer.Argument(..., help=_("An IMEI, ICCID or card number."),
                                 metavar="SERIAL"),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Where a serial has been, move by move, and where it is now."""
    from hallterm.services import stock

    hist = stock.history(options(ctx).ctx(store), serial=serial)
    if json_:
        print_json(hist)
        return
    typer.echo(stock.where_now(hist.serial, hist.sku, hist.place))
    for m in hist.moves:
        people = m.actor + (f" → {m.confirmer}" if m.confirmer else "") + (
            f" + {m.approver}" if m.approver else "")
        typer.echo(f"{m.at:%Y-%m-%d %H:%M} {m.number}  {pad(stock.kind_label(m.kind), 22)} "
                   f"{stock.place_label(m.from_place)} → {stock.place_label(m.to_place)}  "
                   f"{people}  {m.reference or ''}")
