"""Service orders in the day: the Z report section, the export to HQ (customer data
minimised), open orders at handover and at the close, the manager's headline figure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from hallterm.context import Ctx
from hallterm.i18n import N_, _
from hallterm.services import figures, handover, sales
from hallterm.services.day import Section, register_blocker, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.services.orders.rules import (
    OUTCOMES,
    Paperwork,
    kind_label,
    missing_labels,
    state_label,
)
from hallterm.store import execute


def _session(uow_or_session):
    return getattr(uow_or_session, "session", uow_or_session)


def compute(uow_or_session, business_day: date) -> dict:
    """The orders section's figures: by kind and state, by clerk, the retention attempts
    and their outcomes, the filed forms with paperwork missing."""
    session = _session(uow_or_session)
    d = {"d": business_day.isoformat()}
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_clerk: dict[str, int] = defaultdict(int)
    for r in execute(session, "SELECT kind, state, clerk, COUNT(*) AS n FROM service_order "
                     "WHERE business_day = :d GROUP BY kind, state, clerk", d).all():
        by_kind[r.kind][r.state] += int(r.n)
        if r.state in ("completed", "retained"):
            by_clerk[r.clerk] += int(r.n)
    retention: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in execute(session, "SELECT o.kind, t.heard, t.outcome, COUNT(*) AS n FROM "
                     "retention_attempt t JOIN service_order o ON o.id = t.order_id WHERE "
                     "t.business_day = :d GROUP BY o.kind, t.heard, t.outcome", d).all():
        counts = retention[r.kind]
        counts["attempts"] += int(r.n)
        counts["heard"] += int(r.n) if r.heard else 0
        counts[r.outcome] += int(r.n)
    incomplete = []
    for r in execute(session, "SELECT o.order_no, o.kind, o.clerk, o.id_copy, o.form_signed, "
                     "o.photo, a.box_no, a.position FROM service_order o JOIN archive_position "
                     "a ON a.order_id = o.id WHERE o.business_day = :d ORDER BY o.order_no",
                     d).all():
        missing = Paperwork(bool(r.id_copy), bool(r.form_signed), bool(r.photo)).missing(r.kind)
        if missing:
            incomplete.append({"order_no": r.order_no, "kind": r.kind, "clerk": r.clerk,
                               "box_no": r.box_no, "position": r.position,
                               "missing": list(missing)})
    return {"by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
            "by_clerk": dict(sorted(by_clerk.items())),
            "retention": {k: dict(sorted(v.items())) for k, v in sorted(retention.items())},
            "incomplete": incomplete}


def render(figs: dict) -> list[str]:
    """The orders section as translated text lines."""
    out = [_("By kind:")]
    for kind, states in figs["by_kind"].items():
        out.append(f"  {kind_label(kind)}: " + ", ".join(
            f"{state_label(s)} {n}" for s, n in states.items()))
    if not figs["by_kind"]:
        out.append("  " + _("No orders."))
    out.append(_("By clerk (completed or retained):"))
    out += [f"  {k}: {n}" for k, n in figs["by_clerk"].items()]
    out.append(_("Retention attempts:"))
    for kind, c in figs["retention"].items():
        out.append(_("  {kind}: {attempts} attempts, offer heard {heard}, {outcomes}").format(
            kind=kind_label(kind), attempts=c.get("attempts", 0), heard=c.get("heard", 0),
            outcomes=", ".join(f"{_(label)} {c.get(o, 0)}" for o, label in OUTCOMES.items())))
    out.append(_("Paperwork incomplete:"))
    out += [_("  {order} ({box} #{position}): {missing}").format(
        order=x["order_no"], box=x["box_no"], position=x["position"],
        missing=missing_labels(x["missing"])) for x in figs["incomplete"]]
    if not figs["incomplete"]:
        out.append("  " + _("none"))
    return out


register_section(Section(key="orders", title=N_("Service orders"), compute=compute,
                         render=render, order=35))

register_export(ExportTable(
    name="service_orders", source="FROM service_order WHERE business_day = :day",
    fields=(("id", "integer", "Order id"),
            ("order_no", "string", "Order number O<yyyymmdd>-<n>"),
            ("business_day", "date", "Business day"), ("at", "datetime", "Taken at (UTC)"),
            ("kind", "string", "new_line, plan_change, sim_replace, cancel or port_out"),
            ("state", "string", "completed, retained, withdrawn (open: only after a forced "
             "close)"),
            ("counter", "integer", "Counter"), ("terminal", "string", "Terminal"),
            ("clerk", "string", "Clerk's employee number"), ("visit_id", "integer", "Visit"),
            ("customer_id", "integer", "The holder (customers export: keyed hash, masked)"),
            ("agent_id", "integer", "The agent acting for the holder (代办)"),
            ("guardian_id", "integer", "A minor's guardian"),
            ("line_id", "integer", "The line"),
            ("number", "string", "The mobile number (masked)"),
            ("plan_sku", "string", "The plan taken"),
            ("effective_on", "date", "When the plan takes effect"),
            ("iccid", "string", "The SIM given"), ("old_iccid", "string", "The SIM retired"),
            ("receipt_no", "string", "The sale of its payment"),
            ("id_copy", "boolean", "ID copy taken"), ("form_signed", "boolean", "Form signed"),
            ("photo", "boolean", "Photo taken"),
            ("completed_at", "datetime", "Completed at (UTC)"),
            ("reason", "string", "Why it was withdrawn")),
    primary_key=("id",), key_column="id", masked={"number": "phone"},
    description="Service orders area: the day's orders", order=35))
register_export(ExportTable(
    name="retention_attempts", source="FROM retention_attempt WHERE business_day = :day",
    fields=(("id", "integer", "Attempt id"), ("order_id", "integer", "The order"),
            ("business_day", "date", "Business day"), ("at", "datetime", "At (UTC)"),
            ("clerk", "string", "Who made the attempt"),
            ("heard", "boolean", "The customer agreed to hear an offer"),
            ("offer", "string", "The offer made"), ("outcome", "string", "stayed or left"),
            ("reason", "string", "The customer's reason")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["order_id"],
                   "reference": {"resource": "service_orders", "fields": ["id"]}},),
    description="Service orders area: retention attempts (维系挽留)", order=36))
register_export(ExportTable(
    name="archive_positions", source="FROM archive_position WHERE business_day = :day",
    fields=(("order_id", "integer", "The order"), ("business_day", "date", "Business day"),
            ("box_no", "string", "Archive box A<yyyymmdd>-<n>"),
            ("position", "integer", "Place in the box")),
    primary_key=("order_id",), key_column="order_id",
    foreign_keys=({"fields": ["order_id"],
                   "reference": {"resource": "service_orders", "fields": ["id"]}},),
    description="Service orders area: where each completed order's paper form is filed",
    order=37))


# -- open orders: at handover they pass on, at the close they block ----------------------
_OPEN = handover.pending_text(N_("Order {number} ({kind}) open at counter {counter}: first "
                                 "payment due"), translated=("kind",))


def _open_orders(session: Any, business_day: date, counter: int | None) -> list:
    where = "state = 'open' AND business_day = :d"
    params: dict[str, Any] = {"d": business_day.isoformat()}
    if counter is not None:
        where += " AND counter = :c"
        params["c"] = counter
    return execute(session, f"SELECT order_no, kind, counter FROM service_order WHERE "
                   f"{where} ORDER BY order_no", params).all()


@handover.register_pending
def _pending(session: Any, query: handover.PendingQuery) -> list[handover.PendingItem]:
    """Open orders at the counter pass to the incoming clerk."""
    from hallterm.services.orders.rules import KINDS

    return [handover.PendingItem("service_order", r.order_no, handover.pending_line(
        _OPEN, number=r.order_no, kind=KINDS.get(r.kind, r.kind), counter=r.counter))
        for r in _open_orders(session, query.business_day, query.counter)]


@register_blocker
def _open_at_close(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: an open order holds a number and a SIM; take its payment or withdraw it."""
    with ctx.store.read() as session:
        rows = _open_orders(session, business_day, None)
    return [_("Order {number} ({kind}) at counter {counter} is open: take its first payment "
              "or withdraw it.").format(number=r.order_no, kind=kind_label(r.kind),
                                        counter=r.counter) for r in rows]


@figures.register(order=35)
def _orders_today(ctx, business_day: date) -> list[tuple[str, str]]:
    """Headline: service orders completed today."""
    with ctx.store.read() as session:
        n = execute(session, "SELECT COUNT(*) FROM service_order WHERE business_day = :d AND "
                    "state = 'completed'", {"d": business_day.isoformat()}).scalar() or 0
    return [(_("Service orders"), str(int(n)))]


# -- a sale that paid for an order is not given back on its own ---------------------------
@sales.reversals.register_guard
def _paid_an_order(unit: Any, receipt_no: str) -> str | None:
    """A void or refund would put the SIM back in custody while the line stays in service:
    the order is undone by its own kind (a cancellation), not by the receipt."""
    row = unit.sql("SELECT order_no, kind FROM service_order WHERE receipt_no = :r AND "
                   "state = 'completed'", {"r": receipt_no}).first()
    if row is None:
        return None
    return _("Receipt {receipt} paid for service order {order} ({kind}); it is not given back "
             "on its own: cancel the line with an order instead.").format(
                 receipt=receipt_no, order=row.order_no, kind=kind_label(row.kind))
