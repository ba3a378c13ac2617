"""``hallterm order``: service orders at a counter (new line, plan change, SIM replacement,
cancellation, port-out enquiry), paying or withdrawing an open order, and reading them
(list, show, archive); the number pool.

A new line with ``--pay METHOD`` (and ``--tendered`` for cash, ``--reference`` for a
card or QR payment) completes at once, its first payment sold through the sales area;
without ``--pay`` it stays open, first payment due (``order pay`` or ``order withdraw``).
"""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    print_json,
    signed_in,
)
from hallterm.i18n import _, ngettext

app = group(_("Service orders: new lines, plan changes, SIM replacement, cancellation, "
              "port-out; list, show, archive."))

COUNTER = typer.Option(..., "--counter", help=_("Your counter."), metavar="N")
LINE = typer.Option(..., "--number", help=_("The mobile number (the line)."), metavar="NUMBER")
ID_TYPE = typer.Option(None, "--id-type", help=_(
    "The holder's document type: resident, temporary, household, hk_macao_permit, "
    "taiwan_permit, hmt_residence, foreign_pr or passport (default: from the number)."),
    metavar="TYPE")
ID_NUMBER = typer.Option(..., "--id-number", help=_("The holder's document number."),
                         metavar="NUMBER")
NAME = typer.Option(..., "--name", help=_("The holder's name as on the document."),
                    metavar="NAME")
PHONE = typer.Option(None, "--phone", help=_("The holder's contact phone."), metavar="PHONE")
AGENT_TYPE = typer.Option(None, "--agent-id-type", help=_("An agent's document type (代办)."),
                          metavar="TYPE")
AGENT_NUMBER = typer.Option(None, "--agent-id-number", help=_(
    "An agent acting for the holder (代办): the agent's document number."), metavar="NUMBER")
AGENT_NAME = typer.Option(None, "--agent-name", help=_("The agent's name."), metavar="NAME")
GUARDIAN_TYPE = typer.Option(None, "--guardian-id-type", help=_(
    "A minor's guardian: the document type."), metavar="TYPE")
GUARDIAN_NUMBER = typer.Option(None, "--guardian-id-number", help=_(
    "A minor's guardian: the document number."), metavar="NUMBER")
GUARDIAN_NAME = typer.Option(None, "--guardian-name", help=_("The guardian's name."),
                             metavar="NAME")
ID_COPY = typer.Option(False, "--id-copy", help=_("The ID copy was taken."))
FORM_SIGNED = typer.Option(False, "--form-signed", help=_("The form was signed."))
PHOTO = typer.Option(False, "--photo", help=_("The customer's photo was taken."))
PAY = typer.Option(None, "--pay", help=_(
    "Take the payment now: cash, card, wechat or alipay."), metavar="METHOD")
TENDERED = typer.Option(None, "--tendered", help=_(
    "Cash handed over (default: the amount due)."), metavar="YUAN")
REFERENCE = typer.Option(None, "--reference", help=_(
    "The card or QR terminal's reference number."), metavar="REF")
VISIT = typer.Option(None, "--visit", help=_("The visit (default: a walk-up visit)."),
                     metavar="ID")
OFFER = typer.Option(None, "--offer", help=_("The retention offer made."), metavar="TEXT")
OUTCOME = typer.Option(..., "--outcome", help=_(
    "stayed (the customer keeps the line) or left (goes ahead)."), metavar="OUTCOME")
WHY = typer.Option(None, "--reason", help=_("The customer's reason for leaving."),
                   metavar="TEXT")


def _person(doc_type, number, name, phone=None, *, who: str):
    """A ``customers.Person`` from options, or ``None`` when none was given."""
    from hallterm.errors import BadInput
    from hallterm.services import customers

    if number is None and name is None:
        return None
    if not number or not name:
        raise BadInput(_("Give --{who}-id-number and --{who}-name together.").format(who=who))
    return customers.Person(doc_type, number, name, phone)


def _people(agent: tuple, guardian: tuple) -> dict:
    return {"agent": _person(*agent, who="agent"),
            "guardian": _person(*guardian, who="guardian")}


def _papers(id_copy: bool, form_signed: bool, photo: bool):
    from hallterm.services import orders

    return orders.Paperwork(id_copy, form_signed, photo)


def _payments(method: str | None, tendered: str | None, reference: str | None, due_fen: int):
    """The payments for ``due_fen`` as the options give them, or ``None`` without --pay."""
    from hallterm.errors import BadInput
    from hallterm.money import parse_fen
    from hallterm.services.sales import CASH, PaymentIn

    if method is None:
        if tendered or reference:
            raise BadInput(_("--tendered and --reference go with --pay."))
        return None
    if due_fen == 0:
        return []
    if method == CASH:
        return [PaymentIn(CASH, due_fen, parse_fen(tendered) if tendered else due_fen)]
    return [PaymentIn(method, due_fen, reference=reference)]


def plan_line(plan: str, when: str | None) -> str:
    """``Plan X: takes effect …``; a withdrawn order's plan takes effect never, so no when."""
    if when is None:
        return _("Plan {plan}").format(plan=plan)
    return _("Plan {plan}: {when}").format(plan=plan, when=when)


def replaced_line(plan: str, on) -> str:
    """A plan change that replaced the line's pending one says so."""
    return _("Replaces the pending change to {plan} on {date}.").format(plan=plan, date=on)


def _show_done(done, json_: bool) -> None:
    """What an order write did, for the clerk and the customer (告知开通时间)."""
    from hallterm.money import format_fen
    from hallterm.services import orders

    if json_:
        print_json({**done.__dict__, "effective": done.effective})
        return
    typer.echo(_("Order {number} ({kind}) {state}: line {line}").format(
        number=done.order_no, kind=orders.kind_label(done.kind),
        state=orders.state_label(done.state), line=done.number))
    if done.plan_sku:
        typer.echo(plan_line(done.plan_sku, done.effective if done.state != "withdrawn"
                             else None))
    if done.replaced_plan:
        typer.echo(replaced_line(done.replaced_plan, done.replaced_on))
    if done.iccid:
        typer.echo(_("SIM {iccid}").format(iccid=done.iccid)
                   + (_(" (replaces {old}, retired)").format(old=done.old_iccid)
                      if done.old_iccid and done.kind == "sim_replace" else ""))
    if done.receipt_no:
        typer.echo(_("Receipt {receipt}: {total}, received {tendered}, change {change}").format(
            receipt=done.receipt_no, total=format_fen(done.total_fen),
            tendered=format_fen(done.tendered_fen), change=format_fen(done.change_fen)))
    if done.state == "open":
        typer.echo(_("First payment due: hallterm order pay {number} --pay METHOD").format(
            number=done.order_no))
    if done.box_no:
        typer.echo(_("Filed: box {box}, place {position}").format(box=done.box_no,
                                                                  position=done.position))
    if done.missing:
        typer.echo(_("Paperwork missing: {missing}").format(
            missing=orders.missing_labels(done.missing)))
    if done.lines_held is not None:
        typer.echo(ngettext("This ID now holds {n} line with this operator.",
                            "This ID now holds {n} lines with this operator.",
                            done.lines_held).format(n=done.lines_held))


@app.command("new-line")
@handle_errors
def new_line_cmd(
    ctx: typer.Context, counter: int = COUNTER,
    id_type: str | None = ID_TYPE, id_number: str = ID_NUMBER, name: str = NAME,
    phone: str | None = PHONE,
    number: str | None = typer.Option(None, "--number", help=_(
        "The number from the pool (default: the next free one)."), metavar="NUMBER"),
    iccid: str = typer.Option(..., "--iccid", help=_("The SIM's ICCID (from your custody)."),
                              metavar="ICCID"),
    plan: str = typer.Option(..., "--plan", help=_("The plan's SKU."), metavar="SKU"),
    agent_type: str | None = AGENT_TYPE, agent_number: str | None = AGENT_NUMBER,
    agent_name: str | None = AGENT_NAME, guardian_type: str | None = GUARDIAN_TYPE,
    guardian_number: str | None = GUARDIAN_NUMBER, guardian_name: str | None = GUARDIAN_NAME,
    id_copy: bool = ID_COPY, form_signed: bool = FORM_SIGNED, photo: bool = PHOTO,
    pay: str | None = PAY, tendered: str | None = TENDERED, reference: str | None = REFERENCE,
    visit: int | None = VISIT, as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION, json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Open a new line (新装入网): identity, number, SIM, plan; --pay takes the first payment."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    due = orders.amount_due(hctx, plan=plan, iccid=iccid) if pay else 0
    done = orders.new_line(
        hctx, counter=counter, holder=_person(id_type, id_number, name, phone, who="holder"),
        number=number, iccid=iccid, plan=plan,
        **_people((agent_type, agent_number, agent_name),
                  (guardian_type, guardian_number, guardian_name)),
        paperwork=_papers(id_copy, form_signed, photo),
        payments=_payments(pay, tendered, reference, due), visit_id=visit,
        command_id=command_id)
    _show_done(done, json_)


@app.command("pay")
@handle_errors
def pay_cmd(
    ctx: typer.Context,
    order: str = typer.Argument(..., help=_("The open order's number.")),
    pay: str = typer.Option(..., "--pay", help=_("cash, card, wechat or alipay."),
                            metavar="METHOD"),
    tendered: str | None = TENDERED, reference: str | None = REFERENCE,
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Take an open new line's first payment: the order completes."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    view = orders.get_order(hctx, order_no=order)
    due = orders.amount_due(hctx, plan=view.plan_sku, iccid=view.iccid)
    done = orders.pay(hctx, order_no=order, payments=_payments(pay, tendered, reference, due)
                      or [], command_id=command_id)
    _show_done(done, json_)


@app.command("withdraw")
@handle_errors
def withdraw_cmd(
    ctx: typer.Context,
    order: str = typer.Argument(..., help=_("The open order's number.")),
    reason: str = typer.Option(..., "--reason", help=_("Why it is withdrawn."),
                               metavar="TEXT"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Withdraw an open order before it completes (audited); its number goes back."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    _show_done(orders.withdraw(hctx, order_no=order, reason=reason, command_id=command_id),
               json_)


@app.command("plan-change")
@handle_errors
def plan_change_cmd(
    ctx: typer.Context, counter: int = COUNTER, number: str = LINE,
    plan: str = typer.Option(..., "--plan", help=_("The new plan's SKU."), metavar="SKU"),
    id_type: str | None = ID_TYPE, id_number: str = ID_NUMBER, name: str = NAME,
    agent_type: str | None = AGENT_TYPE, agent_number: str | None = AGENT_NUMBER,
    agent_name: str | None = AGENT_NAME, guardian_type: str | None = GUARDIAN_TYPE,
    guardian_number: str | None = GUARDIAN_NUMBER, guardian_name: str | None = GUARDIAN_NAME,
    id_copy: bool = ID_COPY, form_signed: bool = FORM_SIGNED, visit: int | None = VISIT,
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Change a line's plan: from the next billing month unless the plan says immediately."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    done = orders.plan_change(
        hctx, counter=counter, number=number, plan=plan,
        holder=_person(id_type, id_number, name, who="holder"),
        **_people((agent_type, agent_number, agent_name),
                  (guardian_type, guardian_number, guardian_name)),
        paperwork=_papers(id_copy, form_signed, False), visit_id=visit, command_id=command_id)
    _show_done(done, json_)


@app.command("sim-replace")
@handle_errors
def sim_replace_cmd(
    ctx: typer.Context, counter: int = COUNTER, number: str = LINE,
    iccid: str = typer.Option(..., "--iccid", help=_("The new SIM's ICCID (from your "
                                                     "custody)."), metavar="ICCID"),
    id_type: str | None = ID_TYPE, id_number: str = ID_NUMBER, name: str = NAME,
    agent_type: str | None = AGENT_TYPE, agent_number: str | None = AGENT_NUMBER,
    agent_name: str | None = AGENT_NAME, guardian_type: str | None = GUARDIAN_TYPE,
    guardian_number: str | None = GUARDIAN_NUMBER, guardian_name: str | None = GUARDIAN_NAME,
    id_copy: bool = ID_COPY, form_signed: bool = FORM_SIGNED,
    pay: str | None = PAY, tendered: str | None = TENDERED, reference: str | None = REFERENCE,
    visit: int | None = VISIT, as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION, json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Replace a line's SIM (补换卡): the new one from your custody, the old one retired."""
    from hallterm.errors import BadInput
    from hallterm.money import format_fen
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    due = orders.amount_due(hctx, iccid=iccid)
    if due and not pay:
        raise BadInput(_("The new SIM costs {due}: give --pay METHOD.").format(
            due=format_fen(due)))
    done = orders.sim_replace(
        hctx, counter=counter, number=number, iccid=iccid,
        holder=_person(id_type, id_number, name, who="holder"),
        **_people((agent_type, agent_number, agent_name),
                  (guardian_type, guardian_number, guardian_name)),
        paperwork=_papers(id_copy, form_signed, False),
        payments=_payments(pay, tendered, reference, due) or [], visit_id=visit,
        command_id=command_id)
    _show_done(done, json_)


@app.command("cancel")
@handle_errors
def cancel_cmd(
    ctx: typer.Context, counter: int = COUNTER, number: str = LINE,
    outcome: str = OUTCOME, offer: str | None = OFFER, reason: str | None = WHY,
    id_type: str | None = ID_TYPE, id_number: str = ID_NUMBER, name: str = NAME,
    agent_type: str | None = AGENT_TYPE, agent_number: str | None = AGENT_NUMBER,
    agent_name: str | None = AGENT_NAME, guardian_type: str | None = GUARDIAN_TYPE,
    guardian_number: str | None = GUARDIAN_NUMBER, guardian_name: str | None = GUARDIAN_NAME,
    id_copy: bool = ID_COPY, form_signed: bool = FORM_SIGNED, visit: int | None = VISIT,
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Cancel a line (销户) after the retention attempt (--offer, --outcome, --reason)."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    done = orders.cancel_line(
        hctx, counter=counter, number=number,
        retention=orders.Retention(outcome, True, offer, reason),
        holder=_person(id_type, id_number, name, who="holder"),
        **_people((agent_type, agent_number, agent_name),
                  (guardian_type, guardian_number, guardian_name)),
        paperwork=_papers(id_copy, form_signed, False), visit_id=visit, command_id=command_id)
    _show_done(done, json_)


@app.command("port-out")
@handle_errors
def port_out_cmd(
    ctx: typer.Context, counter: int = COUNTER, number: str = LINE,
    outcome: str = OUTCOME,
    heard: bool = typer.Option(False, "--heard", help=_(
        "The customer agreed to hear an offer (only then is --offer recorded)."), ),
    offer: str | None = OFFER, reason: str | None = WHY,
    id_type: str | None = ID_TYPE, id_number: str = ID_NUMBER, name: str = NAME,
    agent_type: str | None = AGENT_TYPE, agent_number: str | None = AGENT_NUMBER,
    agent_name: str | None = AGENT_NAME, guardian_type: str | None = GUARDIAN_TYPE,
    guardian_number: str | None = GUARDIAN_NUMBER, guardian_name: str | None = GUARDIAN_NAME,
    form_signed: bool = FORM_SIGNED, visit: int | None = VISIT,
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Record a port-out enquiry (携号转网) and its outcome: never blocked."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    done = orders.port_out(
        hctx, counter=counter, number=number,
        retention=orders.Retention(outcome, heard, offer, reason),
        holder=_person(id_type, id_number, name, who="holder"),
        **_people((agent_type, agent_number, agent_name),
                  (guardian_type, guardian_number, guardian_name)),
        paperwork=_papers(False, form_signed, False), visit_id=visit, command_id=command_id)
    _show_done(done, json_)


from hallterm.cli import orders_read as _orders_read  # noqa: E402,F401  (list, show, archive, pool)
