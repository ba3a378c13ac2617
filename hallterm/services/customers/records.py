"""Identifying a person inside the caller's write: the customer row, found or made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hallterm.clock import utc_text
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.services.customers.documents import IdCheck, check_id
from hallterm.services.customers.protect import (
    check_phone,
    id_key,
    mask_id,
    mask_phone,
    phone_key,
    seal,
)
from hallterm.textinput import free_text

if TYPE_CHECKING:
    from hallterm.context import UnitOfWork

MAX_NAME = 64
# The documents that carry the same citizen number: one person, whichever is shown.
CITIZEN = ("resident", "temporary", "household")


@dataclass(frozen=True)
class Person:
    """What the clerk typed about one person (the holder, an agent, a guardian)."""

    doc_type: str | None
    number: str
    name: str
    phone: str | None = None


def id_group(doc_type: str) -> str:
    """The space a document number is unique in (``citizen`` for the mainland ones)."""
    return "citizen" if doc_type in CITIZEN else doc_type


def check_name(name: str | None, *, field: str = "name") -> str:
    """A person's name as typed: required, one line, at most 64 characters."""
    text = free_text(name, what=_("The name"), max_len=MAX_NAME, field=field)
    if not text:
        raise BadInput(_("Type the name as on the document."), field=field)
    return text


def check_person(person: Person, *, on=None) -> tuple[IdCheck, str, str | None]:
    """The document checked, the name and the phone normalised (``BadInput`` otherwise)."""
    check = check_id(person.number, person.doc_type, on=on)
    name = check_name(person.name)
    phone = check_phone(person.phone) if person.phone and person.phone.strip() else None
    return check, name, phone


def mask_name(name: str) -> str:
    """A name as shown in a refusal: its first character (``王*``)."""
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def _same_name(a: str, b: str) -> bool:
    """The same name as typed again (case and spacing aside: ``Anna  SMITH``)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def identify(uow: UnitOfWork, person: Person) -> int:
    """The customer id of ``person`` inside the caller's write: checks the document
    (``BadInput``), finds the customer by the keyed hash of the number or adds one
    (number and phone sealed, their masks kept).

    Real-name registration (实名制): a document already on record with another name is
    refused (``Refused``, the stored name masked) and nothing is renamed; a changed
    phone (when one is given) is updated with an audit row of its own
    (``customer.phone``, masked values only). The caller's write audits the rest: put
    only masked values and ids in it."""
    check, name, phone = check_person(person, on=uow.now.date())
    pepper, at = uow.ctx.pepper, utc_text(uow.now)
    group, key = id_group(check.doc_type), id_key(pepper, check.number)
    row = uow.sql("SELECT id, doc_type, name, phone_hash, phone_masked FROM customer "
                  "WHERE id_group = :g AND id_hash = :h", {"g": group, "h": key}).first()
    contact = ({"ph": phone_key(pepper, phone), "ps": seal(pepper, phone),
                "pm": mask_phone(phone)} if phone else None)
    if row is None:
        by = uow.actor.empno if uow.actor else "system"
        return int(uow.sql(
            "INSERT INTO customer (doc_type, id_group, id_hash, id_sealed, id_masked, name, "
            "phone_hash, phone_sealed, phone_masked, first_day, created_at, created_by, "
            "updated_at) VALUES (:t, :g, :h, :s, :m, :n, :ph, :ps, :pm, :d, :at, :by, :at) "
            "RETURNING id",
            {"t": check.doc_type, "g": group, "h": key, "s": seal(pepper, check.number),
             "m": mask_id(check.number), "n": name, "d": uow.now.date().isoformat(), "at": at,
             "by": by, **(contact or {"ph": None, "ps": None, "pm": None})}).scalar_one())
    if not _same_name(row.name, name):
        raise Refused(_("The name does not match this document's record ({name}): check "
                        "the document.").format(name=mask_name(row.name)), field="name")
    if row.doc_type != check.doc_type:
        uow.sql("UPDATE customer SET doc_type = :t, updated_at = :at WHERE id = :id",
                {"t": check.doc_type, "at": at, "id": row.id})
    if contact is not None and row.phone_hash != contact["ph"]:
        uow.sql("UPDATE customer SET phone_hash = :ph, phone_sealed = :ps, phone_masked = :pm, "
                "updated_at = :at WHERE id = :id", {**contact, "at": at, "id": row.id})
        uow.audit("customer.phone", entity="customer", entity_id=row.id,
                  payload={"customer": row.id, "from": row.phone_masked, "to": contact["pm"]})
    return int(row.id)
