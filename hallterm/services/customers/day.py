"""Customers in the day's export: minimised (keyed hashes and masks, never a number)."""

from __future__ import annotations

from hallterm.services.day import register_export
from hallterm.services.export import ExportTable

register_export(ExportTable(
    name="customers",
    source="FROM customer WHERE first_day = :day",
    fields=(("id", "integer", "Customer id (orders refer to it)"),
            ("doc_type", "string", "The identity document last shown: resident, temporary, "
                                   "household, hk_macao_permit, taiwan_permit, hmt_residence, "
                                   "foreign_pr or passport"),
            ("id_key", "string", "Keyed hash (HMAC-SHA-256 under a key derived from the hall "
                                 "secret) of the document number: the same person has the "
                                 "same key in every export of this hall", "id_hash"),
            ("id_masked", "string", "The document number masked: first 3 and last 4 "
                                    "characters"),
            ("name", "string", "The name, masked: its first character"),
            ("phone_key", "string", "Keyed hash of the contact phone", "phone_hash"),
            ("phone_masked", "string", "The contact phone masked: first 3 and last 4 digits")),
    primary_key=("id",), key_column="id", masked={"name": "name"},
    description="Customers first identified on the day (实名登记), as they stand at export: "
                "minimised, never a document number or phone in clear", order=60))
