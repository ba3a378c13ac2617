"""``hallterm order list|show|archive|paperwork|pool|pool-add``: reading orders, the day's
archive boxes, paperwork brought later, the number pool (commands of ``cli.orders``)."""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    handle_errors,
    print_json,
    signed_in,
)
from hallterm.cli.orders import FORM_SIGNED, ID_COPY, PHOTO, app, plan_line
from hallterm.i18n import _

DAY = typer.Option(None, "--day", help=_("The business day (YYYY-MM-DD); default today."),
                   metavar="DATE")


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context, day: str | None = DAY,
    counter: int | None = typer.Option(None, "--counter", help=_("Only this counter."),
                                       metavar="N"),
    state: str | None = typer.Option(None, "--state", help=_(
        "Only orders in this state: open, completed, withdrawn or retained."), metavar="STATE"),
    as_: str | None = AS_OPTION, json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """List a day's service orders in number order."""
    from hallterm.cli.parse import parse_day
    from hallterm.services import customers, orders

    hctx = signed_in(ctx, as_, store, counter=counter)
    rows = orders.list_orders(hctx, business_day=parse_day(day), counter=counter, state=state)
    if json_:
        print_json(rows)
        return
    for r in rows:
        flag = "  " + _("paperwork missing: {missing}").format(
            missing=orders.missing_labels(r.missing)) if r.missing else ""
        typer.echo(f"{r.order_no}  {r.at:%H:%M}  {_('Counter {n}').format(n=r.counter)}  "
                   f"{r.clerk}  {orders.kind_label(r.kind)}  {customers.mask_phone(r.number)}  "
                   f"{orders.state_label(r.state)}  {r.receipt_no or ''}{flag}".rstrip())
    if not rows:
        typer.echo(_("No orders."))


@app.command("show")
@handle_errors
def show_cmd(
    ctx: typer.Context,
    order: str = typer.Argument(..., help=_("The order number, e.g. O20261125-0001.")),
    as_: str | None = AS_OPTION, json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Show an order: who (masked), what, when it takes effect, its receipt and archive place."""
    from hallterm.services import customers, orders

    hctx = signed_in(ctx, as_, store)
    view = orders.get_order(hctx, order_no=order)
    people = {role: customers.view(hctx, customer_id) for role, customer_id in (
        ("holder", view.customer_id), ("agent", view.agent_id),
        ("guardian", view.guardian_id)) if customer_id is not None}
    if json_:
        print_json({**view.__dict__, "effective": view.effective, "people": people})
        return
    typer.echo(_("Order {number}: {kind}, {state}").format(
        number=view.order_no, kind=orders.kind_label(view.kind),
        state=orders.state_label(view.state)))
    typer.echo(_("Taken {at:%Y-%m-%d %H:%M} at counter {counter} by {clerk}, visit {visit}"
                 ).format(at=view.at, counter=view.counter, clerk=view.clerk,
                          visit=view.visit_id))
    labels = {"holder": _("Holder"), "agent": _("Agent (代办)"), "guardian": _("Guardian")}
    for role, person in people.items():
        typer.echo(f"{labels[role]}: {person.name} {customers.doc_label(person.doc_type)} "
                   f"{person.id_masked}")
    typer.echo(_("Line {number}").format(number=view.number))
    if view.plan_sku:
        typer.echo(plan_line(view.plan_sku, view.effective if view.state != "withdrawn"
                             else None))
    pending = _pending(hctx, view)
    if pending is not None:
        typer.echo(_("The line's plan changes to {plan} on {date} (pending).").format(
            plan=pending.next_plan_sku, date=pending.next_plan_on))
    if view.iccid:
        typer.echo(_("SIM {iccid}").format(iccid=view.iccid))
    if view.old_iccid:
        typer.echo(_("Old SIM {iccid}").format(iccid=view.old_iccid))
    if view.receipt_no:
        typer.echo(_("Receipt {receipt}").format(receipt=view.receipt_no))
    if view.retention is not None:
        r = view.retention
        typer.echo(_("Retention by {clerk}: offer {offer}, outcome {outcome}, reason {reason}"
                     ).format(clerk=r.clerk, offer=r.offer or (_("not heard") if not r.heard
                                                              else "-"),
                              outcome=_(orders.OUTCOMES.get(r.outcome, r.outcome)),
                              reason=r.reason or "-"))
    if view.box_no:
        typer.echo(_("Filed: box {box}, place {position}").format(box=view.box_no,
                                                                  position=view.position))
    if view.missing:
        typer.echo(_("Paperwork missing: {missing}").format(
            missing=orders.missing_labels(view.missing)))
    if view.reason:
        typer.echo(_("Withdrawn: {reason}").format(reason=view.reason))


def _pending(hctx, view):
    """The order's line's plan change still to come (``LineNow``), if any."""
    from hallterm.errors import NotFound
    from hallterm.services import orders

    if view.kind == "cancel" or view.state != "completed":
        return None
    try:
        now = orders.get_line(hctx, number=view.number).now
    except NotFound:
        return None
    return now if now.next_plan_sku else None


@app.command("archive")
@handle_errors
def archive_cmd(
    ctx: typer.Context, day: str | None = DAY, as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """List a day's archive boxes and their forms, then the orders with paperwork missing."""
    from hallterm.cli.parse import parse_day
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    result = orders.archive(hctx, business_day=parse_day(day) or hctx.today())
    if json_:
        print_json({"business_day": result.business_day, "boxes": result.boxes,
                    "incomplete": [{"box_no": b, **f.__dict__} for b, f in result.incomplete]})
        return
    for box in result.boxes:
        typer.echo(_("Box {box} ({n} forms)").format(box=box.box_no, n=len(box.forms)))
        for f in box.forms:
            typer.echo(f"  {f.position:>3}  {f.order_no}  {orders.kind_label(f.kind)}  {f.clerk}")
    if not result.boxes:
        typer.echo(_("No forms filed on {day}.").format(day=result.business_day))
    typer.echo(_("Paperwork incomplete: {n}").format(n=len(result.incomplete)))
    for box_no, f in result.incomplete:
        typer.echo(f"  {f.order_no}  {box_no} #{f.position}  "
                   f"{orders.missing_labels(f.missing)}")


@app.command("paperwork")
@handle_errors
def paperwork_cmd(
    ctx: typer.Context,
    order: str = typer.Argument(..., help=_("The order number.")),
    id_copy: bool = ID_COPY, form_signed: bool = FORM_SIGNED, photo: bool = PHOTO,
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Record paperwork brought later for an order of the open day (audited)."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    papers = orders.set_paperwork(hctx, order_no=order, id_copy=id_copy,
                                  form_signed=form_signed, photo=photo, command_id=command_id)
    if json_:
        print_json(papers)
        return
    view = orders.get_order(hctx, order_no=order)
    typer.echo(_("Paperwork missing: {missing}").format(
        missing=orders.missing_labels(view.missing)) if view.missing
        else _("Paperwork complete."))


@app.command("pool")
@handle_errors
def pool_cmd(
    ctx: typer.Context,
    starting: str = typer.Option("", "--from", help=_("Numbers from this one on."),
                                 metavar="NUMBER"),
    limit: int = typer.Option(20, "--limit", help=_("How many."), metavar="N"),
    as_: str | None = AS_OPTION, json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """List free numbers of the hall's number pool."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    numbers = orders.free_numbers(hctx, limit=limit, starting=starting)
    if json_:
        print_json(numbers)
        return
    typer.echo("\n".join(numbers) if numbers else _("No free number."))


@app.command("pool-add")
@handle_errors
def pool_add_cmd(
    ctx: typer.Context,
    numbers: list[str] = typer.Argument(..., help=_("Mobile numbers to add.")),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Add numbers to the hall's number pool (hall manager)."""
    from hallterm.services import orders

    hctx = signed_in(ctx, as_, store)
    added = orders.add_numbers(hctx, numbers=numbers, command_id=command_id)
    if json_:
        print_json(added)
        return
    typer.echo(_("{added} numbers added ({already} already in the pool).").format(
        added=added.added, already=added.already))
