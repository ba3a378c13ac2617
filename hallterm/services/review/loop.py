"""The review loop: OK or exception, the owner's rectification, acceptance or sending back.

Every step is one ``review_event`` row written in today's open business day (and
one audit row); the reviewed record and its closed day are never touched. A
record's state is its latest event:

    (unreviewed) ─ok→ ok
    (unreviewed) ─exception→ exception ─rectify (owner)→ rectified ─accept→ accepted
                                 ↑                          │
                                 └──────── reopened ←─reopen┘

Only an auditor reviews, accepts and sends back (``review.audit``), never on a
record of their own and never accepting their own rectification; only the
record's owner rectifies, with a corrective record (a refund, a cash movement, an
order's paperwork, …: any registered record written since the exception) or with
a note when nothing can be changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Forbidden, NotFound, Refused
from hallterm.i18n import N_, _
from hallterm.permissions import require
from hallterm.services.review import registry
from hallterm.textinput import free_text

CATEGORIES: dict[str, str] = {
    "missing_paperwork": N_("Missing paperwork"),
    "wrong_amount": N_("Wrong amount"),
    "wrong_customer_data": N_("Wrong customer data"),
    "approval_missing": N_("Approval missing"),
    "other": N_("Other"),
}
STATES: dict[str, str] = {
    "unreviewed": N_("Not reviewed"),
    "ok": N_("OK"),
    "exception": N_("Exception"),
    "rectified": N_("Rectified"),
    "accepted": N_("Accepted"),
    "reopened": N_("Sent back"),
}
OPEN_STATES = ("exception", "rectified", "reopened")  # an exception not yet accepted
NOTE = "note"  # ``--with note``: nothing can be changed, the note says why
MAX_NOTE = 200
LOOK_BACK_DAYS = 31  # how far back a corrective record is looked for


def category_label(category: str | None) -> str:
    return _(CATEGORIES[category]) if category in CATEGORIES else (category or "")


def state_label(state: str) -> str:
    return _(STATES.get(state, state))


def parse_category(text: str) -> str:
    """A category as typed (``missing-paperwork``, ``Missing paperwork``, its number 1-5, …)."""
    key = (text or "").strip().lower().replace("-", "_").replace(" ", "_")
    if key.isdigit() and 1 <= int(key) <= len(CATEGORIES):
        return list(CATEGORIES)[int(key) - 1]
    key = next((k for k in CATEGORIES if _(CATEGORIES[k]).lower() == (text or "").strip().lower()),
               key)
    if key not in CATEGORIES:
        raise BadInput(_("Unknown category {c}; one of: {all}").format(
            c=text, all=", ".join(CATEGORIES)), field="category")
    return key


def _note(text: str | None, *, required: bool) -> str | None:
    value = free_text(text, what=_("A note"), max_len=MAX_NOTE, field="note")
    if required and not value:
        raise BadInput(_("Say why in a note."), field="note")
    return value or None


@dataclass(frozen=True)
class Step:
    """What a review step wrote: the record and its state now."""

    ref: str
    target_day: date
    owner: str
    state: str
    actor: str
    note: str | None = None
    category: str | None = None
    with_ref: str | None = None


def latest(unit: Any, *, target_day: date | None = None, kind: str | None = None,
           reference: str) -> Any:
    """The latest review event of a record (``target_day``/``kind`` when known)."""
    sql = ("SELECT id, business_day, target_day, kind, reference, owner, action, category, "
           "note, with_kind, with_reference, actor FROM review_event WHERE reference = :r")
    params: dict[str, Any] = {"r": reference}
    if target_day is not None:
        sql += " AND target_day = :t"
        params["t"] = target_day.isoformat()
    if kind is not None:
        sql += " AND kind = :k"
        params["k"] = kind
    return unit.sql(sql + " ORDER BY id DESC LIMIT 1", params).first()


def _closed(unit: ReadUnit, day: date) -> None:
    if unit.day_state(day) != "closed":
        raise Refused(_("Business day {day} is not closed: its records are reviewed once the "
                        "day is closed.").format(day=day.isoformat()))


def _auditor(ctx: Ctx, owner: str) -> str:
    actor = require(ctx.actor, "review.audit")
    if actor.empno == owner:
        raise Forbidden(_("{empno} may not review their own record.").format(empno=owner))
    return actor.empno


def _write(uow: UnitOfWork, action: str, *, target_day: date, kind: str, reference: str,
           owner: str, category: str | None = None, note: str | None = None,
           with_kind: str | None = None, with_reference: str | None = None) -> Step:
    day = uow.open_day()
    actor = uow.actor.empno if uow.actor else "system"
    uow.sql("INSERT INTO review_event (business_day, at, target_day, kind, reference, owner, "
            "action, category, note, with_kind, with_reference, actor) VALUES (:d, :at, :t, "
            ":k, :r, :o, :a, :c, :n, :wk, :wr, :by)",
            {"d": day.isoformat(), "at": utc_text(uow.now), "t": target_day.isoformat(),
             "k": kind, "r": reference, "o": owner, "a": action, "c": category, "n": note,
             "wk": with_kind, "wr": with_reference, "by": actor})
    with_ref = f"{with_kind}:{with_reference}" if with_kind else None
    ref = f"{kind}:{reference}"
    uow.audit(f"review.{action}", entity=kind, entity_id=reference,
              payload={"day": target_day.isoformat(), "owner": owner, "category": category,
                       "note": note, "with": with_ref})
    return Step(ref, target_day, owner, action, actor, note, category, with_ref)


# -- the auditor's verdict on a record ----------------------------------------------------
def _verdict(ctx: Ctx, action: str, business_day: date, ref: str, *,
             category: str | None = None, note: str | None = None) -> Step:
    require(ctx.actor, "review.audit")

    def work(uow: UnitOfWork) -> Step:
        _closed(uow, business_day)
        record = registry.find(uow.session, business_day, ref)
        _auditor(ctx, record.owner)
        before = latest(uow, target_day=business_day, kind=record.kind,
                        reference=record.reference)
        if before is not None:
            raise Refused(_("{ref} is already reviewed: {state}.").format(
                ref=record.ref, state=state_label(before.action)))
        return _write(uow, action, target_day=business_day, kind=record.kind,
                      reference=record.reference, owner=record.owner, category=category,
                      note=note)

    return run_write(ctx, f"review.{action}", work)


def mark_ok(ctx: Ctx, *, business_day: date, ref: str) -> Step:
    """The auditor finds the record in order."""
    return _verdict(ctx, "ok", business_day, ref)


def raise_exception(ctx: Ctx, *, business_day: date, ref: str, category: str,
                    note: str) -> Step:
    """The auditor finds something wrong: it goes to the owner's inbox."""
    return _verdict(ctx, "exception", business_day, ref, category=parse_category(category),
                    note=_note(note, required=True))


# -- the owner's rectification and the auditor's answer -----------------------------------
def _open_event(unit: Any, ref: str, *states: str) -> Any:
    kind, reference = registry.split_ref(ref)
    row = latest(unit, kind=kind, reference=reference)
    if row is None:
        raise Refused(_("{ref} has no review exception.").format(ref=ref.strip()))
    if row.action not in states:
        raise Refused(_("{ref} is {state}: nothing to do here.").format(
            ref=f"{row.kind}:{row.reference}", state=state_label(row.action)))
    return row


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _corrective(uow: ReadUnit, row: Any, with_record: str) -> registry.Record:
    """The corrective record ``with_record``: written since the exception, up to today."""
    kind, reference = registry.split_ref(with_record)
    if reference.upper() == row.reference.upper() and kind in (None, row.kind):
        raise BadInput(_("A record cannot rectify itself; name the corrective record."),
                       field="with")
    raised = uow.sql("SELECT MIN(business_day) AS d FROM review_event WHERE target_day = :t "
                     "AND kind = :k AND reference = :r AND action = 'exception'",
                     {"t": str(row.target_day), "k": row.kind, "r": row.reference}).scalar()
    day, today = _day(raised), uow.now.date()
    day = max(day, today - timedelta(days=LOOK_BACK_DAYS))
    found: list[registry.Record] = []
    while day <= today:
        found.extend(registry.records_of(uow.session, day))
        day += timedelta(days=1)
    try:
        return registry.pick(found, with_record)
    except NotFound:
        raise NotFound(_("No record {ref} written since the exception was raised (a refund, a "
                         "cash movement, an order…); or rectify with 'note'.").format(
                             ref=with_record.strip()), field="with") from None


def _rectify_work(ctx: Ctx, ref: str, with_record: str, note: str | None):
    def work(uow: UnitOfWork) -> Step:
        row = _open_event(uow, ref, "exception", "reopened")
        actor = ctx.actor
        if actor is None or actor.empno != row.owner:
            raise Forbidden(_("Only {owner}, whose record it is, rectifies {ref}.").format(
                owner=row.owner, ref=f"{row.kind}:{row.reference}"))
        with_kind = with_reference = None
        if (with_record or "").strip().lower() == NOTE:
            text = _note(note, required=True)
        else:
            text = _note(note, required=False)
            record = _corrective(uow, row, with_record)
            with_kind, with_reference = record.kind, record.reference
        return _write(uow, "rectified", target_day=_day(row.target_day), kind=row.kind,
                      reference=row.reference, owner=row.owner, note=text,
                      with_kind=with_kind, with_reference=with_reference,
                      category=row.category)
    return work


def check_rectify(ctx: Ctx, *, ref: str, with_record: str, note: str | None = None) -> None:
    """What ``rectify`` would refuse, writing nothing (a form's check)."""
    require(ctx.actor, "review.rectify")

    def check(unit: ReadUnit) -> None:
        row = _open_event(unit, ref, "exception", "reopened")
        if ctx.actor is None or ctx.actor.empno != row.owner:
            raise Forbidden(_("Only {owner}, whose record it is, rectifies {ref}.").format(
                owner=row.owner, ref=f"{row.kind}:{row.reference}"))
        if (with_record or "").strip().lower() == NOTE:
            _note(note, required=True)
        else:
            _note(note, required=False)
            _corrective(unit, row, with_record)

    run_check(ctx, check)


def rectify(ctx: Ctx, *, ref: str, with_record: str, note: str | None = None) -> Step:
    """The owner answers an exception with a corrective record (or ``note``)."""
    require(ctx.actor, "review.rectify")
    if not (with_record or "").strip():
        raise BadInput(_("Name the corrective record (KIND:REFERENCE) or 'note'."),
                       field="with")
    return run_write(ctx, "review.rectified", _rectify_work(ctx, ref, with_record, note))


def _answer(ctx: Ctx, action: str, ref: str, note: str | None) -> Step:
    actor = require(ctx.actor, "review.audit")

    def work(uow: UnitOfWork) -> Step:
        row = _open_event(uow, ref, "rectified")
        if action == "accepted" and row.actor == actor.empno:
            raise Forbidden(_("{empno} rectified {ref}: another auditor accepts it.").format(
                empno=actor.empno, ref=f"{row.kind}:{row.reference}"))
        if actor.empno == row.owner:
            raise Forbidden(_("{empno} may not review their own record.").format(
                empno=row.owner))
        return _write(uow, action, target_day=_day(row.target_day), kind=row.kind,
                      reference=row.reference, owner=row.owner, note=note,
                      category=row.category, with_kind=row.with_kind,
                      with_reference=row.with_reference)

    return run_write(ctx, f"review.{action}", work)


def accept(ctx: Ctx, *, ref: str) -> Step:
    """The auditor accepts the rectification: the exception is closed."""
    return _answer(ctx, "accepted", ref, None)


def reopen(ctx: Ctx, *, ref: str, note: str) -> Step:
    """The auditor sends the rectification back to the owner, saying why."""
    return _answer(ctx, "reopened", ref, _note(note, required=True))
