"""The nightly export to headquarters, and what HQ runs on it (``verify``).

``export_days`` (``run``) writes each closed day as CSV and JSON Lines with a signed
Frictionless Data Package; the tables (``tables``: the core's, then every one the
areas register with ``day.register_export``) each list their fields once, and the
writer (``write``), the package's schema, the verifier (``verify``) and the
reference page (``docs/reference/export-format.md``) all come from that list.
``customers`` minimises customer data on the way out.
"""

from hallterm.services.export.customers import CustomerIds, keyed_hash, mask_middle, mask_name
from hallterm.services.export.reference import reference_markdown
from hallterm.services.export.run import (
    BARRIER_ENV,
    CHUNK_ROWS,
    FORMAT_VERSION,
    LOCK_NAME,
    ExportedDay,
    ExportResult,
    export_days,
)
from hallterm.services.export.tables import (
    CORE_FIELDS,
    CORE_TABLES,
    ExportTable,
    Field,
    check_columns,
    check_table,
    query_columns,
    tables,
)
from hallterm.services.export.verifier import (
    SIG_NAME,
    TMP_PREFIX,
    VerifyResult,
    exported_days,
    hall_public_key,
    verify,
)

# The export only reads: it owns no table.
TABLES: tuple[str, ...] = ()

__all__ = [
    "BARRIER_ENV",
    "CHUNK_ROWS",
    "CORE_FIELDS",
    "CORE_TABLES",
    "FORMAT_VERSION",
    "LOCK_NAME",
    "SIG_NAME",
    "TABLES",
    "TMP_PREFIX",
    "CustomerIds",
    "ExportResult",
    "ExportTable",
    "ExportedDay",
    "Field",
    "VerifyResult",
    "check_columns",
    "check_table",
    "export_days",
    "exported_days",
    "hall_public_key",
    "keyed_hash",
    "mask_middle",
    "mask_name",
    "query_columns",
    "reference_markdown",
    "tables",
    "verify",
]
