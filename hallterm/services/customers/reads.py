"""Looking customers up (masked) and revealing one in full (a reason, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.customers.documents import normalise
from hallterm.services.customers.protect import id_key, phone_key, unseal
from hallterm.store import execute
from hallterm.textinput import free_text

MAX_FOUND = 50
MAX_REASON = 200
_COLUMNS = "id, doc_type, id_masked, name, phone_masked, first_day"


@dataclass(frozen=True)
class CustomerView:
    """A customer as anyone at a counter sees them: the number and phone masked."""

    id: int
    doc_type: str
    id_masked: str
    name: str
    phone_masked: str | None
    first_day: date


@dataclass(frozen=True)
class Revealed:
    """A customer's full document number and phone, for a person allowed to see them."""

    id: int
    doc_type: str
    number: str
    name: str
    phone: str | None


def _view(row: Any) -> CustomerView:
    first = row.first_day
    return CustomerView(id=int(row.id), doc_type=row.doc_type, id_masked=row.id_masked,
                        name=row.name, phone_masked=row.phone_masked,
                        first_day=first if isinstance(first, date) else date.fromisoformat(first))


def view(ctx: Ctx, customer_id: int) -> CustomerView:
    """One customer, masked (``NotFound`` for an unknown id)."""
    require(ctx.actor, "customer.read")
    with ctx.store.read() as session:
        row = execute(session, f"SELECT {_COLUMNS} FROM customer WHERE id = :id",
                      {"id": customer_id}).first()
    if row is None:
        raise NotFound(_("No customer {id}.").format(id=customer_id))
    return _view(row)


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def find(ctx: Ctx, *, number: str | None = None, phone: str | None = None,
         name: str | None = None) -> list[CustomerView]:
    """Customers by document number or phone (exact, through their keyed hashes) and/or
    the start of the name (any case); at least one is needed. Masked; at most 50, by name."""
    require(ctx.actor, "customer.read")
    where, params = [], {}
    if number and number.strip():
        where.append("id_hash = :h")
        params["h"] = id_key(ctx.pepper, normalise(number))
    if phone and phone.strip():
        where.append("phone_hash = :ph")
        params["ph"] = phone_key(ctx.pepper, phone)
    if name and name.strip():
        # LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
        where.append("LOWER(name) LIKE LOWER(:n) ESCAPE '\\'")
        params["n"] = _like_prefix(free_text(name, what=_("The name"), max_len=64))
    if not where:
        raise BadInput(_("Give a document number, a phone or a name to find."))
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLUMNS} FROM customer WHERE {' AND '.join(where)} "
                       f"ORDER BY name, id LIMIT {MAX_FOUND}", params).all()
    return [_view(r) for r in rows]


def check_reason(reason: str | None) -> str:
    """Why a full value is shown: required, one line, at most 200 characters."""
    text = free_text(reason, what=_("The reason"), max_len=MAX_REASON, field="reason")
    if not text:
        raise BadInput(_("Say why the full number is needed (it is logged)."), field="reason")
    return text


def reveal(ctx: Ctx, customer_id: int, reason: str) -> Revealed:
    """The full document number and phone of a customer: needs ``data.reveal`` and a
    reason; the view is audited (``data.reveal``: who, which customer, why; never the
    values themselves)."""
    actor = require(ctx.actor, "data.reveal")
    why = check_reason(reason)

    def work(uow: UnitOfWork) -> Revealed:
        row = uow.sql("SELECT id, doc_type, id_sealed, id_masked, name, phone_sealed "
                      "FROM customer WHERE id = :id", {"id": customer_id}).first()
        if row is None:
            raise NotFound(_("No customer {id}.").format(id=customer_id))
        uow.audit("data.reveal", entity="customer", entity_id=row.id,
                  payload={"reason": why, "id_masked": row.id_masked, "by": actor.empno})
        return Revealed(id=int(row.id), doc_type=row.doc_type,
                        number=unseal(ctx.pepper, row.id_sealed), name=row.name,
                        phone=unseal(ctx.pepper, row.phone_sealed) if row.phone_sealed
                        else None)

    return run_write(ctx, "data.reveal", work)
