"""Staff accounts (the ``staff`` table): add, PINs set, disable, unlock, list.

Who a member of staff is (``StaffInfo``), the role and employee-number rules, and the
hall manager's management of accounts. Signing in and PINs typed on someone's behalf
are in ``signin``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hallterm import security
from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Forbidden, NotFound
from hallterm.i18n import _
from hallterm.permissions import ROLES, require
from hallterm.textinput import digits, free_text


@dataclass(frozen=True)
class StaffInfo:
    """A staff member as lists and screens show them (never the PIN hash)."""

    id: int
    empno: str
    name: str
    roles: tuple[str, ...]
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    hard_locked: bool
    language: str | None


_COLUMNS = "id, empno, name, roles, pin_hash, active, failed_attempts, locked_until, language"


def _actor(row: Any) -> Actor:
    return Actor(id=row.id, empno=row.empno, name=row.name, roles=frozenset(row.roles.split()),
                 language=row.language)


def _thresholds(ctx: Ctx) -> tuple[int, int]:
    from hallterm.services.hall import get_hall

    t = get_hall(ctx).thresholds
    return t.pin_lockout_attempts, t.pin_lockout_minutes


def check_roles(roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Refuse unknown role names; returns them de-duplicated in table order."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise BadInput(
            _("Unknown role(s): {roles}. Roles: {known}").format(
                roles=", ".join(unknown) or "-", known=", ".join(ROLES)
            )
        )
    return tuple(r for r in ROLES if r in roles)


def check_empno(empno: str) -> str:
    """The one employee-number rule (``hallterm.empno``), for callers of this module."""
    from hallterm.empno import check_empno as check

    return check(empno)


# -- management ------------------------------------------------------------------------
def add_staff(ctx: Ctx, *, empno: str, name: str, roles: list[str], pin: str,
              command_id: str | None = None) -> StaffInfo:
    """Add a member of staff (hall manager only)."""
    require(ctx.actor, "staff.manage")
    empno = check_empno(empno)
    name = free_text(name, what=_("A name"))
    if not name or len(name) > 60:
        raise BadInput(_("A name is 1-60 characters."))
    roles_t = check_roles(roles)
    pin_hash = security.hash_pin(pin, ctx.pepper)

    def work(uow: UnitOfWork) -> StaffInfo:
        return insert_staff(uow, empno=empno, name=name, roles=roles_t, pin_hash=pin_hash)

    return run_write(ctx, "staff.add", work, command_id=command_id, result_type=StaffInfo)


def insert_staff(uow: UnitOfWork, *, empno: str, name: str, roles: tuple[str, ...],
                 pin_hash: str) -> StaffInfo:
    """Insert a staff row inside a write (used by ``add_staff``, ``init`` and the demo)."""
    if uow.sql("SELECT 1 FROM staff WHERE empno = :e", {"e": empno}).first():
        raise BadInput(_("Employee number {empno} already exists.").format(empno=empno))
    uow.sql(
        "INSERT INTO staff (empno, name, roles, pin_hash, active, failed_attempts, created_at) "
        "VALUES (:e, :n, :r, :h, TRUE, 0, :at)",
        {"e": empno, "n": name, "r": " ".join(roles), "h": pin_hash, "at": utc_text(uow.now)},
    )
    new_id = uow.sql("SELECT id FROM staff WHERE empno = :e", {"e": empno}).scalar()
    uow.audit("staff.add", entity="staff", entity_id=empno,
              payload={"name": name, "roles": list(roles)})
    return StaffInfo(new_id, empno, name, roles, True, 0, None, False, None)


def _get_row(uow: UnitOfWork, empno: str):
    row = uow.sql(f"SELECT {_COLUMNS} FROM staff WHERE empno = :e", {"e": empno}).first()
    if row is None:
        raise NotFound(_("No staff member with employee number {empno}.").format(empno=empno))
    return row


def set_pin(ctx: Ctx, *, empno: str, pin: str, command_id: str | None = None) -> None:
    """Set someone's PIN (a manager for anyone; anyone for themselves). Clears lockout."""
    empno = check_empno(empno)
    if ctx.actor is None or ctx.actor.empno != empno:
        require(ctx.actor, "staff.manage")
    pin_hash = security.hash_pin(pin, ctx.pepper)

    def work(uow: UnitOfWork) -> None:
        _get_row(uow, empno)
        uow.sql("UPDATE staff SET pin_hash = :h, failed_attempts = 0, locked_until = NULL "
                "WHERE empno = :e", {"h": pin_hash, "e": empno})
        uow.audit("staff.set_pin", entity="staff", entity_id=empno)

    run_write(ctx, "staff.set_pin", work, command_id=command_id)


def set_active(ctx: Ctx, *, empno: str, active: bool, command_id: str | None = None) -> None:
    """Disable (or re-enable) an account; a manager cannot disable themselves."""
    require(ctx.actor, "staff.manage")
    empno = check_empno(empno)
    if not active and ctx.actor and ctx.actor.empno == empno:
        raise BadInput(_("You cannot disable your own account."))

    def work(uow: UnitOfWork) -> None:
        _get_row(uow, empno)
        uow.sql("UPDATE staff SET active = :a WHERE empno = :e", {"a": bool(active), "e": empno})
        uow.audit("staff.enable" if active else "staff.disable", entity="staff", entity_id=empno)

    run_write(ctx, "staff.disable", work, command_id=command_id)


def unlock(ctx: Ctx, *, empno: str) -> None:
    """Clear a PIN lockout (hall manager)."""
    require(ctx.actor, "staff.unlock")
    empno = digits(empno)

    def work(uow: UnitOfWork) -> None:
        _get_row(uow, empno)
        uow.sql("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE empno = :e",
                {"e": empno})
        uow.audit("staff.unlock", entity="staff", entity_id=empno)

    run_write(ctx, "staff.unlock", work)


def set_language(ctx: Ctx, *, language: str) -> None:
    """Remember the signed-in person's language choice."""
    from hallterm.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise BadInput(_("Unknown language: {language}").format(language=language))
    actor = ctx.actor
    if actor is None:
        raise Forbidden(_("Sign in first."))

    def work(uow: UnitOfWork) -> None:
        uow.sql("UPDATE staff SET language = :l WHERE id = :i", {"l": language, "i": actor.id})
        uow.audit("staff.language", entity="staff", entity_id=actor.empno,
                  payload={"language": language})

    run_write(ctx, "staff.language", work)


def list_staff(ctx: Ctx) -> list[StaffInfo]:
    """Every member of staff, by employee number."""
    attempts, _minutes = _thresholds(ctx)
    from hallterm.store import execute

    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLUMNS} FROM staff ORDER BY empno").all()
    return [
        StaffInfo(r.id, r.empno, r.name, tuple(r.roles.split()), bool(r.active),
                  r.failed_attempts,
                  datetime.fromisoformat(r.locked_until).astimezone(ctx.clock.tz)
                  if r.locked_until else None,
                  r.failed_attempts >= 2 * attempts, r.language)
        for r in rows
    ]


def get_staff(ctx: Ctx, *, empno: str) -> StaffInfo:
    """One member of staff."""
    for info in list_staff(ctx):
        if info.empno == empno:
            return info
    raise NotFound(_("No staff member with employee number {empno}.").format(empno=empno))
