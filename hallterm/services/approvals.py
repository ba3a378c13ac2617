"""The second-person rule (双人复核) in one place: who may approve or witness an action.

An action that needs a second person (``permissions.APPROVERS``: a void, a refund,
a price override, a large cash movement, a stock write-off or adjustment, moving
valuable cards, witnessing a handover) is checked here, and only here:

- ``check_second`` — inside the write (or its check), the person passed in was
  given, is not the one doing the action, and holds a role that may approve it;
- ``refuse_own`` — before a PIN is even asked, an employee number that is the
  signed-in person's own is refused (``staff.approve`` asks this first).

The PIN itself is checked by ``staff.approve``/``staff.confirm_person``, which call
``check_second`` on the person their PIN names.
"""

from __future__ import annotations

from hallterm.context import Actor, Ctx
from hallterm.errors import ApprovalRequired, BadInput, Forbidden
from hallterm.i18n import N_, _
from hallterm.permissions import APPROVERS, ROLES, role_label

# What a missing second person is called, by area (the words each post has always used).
_MISSING: dict[str, str] = {
    "sale": N_("This needs the duty manager's approval ({action})."),
    "stock": N_("This needs a second person's PIN ({action})."),
}
_MISSING_OTHER = N_("This needs a second person's approval ({action}).")


def approver_roles(action: str) -> frozenset[str]:
    """The roles that may approve ``action`` (an action without a rule is a bug)."""
    roles = APPROVERS.get(action)
    if roles is None:
        raise BadInput(f"no approval rule for {action!r}")
    return roles


def refuse_own(actor: Actor | None, empno: str) -> None:
    """The signed-in person cannot be their own second person (checked before the PIN)."""
    if actor is not None and empno == actor.empno:
        raise Forbidden(_("You cannot approve your own action; another person must."))


def check_second(ctx: Ctx, second: Actor | None, action: str) -> Actor:
    """The second person for ``action``: given, another person, holding an approving role.

    Raises ``ApprovalRequired`` when nobody was given, ``Forbidden`` when it is the
    signed-in person or someone whose roles may not approve ``action``.
    """
    roles = approver_roles(action)
    if second is None:
        text = _MISSING.get(action.split(".", 1)[0], _MISSING_OTHER)
        raise ApprovalRequired(_(text).format(action=action))
    if ctx.actor is not None and second.id == ctx.actor.id:
        raise Forbidden(_("You cannot approve your own action; another person must."))
    if not second.roles & roles:
        raise Forbidden(_("{name} ({empno}) may not approve this; it needs: {roles}").format(
            name=second.name, empno=second.empno,
            roles=", ".join(role_label(r) for r in ROLES if r in roles)))
    return second
