"""Customer tables (实名登记): a person identified at the counter, kept protected.

A customer is anyone whose identity document was checked: the holder of a line, an
agent acting for them (代办), a minor's guardian. The document number and the phone
are never stored in clear: each is sealed (AES-GCM under a key derived from the hall
secret), found by a keyed hash and shown by a masked form made when it was typed
(``hallterm.services.customers.protect``). A customer is not a business day's record
(the same person comes back on later days), so the rows carry no day lock; they are
sealed under the audit log like every business row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Customer(SQLModel, table=True):
    """One identified person: the document last shown, the name, the contact phone."""

    __tablename__ = "customer"
    # One person per document number: the mainland resident ID, the temporary ID and the
    # household register carry the same citizen number (group ``citizen``).
    __table_args__ = (UniqueConstraint("id_group", "id_hash", name="uq_customer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=16)
    id_group: str = Field(max_length=16)
    id_hash: str = Field(max_length=64)
    id_sealed: str = Field(max_length=160)
    id_masked: str = Field(max_length=24)
    name: str = Field(max_length=64)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    phone_sealed: str | None = Field(default=None, max_length=160)
    phone_masked: str | None = Field(default=None, max_length=24)
    first_day: date  # the business day of the first identification
    created_at: datetime = Field(sa_type=AwareDateTime)
    created_by: str = Field(max_length=16)
    updated_at: datetime = Field(sa_type=AwareDateTime)
