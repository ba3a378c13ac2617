"""Roles and what they may do: the one table screens and services both read.

A permission is a dotted name: ``screen.<post>`` to open a post's screen, other
names for actions. ``APPROVERS`` says which roles may authorise an action as the
second person. Later areas add their rows here, in this one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hallterm.errors import Forbidden
from hallterm.i18n import N_, _

if TYPE_CHECKING:
    from hallterm.context import Actor

MANAGER = "manager"
DUTY_MANAGER = "duty_manager"
GUIDE = "guide"
SALES = "sales"
ACCEPTANCE = "acceptance"
COMPLAINTS = "complaints"
RETENTION = "retention"
WAREHOUSE = "warehouse"
AUDITOR = "auditor"
TRAINER = "trainer"

ROLES: dict[str, str] = {
    MANAGER: N_("Hall manager"),
    DUTY_MANAGER: N_("Duty manager"),
    GUIDE: N_("Guide"),
    SALES: N_("Sales"),
    ACCEPTANCE: N_("Acceptance"),
    COMPLAINTS: N_("Complaints"),
    RETENTION: N_("Retention"),
    WAREHOUSE: N_("Warehouse keeper"),
    AUDITOR: N_("Auditor"),
    TRAINER: N_("Trainer"),
}

COUNTER_ROLES = frozenset({SALES, ACCEPTANCE, COMPLAINTS, RETENTION})
MANAGERS = frozenset({MANAGER, DUTY_MANAGER})

PERMISSIONS: dict[str, frozenset[str]] = {
    # staff and configuration
    "staff.manage": frozenset({MANAGER}),
    "staff.list": frozenset({MANAGER, DUTY_MANAGER, AUDITOR}),
    "staff.unlock": frozenset({MANAGER}),
    "hall.load": frozenset({MANAGER}),
    "catalog.load": frozenset({MANAGER}),
    # the business day
    "day.open": frozenset({MANAGER}),
    "day.close": frozenset({MANAGER}),
    "day.force_close": frozenset({MANAGER}),
    "day.figures": frozenset({MANAGER}),  # the headline figures on home
    "day.xreport": MANAGERS,  # the interim X report: figures so far, nothing locked
    # audit
    "audit.read": frozenset({MANAGER, AUDITOR}),
    "audit.verify": frozenset({MANAGER, AUDITOR}),
    "data.reveal": frozenset({MANAGER, AUDITOR, ACCEPTANCE}),
    # customers (masked): the counters, the managers, the auditor
    "customer.read": COUNTER_ROLES | MANAGERS | frozenset({AUDITOR}),
    # the audit review (稽核): only the auditor reviews; the hall manager reads it; the
    # owner of a record (whoever they are) rectifies an exception on it
    "review.audit": frozenset({AUDITOR}),
    "review.read": frozenset({AUDITOR, MANAGER}),
    "review.rectify": frozenset(ROLES),
    # queue
    "queue.issue": frozenset({GUIDE, MANAGER, DUTY_MANAGER}),
    "queue.manage": frozenset({GUIDE, MANAGER, DUTY_MANAGER}),
    "queue.serve": COUNTER_ROLES | MANAGERS,
    "counter.manage": frozenset({GUIDE, MANAGER, DUTY_MANAGER}),
    # sales and money
    "sale.sell": frozenset({SALES, ACCEPTANCE}),
    "sale.reprint": COUNTER_ROLES | MANAGERS,  # a copy of a receipt (重打)
    "cash.move": frozenset({SALES, ACCEPTANCE, DUTY_MANAGER, MANAGER}),
    # service orders (业务受理): new lines, plan changes, SIM replacement at the counter;
    # cancellation and port-out with their retention attempt (维系挽留)
    "order.accept": frozenset({ACCEPTANCE, SALES}),
    "order.retain": frozenset({RETENTION, ACCEPTANCE}),
    "order.withdraw": frozenset({ACCEPTANCE, SALES, RETENTION}) | MANAGERS,
    "order.read": COUNTER_ROLES | MANAGERS | frozenset({AUDITOR}),
    "order.pool": frozenset({MANAGER}),
    # stock
    "stock.move": frozenset({WAREHOUSE}),
    "stock.read": frozenset({WAREHOUSE, MANAGER, AUDITOR, DUTY_MANAGER}),
    "stock.stocktake": frozenset({WAREHOUSE}),
    # shift handover
    "handover.run": COUNTER_ROLES | MANAGERS,
    # complaints (投诉): taken at the complaints desk or any counter; the taker owns it
    "complaint.open": COUNTER_ROLES | MANAGERS,
    "complaint.work": COUNTER_ROLES | MANAGERS,  # stages, pause, transfer, close (the owner)
    "complaint.read": COUNTER_ROLES | MANAGERS | {AUDITOR},
    # screens (posts)
    "screen.reception": frozenset({GUIDE, MANAGER, DUTY_MANAGER}),
    "screen.sales": frozenset({SALES, ACCEPTANCE}),
    "screen.complaints": frozenset({COMPLAINTS, RETENTION, MANAGER, DUTY_MANAGER}),
    "screen.warehouse": frozenset({WAREHOUSE, MANAGER, AUDITOR}),
    "screen.audit": frozenset({AUDITOR, MANAGER}),
    "screen.handover": frozenset({DUTY_MANAGER, MANAGER}),
    "screen.day": MANAGERS,  # the Day screen: blockers, X report; closing is the hall manager's
}

# Who may be the second person (authorise with their PIN) for an action.
APPROVERS: dict[str, frozenset[str]] = {
    "sale.void": MANAGERS,
    "sale.refund": MANAGERS,
    "sale.price_override": MANAGERS,
    "cash.move_large": MANAGERS,
    "stock.adjust": frozenset({MANAGER}),
    "stock.write_off": frozenset({MANAGER}),
    "stock.valuable_card": frozenset({WAREHOUSE, MANAGER, DUTY_MANAGER}),
    "handover.witness": MANAGERS,
    "complaint.compensation": MANAGERS,  # up to the hall's compensation_approval_fen
    "complaint.compensation_large": frozenset({MANAGER}),  # above it
    "test.approve": MANAGERS,
}


def allowed(roles: Iterable[str], permission: str) -> bool:
    """Whether any of ``roles`` grants ``permission`` (unknown permissions: nobody)."""
    granted = PERMISSIONS.get(permission, frozenset())
    return any(role in granted for role in roles)


def require(actor: Actor | None, permission: str) -> Actor:
    """Refuse unless the acting person holds a role that grants ``permission``.

    Returns the person, so a caller goes on with an ``Actor``, not ``Actor | None``:
    ``actor = require(ctx.actor, "sale.void")``.
    """
    if actor is None:
        raise Forbidden(_("Sign in first."))
    if not allowed(actor.roles, permission):
        raise Forbidden(
            _("{name} ({empno}) may not do this: {permission}").format(
                name=actor.name, empno=actor.empno, permission=permission
            )
        )
    return actor


def role_label(role: str) -> str:
    """A role's name in the current language."""
    return _(ROLES.get(role, role))
