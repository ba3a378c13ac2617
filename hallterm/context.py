"""Who is acting, where, and when: the context every service function takes.

A ``Ctx`` carries the store, the clock, this terminal (and its counter), the hall
secret and, once someone has signed in, the acting staff member. Services are
keyword-only functions ``fn(ctx, *, ...)``; they write only through ``run_write``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter

from hallterm.clock import Clock
from hallterm.errors import BadInput, DayNotOpen
from hallterm.i18n import _
from hallterm.store import Conn, Store, execute

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """A signed-in (or PIN-confirmed) member of staff."""

    id: int
    empno: str
    name: str
    roles: frozenset[str]
    language: str | None = None
    # Set by ``staff.approve``/``confirm_person``: the ``auth.*`` row of a PIN that was
    # checked for an action still to come. The action's own write records it
    # (``UnitOfWork.pin_used``), so a refused action leaves no approval behind.
    pin_checked: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles


SYSTEM = Actor(id=0, empno="system", name="HallTerm", roles=frozenset())


@dataclass
class Ctx:
    """The acting context of one terminal process."""

    store: Store
    clock: Clock
    terminal: str
    pepper: bytes
    counter: int | None = None
    actor: Actor | None = None
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)
    key_file: Path | None = None  # the hall secret's file; the signing key lives beside it

    def as_actor(self, actor: Actor | None) -> Ctx:
        """The same terminal, acting as someone else."""
        return replace(self, actor=actor)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()


class ReadUnit:
    """A read transaction shaped like a write's: what ``check_*`` functions validate on.

    The read helpers a write uses (``sql``, ``open_day``, ``now``, ``actor``) work on
    it too, so a service's side-effect-free check runs the same code as its write.
    """

    def __init__(self, ctx: Ctx, session: Conn) -> None:
        self.ctx = ctx
        self.session = session
        # One moment for the whole transaction: every row it writes carries it.
        self.now = ctx.clock.now()
        # Rows read once per transaction (``remember``): a business day's state, catalog
        # items, a counter's keeper. Gone with the transaction, so never stale across
        # writes; a write that changes such a row forgets it (``forget``).
        self.memo: dict[Any, Any] = {}

    def remember(self, key: Any, read: Callable[[], T]) -> T:
        """``read()`` once per transaction under ``key``: a tuple whose first item is the
        table read (or a tuple of the tables, for a join), then what identifies the row."""
        try:
            return self.memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self.memo[key] = read()
            return value

    def forget(self, table: str) -> None:
        """Drop what was remembered of ``table`` (after this transaction wrote to it)."""
        for key in [k for k in self.memo if k[0] == table
                    or (isinstance(k[0], tuple) and table in k[0])]:
            del self.memo[key]

    def day_state(self, day: date) -> str | None:
        """The state of business day ``day`` (``open``/``closed``, None: never opened)."""
        text = day.isoformat()
        return self.remember(("business_day", text), lambda: self.sql(
            "SELECT state FROM business_day WHERE day = :d", {"d": text}).scalar())

    @property
    def actor(self) -> Actor | None:
        return self.ctx.actor

    def sql(self, sql: str, params: dict[str, Any] | Sequence[dict[str, Any]] | None = None):
        return execute(self.session, sql, params)

    def open_day(self, business_day: date | None = None) -> date:
        """The business day this write belongs to; refuses unless it is open."""
        day = business_day or self.now.date()
        state = self.day_state(day)
        if state is None:
            raise DayNotOpen(
                _("Business day {day} is not open; the hall manager opens it first.").format(
                    day=day.isoformat()
                )
            )
        if state != "open":
            raise DayNotOpen(
                _("Business day {day} is closed; nothing in it can change.").format(
                    day=day.isoformat()
                )
            )
        return day


def run_check(ctx: Ctx, check: Callable[[ReadUnit], T]) -> T:
    """Run a validation on a read snapshot: it raises what the write would, writes nothing.

    Screens and the CLI call a service's ``check_*`` (built on this) before they ask a
    second person for a PIN, so an invalid request never reaches an approver.
    """
    with ctx.store.read() as session:
        return check(ReadUnit(ctx, session))


_REQUEST: ContextVar[str | None] = ContextVar("hallterm_request", default=None)


def _canonical(request: Mapping[str, Any]) -> str:
    return json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


@contextmanager
def command_request(request: Mapping[str, Any]) -> Iterator[None]:
    """Run a command whose arguments are ``request`` (the CLI's: what was typed).

    A write given a ``command_id`` inside records a keyed hash of them with the
    command; the same id with other arguments is refused instead of replayed.
    """
    token = _REQUEST.set(_canonical(request))
    try:
        yield
    finally:
        _REQUEST.reset(token)


def _request_hash(ctx: Ctx, request: Mapping[str, Any] | None) -> str | None:
    text = _canonical(request) if request is not None else _REQUEST.get()
    if text is None:
        return None
    return hmac.new(ctx.pepper, text.encode(), hashlib.sha256).hexdigest()


def _check_reuse(ctx: Ctx, command_id: str, row: Any, request_hash: str | None) -> None:
    """Refuse a command id reused by another person or with other arguments.

    The same id, person and arguments is a retry (replayed). A row without a hash
    (written before hashes were kept, or by a caller that gave no arguments) is
    checked for the person only.
    """
    actor = ctx.actor.empno if ctx.actor else None
    if row.actor != actor:
        raise BadInput(_("Command id {id} was already used by someone else; use a new id.")
                       .format(id=command_id))
    if row.request_hash and request_hash and not hmac.compare_digest(row.request_hash,
                                                                      request_hash):
        raise BadInput(_("Command id {id} was already used with other arguments; use a new "
                         "id.").format(id=command_id))


def command_done(ctx: Ctx, command_id: str | None, *,
                 request: Mapping[str, Any] | None = None) -> bool:
    """Whether a write with this ``command_id`` already happened (a retry replays it).

    A reuse by another person or with other arguments is refused here (``BadInput``),
    before anyone is asked for an approval PIN.
    """
    if not command_id or not command_id.strip():
        return False
    with ctx.store.read() as session:
        row = execute(session, "SELECT actor, request_hash FROM command WHERE id = :id",
                      {"id": command_id.strip()}).first()
    if row is None:
        return False
    _check_reuse(ctx, command_id.strip(), row, _request_hash(ctx, request))
    return True


_WRITES_TO = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(\w+)",
                        re.IGNORECASE)


class UnitOfWork(ReadUnit):
    """One write transaction: the session, its moment, its audit rows, its numbers."""

    def __init__(self, ctx: Ctx, session: Conn) -> None:
        super().__init__(ctx, session)
        self.audited = 0
        self.action = ""
        self._pins: set[tuple[int, str]] = set()
        # The audit log's last row (read once, when the write begins; then the row this
        # write appended): ``_check_clock`` and the chain append both use it.
        self.audit_head: Any = None
        self.committed_memo: dict[str, Any] = {}  # see ``remember_when_committed``

    def sql(self, sql: str, params: dict[str, Any] | Sequence[dict[str, Any]] | None = None):
        if self.memo:  # a write to a remembered table: read it again next time
            written = _WRITES_TO.match(sql)
            if written is not None:
                self.forget(written.group(1).lower())
        return execute(self.session, sql, params)

    def remember_when_committed(self, key: str, value: Any) -> None:
        """Put ``key`` in the connection memo once this write commits (what it set up
        on the connection, such as TEMP triggers, is rolled back with a failed write)."""
        self.committed_memo[key] = value

    @property
    def connection_memo(self) -> dict[str, Any]:
        """A dict that lives as long as this write's store connection (its TEMP objects)."""
        return self.session.info

    def changes(self) -> int | None:
        """Rows changed on this connection so far, triggers' included (None: not known).

        SQLite counts them for free (``total_changes``); a store that cannot say returns
        None and its callers ask the database instead.
        """
        return getattr(self.session.raw, "total_changes", None)

    def next_number(self, key: str) -> int:
        """Allocate the next number of series ``key`` (gapless: rolls back with the txn)."""
        from hallterm.services.sequences import allocate

        return allocate(self.session, key)

    def add_meta(self, key: str, value: str) -> None:
        """Add ``key`` to the store's ``meta`` (a core table) in this transaction."""
        self.sql("INSERT INTO meta (key, value) VALUES (:k, :v)", {"k": key, "v": value})

    def audit(
        self,
        action: str,
        *,
        entity: str | None = None,
        entity_id: Any = None,
        payload: dict[str, Any] | None = None,
        approver: Actor | None = None,
        business_day: date | None = None,
        actor: Actor | None = None,
    ) -> None:
        """Append one hash-chained audit row for this transaction.

        A person (approver or actor) whose PIN was checked for this action is
        recorded first (``pin_used``), in this same transaction. The row carries the
        fingerprints of the business rows written since the previous one
        (``services.audit.rows``).
        """
        from hallterm.services import audit

        for person in (approver, actor, self.actor):
            self.pin_used(person, for_action=action)

        audit.append(
            self,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            payload={**(payload or {}), **audit.rows.seal(self)},
            approver=approver,
            business_day=business_day,
            actor=actor,
        )
        self.audited += 1

    def pin_used(self, person: Actor | None, *, for_action: str | None = None) -> None:
        """Record in this write the approval or confirmation ``person`` gave with a PIN.

        ``staff.approve``/``confirm_person`` check a PIN without writing its success;
        the action that uses the person writes the ``auth.*`` row here, once per
        person, so an approval exists only for an action that happened.
        """
        if person is None or not person.pin_checked:
            return
        key = (person.id, person.pin_checked)
        if key in self._pins:
            return
        self._pins.add(key)
        from hallterm.services.staff import record_pin

        record_pin(self, person, for_action=for_action or self.action)


def run_write(
    ctx: Ctx,
    action: str,
    work: Callable[[UnitOfWork], T],
    *,
    command_id: str | None = None,
    result_type: Any = None,
    request: Mapping[str, Any] | None = None,
) -> T:
    """The one unit-of-work entry point for every write.

    Runs ``work`` inside ``BEGIN IMMEDIATE``; ``work`` appends its audit rows via
    ``uow.audit`` (a write that audits nothing is a bug and is refused). With a
    ``command_id``, a second call with the same id returns the first call's result
    (re-read from the store) instead of writing again, when the same person asks
    with the same arguments (``request``, else the CLI's ``command_request``);
    otherwise it is refused (``BadInput``).
    """
    if command_id is not None:
        from hallterm.textinput import free_text

        command_id = free_text(command_id, what=_("A command id"))  # no control characters
        if not command_id or len(command_id) > 64:
            raise BadInput(_("A command id must be 1-64 characters."))
    adapter = TypeAdapter(result_type) if (command_id and result_type is not None) else None
    request_hash = _request_hash(ctx, request) if command_id else None

    done: list[UnitOfWork] = []  # the attempt that ran last (``transact`` may retry)

    def body(session: Conn) -> T:
        from hallterm.services import audit

        # ``transact`` holds the write lock before ``body`` runs, so the UnitOfWork
        # reads its moment after any wait: a write that waited must not carry the
        # time from before the wait, behind the rows written meanwhile.
        uow = UnitOfWork(ctx, session)
        uow.action = action
        done[:] = [uow]
        audit.read_head(uow)  # once: the clock check and the chain append share it
        _check_clock(uow)
        audit.rows.install(uow)
        if command_id is not None:
            row = uow.sql(
                "SELECT action, actor, request_hash, result_json FROM command WHERE id = :id",
                {"id": command_id},
            ).first()
            if row is not None:
                if row.action != action:
                    raise BadInput(
                        _("Command id {id} was already used for another action.").format(
                            id=command_id
                        )
                    )
                _check_reuse(ctx, command_id, row, request_hash)
                data = json.loads(row.result_json)
                return adapter.validate_python(data) if adapter else data  # type: ignore[return-value]
        result = work(uow)
        if uow.audited == 0:
            raise RuntimeError(f"write {action!r} appended no audit row")
        if audit.rows.pending(uow):  # rows written after the last audit row: seal them
            uow.audit(audit.rows.SEAL_ACTION, payload={"for": action})
        if command_id is not None:
            encoded = (
                adapter.dump_json(result).decode() if adapter else json.dumps(result, default=str)
            )
            uow.sql(
                "INSERT INTO command (id, action, actor, at, result_json, request_hash) "
                "VALUES (:id, :action, :actor, :at, :result, :request_hash)",
                {
                    "id": command_id,
                    "action": action,
                    "actor": ctx.actor.empno if ctx.actor else None,
                    "at": _utc(uow.now),
                    "result": encoded,
                    "request_hash": request_hash,
                },
            )
        return result

    result = ctx.store.transact(body)
    if done and done[0].committed_memo:  # committed: what it set up stays on the connection
        done[0].connection_memo.update(done[0].committed_memo)
    return result


CLOCK_TOLERANCE = timedelta(seconds=2)


def _check_clock(uow: UnitOfWork) -> None:
    """Refuse a write whose clock reads earlier than the audit log's last row.

    Audit time never goes backwards: a terminal whose clock was set back (or is
    wrong) would otherwise write rows out of order, into an earlier day or around
    the PIN lockout. Two seconds of skew between terminals are tolerated.
    """
    if uow.audit_head is None:
        return
    last = uow.audit_head.at
    if uow.ctx.extra.get("backdate") and uow.sql(
            "SELECT value FROM meta WHERE key = 'demo'").scalar() == "1":
        return  # the demo's seeders write a morning that has already passed
    last_at = datetime.fromisoformat(last)
    if uow.now < last_at - CLOCK_TOLERANCE:
        from hallterm.errors import ClockBehind

        tz = uow.now.tzinfo
        raise ClockBehind(_("This terminal's clock reads {now}, earlier than the last audit "
                            "row ({last}); time in the audit log never goes backwards: set "
                            "the clock right and try again.").format(
                                now=uow.now.isoformat(timespec="seconds"),
                                last=last_at.astimezone(tz).isoformat(timespec="seconds")))


def _utc(at: datetime) -> str:
    from hallterm.models.types import utc_text

    return utc_text(at)
