"""Customers and identity documents (实名登记): checked, sealed, found, masked, revealed.

A customer is any person whose identity document was checked at a counter: the
holder of a line, an agent acting for them (代办), a minor's guardian. The document
number and the phone are sensitive personal information (PIPL): the store keeps them
sealed with AES-GCM under a key derived from the hall secret, finds them by a keyed
hash, and shows them masked (``110***********002X``, ``138****1234``); a full reveal
needs ``data.reveal``, a reason, and is audited.

The package, by section: ``documents`` (the types and ``check_id``, pure),
``protect`` (sealing, keyed hashes, masks, phones), ``records`` (``identify`` inside a
caller's write), ``parties`` (an order's holder, agent and guardian: ``check_parties``,
``identify_parties``), ``reads`` (``view``, ``find``, ``reveal``), ``day`` (the export
table, minimised). Callers use the names re-exported here only.
"""

from hallterm.services.customers import day as day
from hallterm.services.customers.documents import (
    DOC_LABELS,
    DOC_TYPES,
    IdCheck,
    check_id,
    doc_label,
    is_minor,
    normalise,
)
from hallterm.services.customers.parties import (
    Parties,
    PartyCheck,
    check_parties,
    identify_parties,
)
from hallterm.services.customers.protect import (
    check_phone,
    id_key,
    mask_id,
    mask_phone,
    phone_key,
    seal,
    unseal,
)
from hallterm.services.customers.reads import (
    CustomerView,
    Revealed,
    check_reason,
    find,
    reveal,
    view,
)
from hallterm.services.customers.records import Person, check_name, check_person, identify

TABLES = ("customer",)

__all__ = [
    "DOC_LABELS",
    "DOC_TYPES",
    "TABLES",
    "CustomerView",
    "IdCheck",
    "Parties",
    "PartyCheck",
    "Person",
    "Revealed",
    "check_id",
    "check_name",
    "check_parties",
    "check_person",
    "check_phone",
    "check_reason",
    "doc_label",
    "find",
    "id_key",
    "identify",
    "identify_parties",
    "is_minor",
    "mask_id",
    "mask_phone",
    "normalise",
    "phone_key",
    "reveal",
    "seal",
    "unseal",
    "view",
]
