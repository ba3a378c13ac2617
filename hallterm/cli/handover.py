"""``hallterm handover --counter N``: the shift handover (交接班), interactive or scripted.

Each step is its own transaction (start, count, review, finish); run again after
an interruption, the command resumes where it stopped (``--restart`` counts
afresh). Values not given as options are asked for; PINs are asked for hidden,
or read from the environment with ``--pin-from-env``. With ``--pin-from-env`` the
command never prompts: a difference without ``--reason`` or a witness it needs is
refused (exit 3).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from hallterm.cli.common import (
    JSON_OPTION,
    STORE_OPTION,
    handle_errors,
    options,
    pins_only_from_env,
    print_json,
)
from hallterm.i18n import _

OUTGOING_PIN_ENV = "HALLTERM_OUTGOING_PIN"
INCOMING_PIN_ENV = "HALLTERM_INCOMING_PIN"
WITNESS_PIN_ENV = "HALLTERM_WITNESS_PIN"


class _Io:
    """Prompts and progress lines (progress on stderr when the answer is JSON)."""

    def __init__(self, *, interactive: bool, json_: bool) -> None:
        self.interactive = interactive
        self.json = json_

    def say(self, text: str = "") -> None:
        typer.echo(text, err=self.json)

    def ask(self, label: str, option: str, *, default: str | None = None) -> str:
        from click.exceptions import Abort

        from hallterm.errors import BadInput

        if not self.interactive:
            raise BadInput(_("{label}: give {option}.").format(label=label, option=option))
        try:
            if default is None:
                value = typer.prompt(label, err=self.json)
            else:
                value = typer.prompt(label, default=default, show_default=bool(default),
                                     err=self.json)
        except (Abort, typer.Abort, EOFError):  # Ctrl-C or the end of the input
            raise BadInput(_("Stopped at “{label}”: anything already done is kept; run the "
                             "command again to resume (or give {option}).").format(
                label=label, option=option)) from None
        return str(value).strip()

    def pin(self, empno: str, env: str) -> str:
        from click.exceptions import Abort

        from hallterm.errors import BadInput

        if not self.interactive:
            value = os.environ.get(env)
            if value is None:
                raise BadInput(_("--pin-from-env: set {env} to the PIN of {empno}.").format(
                    env=env, empno=empno))
            return value.strip()
        try:
            if not sys.stdin.isatty():  # a script: a piped line, no getpass warnings
                line = sys.stdin.readline()
                if not line:
                    raise BadInput(_("No PIN for {empno}: set {env} and use --pin-from-env "
                                     "(there is no terminal to ask on).").format(
                        empno=empno, env=env))
                return line.strip()
            return typer.prompt(_("PIN for {empno}").format(empno=empno), hide_input=True,
                                err=self.json).strip()
        except (Abort, typer.Abort, EOFError):
            raise BadInput(_("Stopped at the PIN of {empno}: anything already done is kept; "
                             "run the command again to resume (or use --pin-from-env).").format(
                empno=empno)) from None


def _serials(values: list[str], file: Path | None) -> list[str]:
    """The serials of ``--serial`` and of ``--serials-file`` (one per line, # comments)."""
    from hallterm.parsing import parse_serials
    from hallterm.textinput import read_text_file

    # not UTF-8, a folder, unreadable: one line, exit 2
    return parse_serials([*values, read_text_file(file) if file is not None else ""])


def _show_count(io: _Io, view) -> None:
    from hallterm.money import format_fen
    from hallterm.services.handover import status_label

    io.say(_("Cash: counted {counted}, expected {expected}, difference {diff}").format(
        counted=format_fen(view.counted_fen or 0), expected=format_fen(view.expected_fen or 0),
        diff=format_fen(view.difference_fen or 0)))
    if view.denominations:
        io.say("  " + ", ".join(f"{format_fen(face)}×{n}" for face, n in view.denominations))
    serials = sum(1 for x in view.lines if x.serial)
    items = sum(1 for x in view.lines if x.serial is None)
    io.say(_("Stock: {serials} serial(s), {items} counted item(s); differences worth "
             "{value}").format(serials=serials, items=items,
                               value=format_fen(view.stock_difference_fen or 0)))
    for x in view.stock_differences:
        io.say(f"  {status_label(x.status):8} {x.sku} {x.serial or ''} "
               f"{x.difference:+d} ({format_fen(x.difference * x.unit_value_fen)})")


def _show_pending(io: _Io, view) -> None:
    if not view.pending:
        io.say(_("Nothing left open at the counter."))
        return
    io.say(_("Passed on to the incoming clerk:") if view.kind == "shift"
           else _("Left open at the counter:"))
    from hallterm.services.handover import describe

    for item in view.pending:
        io.say(f"  {describe(item)}")


def _json(view) -> dict:
    from hallterm.cli.common import to_jsonable

    data = to_jsonable(view)
    data.update(needs_cash_reason=view.needs_cash_reason,
                needs_stock_reason=view.needs_stock_reason, needs_witness=view.needs_witness)
    return data


@handle_errors
def handover(
    ctx: typer.Context,
    counter: int = typer.Option(..., "--counter", help=_("The counter handed over."),
                                metavar="N"),
    outgoing: str | None = typer.Option(None, "--outgoing", help=_(
        "The outgoing clerk's employee number."), metavar="EMPNO"),
    incoming: str | None = typer.Option(None, "--incoming", help=_(
        "The incoming clerk's employee number (not with --day-end)."), metavar="EMPNO"),
    cash: str | None = typer.Option(None, "--cash", help=_(
        "The cash counted in the drawer, e.g. 490 or 490.00."), metavar="AMOUNT"),
    denominations: str | None = typer.Option(None, "--denominations", help=_(
        "The cash by denomination, e.g. 100x4,50x1,5角x2."), metavar="LIST"),
    serial: list[str] = typer.Option([], "--serial", help=_(
        "A serial scanned in the counter's custody (repeat the option)."), metavar="SERIAL"),
    serials_file: Path | None = typer.Option(None, "--serials-file", help=_(
        "A file of scanned serials, one per line."), metavar="PATH"),
    count: list[str] = typer.Option([], "--count", help=_(
        "An item counted by quantity, SKU=N (repeat the option)."), metavar="SKU=N"),
    reason: str | None = typer.Option(None, "--reason", help=_(
        "The reason of a difference (长短款; also the stock difference unless "
        "--stock-reason)."), metavar="TEXT"),
    stock_reason: str | None = typer.Option(None, "--stock-reason", help=_(
        "The reason of a stock difference."), metavar="TEXT"),
    witness: str | None = typer.Option(None, "--witness", help=_(
        "The duty or hall manager who witnesses (监交人)."), metavar="EMPNO"),
    pin_from_env: bool = typer.Option(False, "--pin-from-env", help=_(
        "Read the PINs from HALLTERM_OUTGOING_PIN, HALLTERM_INCOMING_PIN and "
        "HALLTERM_WITNESS_PIN; never prompt.")),
    day_end: bool = typer.Option(False, "--day-end", help=_(
        "The last clerk of the day hands the drawer in: no incoming clerk; the counter "
        "closes.")),
    restart: bool = typer.Option(False, "--restart", help=_(
        "Cancel the handover in progress at the counter and start afresh.")),
    cancel: bool = typer.Option(False, "--cancel", help=_(
        "Cancel the handover in progress (with --reason); the counter is as it was.")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Shift handover (交接班): blind count, reasons, witness, the incoming clerk takes over."""
    from hallterm.errors import BadInput, Refused
    from hallterm.money import format_fen, parse_fen
    from hallterm.parsing import parse_cash, parse_counts, parse_denominations, parse_serials
    from hallterm.services import handover as ho
    from hallterm.services.staff import approve, authenticate, confirm_person

    io = _Io(interactive=not (pin_from_env or pins_only_from_env()), json_=json_)
    if day_end and incoming:
        raise BadInput(_("A day-end hand-in has no incoming clerk (--incoming)."))
    hctx = options(ctx).ctx(store)
    # Every value given is parsed, then checked against the store, before anything is written.
    scanned = _serials(serial, serials_file)
    counted = parse_counts(count)
    notes = parse_denominations(denominations) if denominations else None
    cash_fen = parse_fen(cash) if cash is not None else None

    out_no = outgoing or io.ask(_("Outgoing clerk (employee number)"), "--outgoing")
    if not cancel:
        # Every value given, and who is named, before a PIN is read or anything written:
        # a bad value leaves no started handover and no paused counter.
        ho.check_start(hctx, counter=counter, outgoing=out_no, day_end=day_end,
                       restart=restart, incoming=incoming, witness=witness,
                       reasons=(reason, stock_reason))
        ho.check_count(hctx, counter=counter, cash_fen=cash_fen, denominations=notes,
                       serials=scanned, counts=counted)
    actor = authenticate(hctx, empno=out_no, pin=io.pin(out_no, OUTGOING_PIN_ENV),
                         purpose="handover")
    hctx = hctx.as_actor(actor)

    if cancel:
        current = ho.active(hctx, counter=counter)
        if current is None:
            raise BadInput(_("No handover in progress at counter {counter}.").format(
                counter=counter))
        view = ho.cancel(hctx, handover_id=current.id,
                         reason=reason or io.ask(_("Why is it cancelled?"), "--reason"))
        io.say(_("Handover {number} cancelled.").format(number=view.number))
        if json_:
            print_json(_json(view))
        return

    view = ho.start(hctx, counter=counter, outgoing=actor, day_end=day_end, restart=restart)
    io.say(_("Handover {number}, counter {counter} ({kind}): {state}").format(
        number=view.number, counter=counter, kind=ho.kind_label(view.kind),
        state=ho.state_label(view.state)))

    # -- the blind count -----------------------------------------------------------------
    if view.state == "started":
        if cash_fen is None and notes is None:
            cash_fen, notes = parse_cash(io.ask(_("Cash counted (a total, or by denomination like "
                                             "100x4,50x1)"), "--cash"))
            if not scanned and not counted and io.interactive:
                scanned = parse_serials(_ask_serials(io))
                counted = parse_counts([io.ask(_("Items counted by quantity, SKU=N,… (empty: "
                                            "none)"), "--count", default="")])
        view = ho.submit_count(hctx, handover_id=view.id, cash_fen=cash_fen,
                               denominations=notes, serials=scanned, counts=counted)
    elif cash is not None or denominations or scanned or counted:
        io.say(_("Handover {number}: the count is already recorded and kept; the count given "
                 "now is not used (--restart counts afresh).").format(number=view.number))
    _show_count(io, view)

    # -- reasons and the witness -----------------------------------------------------------
    if view.state == "counted":
        cash_reason = reason
        if view.needs_cash_reason and not cash_reason and io.interactive:
            cash_reason = io.ask(_("Reason for the cash difference (长短款)"), "--reason")
        why_stock = stock_reason or reason
        if view.needs_stock_reason and not stock_reason and io.interactive:
            why_stock = io.ask(_("Reason for the stock difference"), "--stock-reason",
                               default=reason or None)
        who = None
        witness_no = witness
        if view.needs_witness and not witness_no and io.interactive:
            io.say(_("The difference is above {limit}: the duty manager witnesses (监交人).")
                   .format(limit=format_fen(view.threshold_fen)))
            witness_no = io.ask(_("Witness (employee number)"), "--witness")
        elif (not witness_no and io.interactive
              and (view.needs_cash_reason or view.needs_stock_reason)):
            witness_no = io.ask(_("Witness (employee number; empty: none)"), "--witness",
                                default="") or None
        if not io.interactive:
            _refuse_unless_complete(view, counter=counter, cash_reason=cash_reason,
                                    stock_reason=why_stock, witness=witness_no)
        if witness_no:
            who = approve(hctx, action="handover.witness", empno=witness_no,
                          pin=io.pin(witness_no, WITNESS_PIN_ENV))
        view = ho.review(hctx, handover_id=view.id, cash_reason=cash_reason,
                         stock_reason=why_stock, witness=who)

    # -- the incoming clerk takes over (or the drawer is handed in) ----------------------------
    if view.state == "reviewed":
        newcomer = None
        if view.kind == "shift":
            in_no = incoming or io.ask(_("Incoming clerk (employee number)"), "--incoming")
            if in_no.strip() == actor.empno:
                raise Refused(_("The incoming clerk must be another person than the outgoing "
                                "one."))
            newcomer = confirm_person(hctx, empno=in_no, pin=io.pin(in_no, INCOMING_PIN_ENV),
                                      purpose="handover")
        view = ho.finish(hctx, handover_id=view.id, incoming=newcomer)
    _show_pending(io, view)
    if view.kind == "shift":
        io.say(_("Handover {number} done: {empno} now serves at counter {counter}.").format(
            number=view.number, empno=view.incoming, counter=counter))
    else:
        io.say(_("Handover {number} done: the drawer is handed in; counter {counter} is "
                 "closed.").format(number=view.number, counter=counter))
    if json_:
        print_json(_json(view))


def _ask_serials(io: _Io) -> list[str]:
    """Scanned serials, one per prompt, until an empty line."""
    out: list[str] = []
    while True:
        value = io.ask(_("Scan a serial (empty line: done)"), "--serial", default="")
        if not value:
            return out
        out.append(value)


def _refuse_unless_complete(view, *, counter: int, cash_reason: str | None,
                            stock_reason: str | None, witness: str | None) -> None:
    """A scripted run missing a reason or the witness stops at a named, resumable step.

    The blind count is recorded (the clerk learns of a difference only once it is);
    the handover stays "counted" and the counter paused until the same command is run
    again with what is missing (the count is kept), or ``--cancel --reason``.
    """
    from hallterm.errors import Refused
    from hallterm.services.handover import state_label

    missing = []
    if view.needs_cash_reason and not (cash_reason or "").strip():
        missing.append("--reason TEXT")
    if view.needs_stock_reason and not (stock_reason or "").strip():
        missing.append("--stock-reason TEXT")
    if view.needs_witness and not (witness or "").strip():
        missing.append("--witness EMPNO")
    if missing:
        raise Refused(_("Handover {number}: the count is recorded and differs ({state}; counter "
                        "{counter} stays paused). To finish, run the same command again with "
                        "{options} (the count is kept); or give it up with --cancel --reason "
                        "TEXT.").format(number=view.number, state=state_label(view.state),
                                        counter=counter, options=" ".join(missing)))
