"""Staff, sign-in, PIN lockout and second-person approval (双人复核 / 授权).

Failed sign-in PINs are counted in the store, so every terminal of the hall sees the
same count: after ``pin_lockout_attempts`` failures the account waits
``pin_lockout_minutes``; after twice that many only a hall manager can unlock it. An
unknown employee number and a wrong PIN get the same answer after the same work.

PINs typed on someone's behalf (a manager's approval, a receiving clerk's
confirmation) never count against that person's sign-in: they count per terminal
(``approval_attempts`` within ``approval_wait_minutes`` make the terminal's approvals
wait), and the person is told (``approval_alerts``). Every failure, lock, wait,
sign-in and approval is an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from hallterm import security
from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import AuthFailed
from hallterm.i18n import _
from hallterm.services import approvals
from hallterm.services.staff.accounts import _COLUMNS, _actor, _thresholds
from hallterm.textinput import digits

SECOND_PERSON = frozenset({"approve", "confirm"})
"""PIN purposes typed on someone else's behalf: limited per terminal, not per account."""


def wrong_pin_message() -> str:
    """The one answer for an unknown employee number and a wrong PIN (no enumeration)."""
    return _("Unknown employee number or wrong PIN.")


def authenticate(ctx: Ctx, *, empno: str, pin: str, purpose: str = "signin",
                 exclude_id: int | None = None) -> Actor:
    """Check an employee number and PIN; count failures; return the person.

    ``purpose`` names the audit action (``signin``, ``cli``, ``unlock``, ``approve``,
    ``confirm``). An unknown number and a wrong PIN get the same answer after the same
    work (one Argon2 check each), so staff numbers cannot be found by trying. Wrong PINs
    typed on someone's behalf (``approve``, ``confirm``) count against this terminal,
    never against that person's sign-in (``_second_person``). Raises ``AuthFailed``.
    """
    if purpose in SECOND_PERSON:
        return _second_person(ctx, empno=empno, pin=pin, purpose=purpose,
                              exclude_id=exclude_id)
    attempts, minutes = _thresholds(ctx)
    empno = digits(empno)  # "８００１" is 8001, never a second account

    def work(uow: UnitOfWork) -> tuple[Actor | None, str | None]:
        row = uow.sql(f"SELECT {_COLUMNS} FROM staff WHERE empno = :e", {"e": empno}).first()
        if row is None:
            security.dummy_verify(pin, ctx.pepper)  # as long as a wrong PIN takes
            # Never the typed text: it may be a PIN typed into the wrong field.
            uow.audit(f"auth.{purpose}.unknown", entity="staff",
                      entity_id=security.unknown_tag(empno, ctx.pepper))
            return None, wrong_pin_message()
        actor = _actor(row)
        if exclude_id is not None and actor.id == exclude_id:
            uow.audit(f"auth.{purpose}.self", entity="staff", entity_id=empno)
            return None, _("You cannot approve or confirm your own action.")
        locked = _locked_message(uow, row, attempts)
        if locked is not None:
            security.dummy_verify(pin, ctx.pepper)
            uow.audit(f"auth.{purpose}.locked", entity="staff", entity_id=empno)
            return None, locked
        if security.verify_pin(row.pin_hash, pin, ctx.pepper):
            if not row.active:  # said only to someone who knows the PIN
                uow.audit(f"auth.{purpose}.disabled", entity="staff", entity_id=empno)
                return None, _disabled_message(empno)
            uow.sql("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = :i",
                    {"i": actor.id})
            if security.needs_rehash(row.pin_hash):  # made with older Argon2 parameters
                uow.sql("UPDATE staff SET pin_hash = :h WHERE id = :i",
                        {"h": security.hash_pin(pin, ctx.pepper), "i": actor.id})
            uow.audit(f"auth.{purpose}", entity="staff", entity_id=empno, actor=actor)
            return actor, None
        failed = row.failed_attempts + 1
        until = None
        message = wrong_pin_message()
        if failed >= 2 * attempts:
            message = _("Wrong PIN. Account {empno} is now locked; only the hall manager can "
                        "unlock it.").format(empno=empno)
        elif failed % attempts == 0:
            until = uow.now + timedelta(minutes=minutes)
            message = _("Wrong PIN. Account {empno} is locked for {minutes} minute(s).").format(
                empno=empno, minutes=minutes)
        uow.sql("UPDATE staff SET failed_attempts = :f, locked_until = :u WHERE id = :i",
                {"f": failed, "u": utc_text(until) if until else None, "i": actor.id})
        uow.audit(f"auth.{purpose}.failed", entity="staff", entity_id=empno,
                  payload={"failed_attempts": failed, "locked": until is not None
                           or failed >= 2 * attempts})
        return None, message

    actor, message = run_write(ctx.as_actor(ctx.actor), f"auth.{purpose}", work)
    if actor is None:
        raise AuthFailed(message or _("Sign-in refused."))
    return actor


def _disabled_message(empno: str) -> str:
    return _("Account {empno} is disabled; ask the hall manager.").format(empno=empno)


def _locked_message(uow: UnitOfWork, row: Any, attempts: int) -> str | None:
    """Why the account of ``row`` is locked for sign-in now, or None."""
    empno = row.empno
    if row.failed_attempts >= 2 * attempts:
        return _("Account {empno} is locked; only the hall manager can unlock it.").format(
            empno=empno)
    locked_until = datetime.fromisoformat(row.locked_until) if row.locked_until else None
    if locked_until is not None and locked_until > uow.now:
        left = max(1, int((locked_until - uow.now).total_seconds() + 59) // 60)
        return _("Account {empno} is locked for {minutes} more minute(s).").format(
            empno=empno, minutes=left)
    return None


# -- PINs typed on someone's behalf: limited per terminal ------------------------------
def _approval_limits(ctx: Ctx) -> tuple[int, int]:
    from hallterm.services.hall import get_hall

    t = get_hall(ctx).thresholds
    return t.approval_attempts, t.approval_wait_minutes


def _terminal_failures(sql, terminal: str, now: datetime, limit: int,
                       minutes: int) -> list[datetime]:
    """A terminal's latest wrong second-person PINs (newest first) since its last good one.

    ``sql(text, params)`` runs a query (a write's ``uow.sql`` or a read session's).
    """
    since = utc_text(now - timedelta(minutes=2 * minutes))
    rows = sql(
        "SELECT action, at FROM audit_log WHERE terminal = :t AND at >= :since AND action IN "
        "('auth.approve', 'auth.confirm', 'auth.approve.failed', 'auth.confirm.failed', "
        "'auth.approve.unknown', 'auth.confirm.unknown') ORDER BY at DESC, seq DESC",
        {"t": terminal, "since": since}).all()
    out: list[datetime] = []
    for r in rows:
        if r.action in ("auth.approve", "auth.confirm") or len(out) >= limit:
            break
        out.append(datetime.fromisoformat(r.at) if isinstance(r.at, str) else r.at)
    return out


def _wait_until(sql, terminal: str, now: datetime, limit: int,
                minutes: int) -> datetime | None:
    failures = _terminal_failures(sql, terminal, now, limit, minutes)
    if len(failures) < limit:
        return None
    newest, oldest = failures[0], failures[limit - 1]
    if newest - oldest > timedelta(minutes=minutes):
        return None
    until = newest + timedelta(minutes=minutes)
    return until if until > now else None


def approval_wait(uow: UnitOfWork, limit: int, minutes: int) -> datetime | None:
    """Until when this terminal's approvals wait, or None.

    ``limit`` wrong approval PINs on one terminal within ``minutes`` minutes make its
    approvals (and PIN confirmations) wait ``minutes`` minutes after the last of them.
    """
    return _wait_until(uow.sql, uow.ctx.terminal, uow.now, limit, minutes)


def _second_person(ctx: Ctx, *, empno: str, pin: str, purpose: str,
                   exclude_id: int | None) -> Actor:
    """A second person's PIN typed on this terminal (approval, confirmation).

    A wrong PIN here never counts against that person's own sign-in (a clerk must not
    be able to lock the duty manager out); it counts against this terminal, and the
    person whose number was used is told (audit rows, their home screen).
    """
    sign_in_attempts, _minutes = _thresholds(ctx)
    limit, minutes = _approval_limits(ctx)
    empno = digits(empno)

    def wait_message(until: datetime, uow: UnitOfWork) -> str:
        left = max(1, int((until - uow.now).total_seconds() + 59) // 60)
        return _("Too many wrong approval PINs on this terminal: approvals here wait "
                 "{minutes} more minute(s).").format(minutes=left)

    def work(uow: UnitOfWork) -> tuple[Actor | None, str | None]:
        until = approval_wait(uow, limit, minutes)
        if until is not None:
            known = uow.sql("SELECT 1 FROM staff WHERE empno = :e", {"e": empno}).first()
            uow.audit(f"auth.{purpose}.waiting", entity="staff", entity_id=empno if known
                      else security.unknown_tag(empno, ctx.pepper),
                      payload={"until": utc_text(until)})
            return None, wait_message(until, uow)
        row = uow.sql(f"SELECT {_COLUMNS} FROM staff WHERE empno = :e", {"e": empno}).first()
        if row is not None and exclude_id is not None and row.id == exclude_id:
            uow.audit(f"auth.{purpose}.self", entity="staff", entity_id=empno)
            return None, _("You cannot approve or confirm your own action.")
        if row is not None:
            locked = _locked_message(uow, row, sign_in_attempts)
            if locked is not None:
                security.dummy_verify(pin, ctx.pepper)
                uow.audit(f"auth.{purpose}.locked", entity="staff", entity_id=empno)
                return None, locked
            if security.verify_pin(row.pin_hash, pin, ctx.pepper):
                if not row.active:
                    uow.audit(f"auth.{purpose}.disabled", entity="staff", entity_id=empno)
                    return None, _disabled_message(empno)
                actor = _actor(row)
                uow.audit(f"auth.{purpose}", entity="staff", entity_id=empno, actor=actor)
                return actor, None
            action = f"auth.{purpose}.failed"
        else:
            security.dummy_verify(pin, ctx.pepper)
            action = f"auth.{purpose}.unknown"
        failures = len(_terminal_failures(uow.sql, ctx.terminal, uow.now, limit, minutes)) + 1
        uow.audit(action, entity="staff", entity_id=empno if row is not None
                  else security.unknown_tag(empno, ctx.pepper),
                  payload={"terminal_failures": failures})
        until = approval_wait(uow, limit, minutes)
        if until is not None:
            uow.audit("auth.approval_wait", entity="terminal", entity_id=ctx.terminal,
                      payload={"until": utc_text(until), "failures": limit,
                               "minutes": minutes, "last_empno": empno[:16]})
            return None, _("Unknown employee number or wrong PIN. Approvals on this terminal "
                           "now wait {minutes} minute(s); the manager is told.").format(
                               minutes=minutes)
        left = limit - failures if failures < limit else limit
        return None, _("Unknown employee number or wrong PIN; {left} approval attempt(s) left "
                       "on this terminal.").format(left=left)

    actor, message = run_write(ctx.as_actor(ctx.actor), f"auth.{purpose}", work)
    if actor is None:
        raise AuthFailed(message or _("Approval refused."))
    return actor


@dataclass(frozen=True)
class ApprovalAlert:
    """Wrong PINs typed under someone's number in approval dialogs, per terminal."""

    terminal: str
    attempts: int
    last_at: datetime
    typed_by: tuple[str, ...]  # who was signed in on that terminal
    waited: bool  # the terminal's approvals were made to wait


def approval_alerts(ctx: Ctx, *, empno: str | None = None,
                    since: datetime | None = None) -> list[ApprovalAlert]:
    """Wrong approval/confirmation PINs typed under ``empno`` (default: the signed-in
    person) since ``since`` (default: the start of today), per terminal."""
    from hallterm.store import execute

    empno = empno or (ctx.actor.empno if ctx.actor else None)
    if not empno:
        return []
    if since is None:
        now = ctx.now()
        since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with ctx.store.read() as session:
        rows = execute(session,
                       "SELECT terminal, at, actor FROM audit_log WHERE entity = 'staff' AND "
                       "entity_id = :e AND action IN ('auth.approve.failed', "
                       "'auth.confirm.failed') AND at >= :since ORDER BY seq",
                       {"e": empno, "since": utc_text(since)}).all()
        # Only the terminals where the PINs were typed (by terminal and time: an index range).
        terminals = sorted({r.terminal for r in rows})
        names = {f"t{i}": t for i, t in enumerate(terminals)}
        waits = {r.entity_id for r in execute(
            session, "SELECT entity_id FROM audit_log WHERE terminal IN ("
                     + ", ".join(f":{k}" for k in names) + ") AND entity = 'terminal' AND "
                     "action = 'auth.approval_wait' AND at >= :since",
                     {"since": utc_text(since), **names}).all()} if terminals else set()
    by_terminal: dict[str, list] = {}
    for r in rows:
        by_terminal.setdefault(r.terminal, []).append((r.at, r.actor))
    tz = ctx.clock.tz
    return [ApprovalAlert(t, len(items), datetime.fromisoformat(items[-1][0]).astimezone(tz),
                          tuple(sorted({a for _at, a in items if a})), t in waits)
            for t, items in sorted(by_terminal.items())]
def _pin_matches(ctx: Ctx, *, empno: str, pin: str, purpose: str,
                 exclude_id: int | None) -> Actor | None:
    """The person, when ``empno``/``pin`` would pass ``authenticate`` now (a read, no write).

    Every ``None`` costs one Argon2 check as a wrong PIN does (no timing difference
    between an unknown number, a locked account and a wrong PIN).
    """
    from hallterm.store import execute

    attempts, _minutes = _thresholds(ctx)
    limit, minutes = _approval_limits(ctx)
    with ctx.store.read() as session:
        row = execute(session, f"SELECT {_COLUMNS} FROM staff WHERE empno = :e",
                      {"e": digits(empno)}).first()
        waiting = False
        if purpose in SECOND_PERSON:
            waiting = _wait_until(lambda q, p: execute(session, q, p), ctx.terminal,
                                  ctx.now(), limit, minutes) is not None
    usable = (row is not None and not waiting and row.active
              and row.failed_attempts < 2 * attempts
              and (exclude_id is None or row.id != exclude_id)
              and not (row.locked_until and datetime.fromisoformat(row.locked_until) > ctx.now()))
    if row is None or not usable:
        security.dummy_verify(pin, ctx.pepper)
        return None
    return _actor(row) if security.verify_pin(row.pin_hash, pin, ctx.pepper) else None


def check_pin(ctx: Ctx, *, empno: str, pin: str, purpose: str,
              exclude_id: int | None = None) -> Actor:
    """Check another person's PIN for an action still to come, writing nothing on success.

    The returned person carries ``pin_checked``; the action's write records the
    ``auth.<purpose>`` row (``UnitOfWork.pin_used``), in its own transaction. A
    wrong PIN is counted and audited at once (the lockout must not wait for an action).
    """
    person = _pin_matches(ctx, empno=empno, pin=pin, purpose=purpose, exclude_id=exclude_id)
    if person is None:
        # Records the failure (or, in a race with a PIN change, the success) and says why.
        return authenticate(ctx, empno=empno, pin=pin, purpose=purpose, exclude_id=exclude_id)
    return replace(person, pin_checked=f"auth.{purpose}")


def record_pin(uow: UnitOfWork, person: Actor, *, for_action: str) -> None:
    """Inside the action's write: the PIN check of ``person`` succeeded and was used."""
    uow.sql("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = :i AND "
            "(failed_attempts > 0 OR locked_until IS NOT NULL)", {"i": person.id})
    uow.audit(person.pin_checked or "auth.confirm", entity="staff", entity_id=person.empno,
              actor=person, payload={"for": for_action})


def approve(ctx: Ctx, *, action: str, empno: str, pin: str) -> Actor:
    """A second person authorises ``action`` on this terminal with their PIN.

    The approver must be another person (segregation of duties) holding a role
    that ``permissions.APPROVERS`` names for the action. Returns the approver, whom
    the caller passes to its write: that write records the approval (``auth.approve``)
    in its own transaction, so a refused action leaves none. Validate the request
    before asking for the PIN.
    """
    approvals.approver_roles(action)  # an action without a rule is refused before the PIN
    approvals.refuse_own(ctx.actor, digits(empno))
    approver = check_pin(ctx, empno=empno, pin=pin, purpose="approve",
                         exclude_id=ctx.actor.id if ctx.actor else None)
    return approvals.check_second(ctx, approver, action)


def confirm_person(ctx: Ctx, *, empno: str, pin: str, purpose: str = "confirm") -> Actor:
    """Another person confirms with their PIN on this terminal (e.g. receiving stock).

    Like ``approve``, the confirmation is recorded by the write that uses it.
    """
    return check_pin(ctx, empno=empno, pin=pin, purpose=purpose,
                     exclude_id=ctx.actor.id if ctx.actor else None)


def record_session_event(ctx: Ctx, *, event: str) -> None:
    """Audit a session event of the signed-in person: ``signout``, ``lock``, ``unlock``."""
    if event not in {"signout", "lock", "idle_lock"}:
        raise ValueError(event)

    def work(uow: UnitOfWork) -> None:
        uow.audit(f"auth.{event}", entity="staff",
                  entity_id=ctx.actor.empno if ctx.actor else None)

    run_write(ctx, f"auth.{event}", work)

