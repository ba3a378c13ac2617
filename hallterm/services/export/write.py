"""Writing one table of a day: CSV and JSON Lines, and its Data Package resources.

The columns come from the table's one field list (``tables.ExportTable``): rows
are read by name, so a column the query does not select is an error, never a
shifted value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from hallterm.context import Ctx
from hallterm.services.export.customers import CustomerIds, minimiser
from hallterm.services.export.tables import CORE_FIELDS_NAMES, ExportTable, first_key
from hallterm.store import execute


def rows(ctx: Ctx, table: ExportTable, day: date, chunk: int) -> Iterator[Sequence[dict[str, Any]]]:
    """The table's rows of ``day``, a chunk per short read transaction (keyset paging)."""
    after: Any = first_key(table)
    while True:
        with ctx.store.read() as session:
            found = execute(session, table.query,
                            {"day": day.isoformat(), "after": after, "limit": chunk}
                            ).mappings().all()
        if not found:
            return
        yield found
        if len(found) < chunk:
            return
        after = found[-1][table.key_column]


class Sink:
    """A file being written, with its SHA-256, byte count and row count."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.sha = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, data: bytes, rows: int) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.bytes += len(data)
        self.rows += rows

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


def json_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    return value


def csv_text(value: Any) -> str:
    """A value as its CSV cell (the verifier compares the CSV with the JSON Lines by it)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def write_table(ctx: Ctx, folder: Path, table: ExportTable, day: date, z: int,
                mode: CustomerIds, chunk: int, in_package: set[str]) -> list[dict[str, Any]]:
    """Write one table as CSV and JSON Lines; returns its two resource descriptors."""
    fields = table.out_fields()
    names = [f.name for f in fields]
    own = [f for f in fields if f.name not in CORE_FIELDS_NAMES]
    minimise = {name: minimiser(kind, mode, ctx.pepper) for name, kind in table.masked.items()}
    csv_sink, jsonl_sink = Sink(folder / f"{table.name}.csv"), Sink(folder / f"{table.name}.jsonl")
    try:
        buf = io.StringIO()
        csv.writer(buf).writerow(names)
        csv_sink.write(buf.getvalue().encode("utf-8"), 0)
        for chunk_rows in rows(ctx, table, day, chunk):
            buf = io.StringIO()
            writer = csv.writer(buf)
            lines = []
            for row in chunk_rows:
                values: list[Any] = [day.isoformat(), z]
                for f in own:
                    value = row[f.name]
                    if value is not None and f.name in minimise:
                        value = minimise[f.name](str(value))
                    values.append(json_value(value, f.type))
                writer.writerow([csv_text(v) for v in values])
                lines.append(json.dumps(dict(zip(names, values, strict=True)),
                                        ensure_ascii=False, separators=(",", ":")))
            csv_sink.write(buf.getvalue().encode("utf-8"), len(chunk_rows))
            jsonl_sink.write(("\n".join(lines) + "\n").encode("utf-8"), len(chunk_rows))
    finally:
        csv_sink.close()
        jsonl_sink.close()
    schema: dict[str, Any] = {"fields": [{"name": f.name, "type": f.type,
                                          "description": f.description} for f in fields]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    out = []
    pairs = [(csv_sink, "csv", "text/csv", "")]
    if jsonl_sink.rows:
        pairs.append((jsonl_sink, "jsonl", "application/jsonl", "_jsonl"))
    else:
        # An empty JSON Lines file cannot say its columns (Frictionless cannot read
        # one either): a table without rows that day is its CSV header alone.
        jsonl_sink.path.unlink()
    for sink, fmt, media, suffix in pairs:
        fks = foreign_keys(table, suffix, in_package)
        resource = {
            "name": f"{table.name}{suffix}",
            "path": sink.path.name,
            "profile": "tabular-data-resource",
            "format": fmt,
            "mediatype": media,
            "encoding": "utf-8",
            "description": table.description,
            "schema": {**schema, **({"foreignKeys": fks} if fks else {})},
            "bytes": sink.bytes,
            "hash": f"sha256:{sink.sha.hexdigest()}",
            "rows": sink.rows,
        }
        out.append(resource)
    return out


def foreign_keys(table: ExportTable, suffix: str, in_package: set[str]) -> list[dict[str, Any]]:
    """The table's foreign keys to tables in the same package (others cannot be checked)."""
    out = []
    for fk in table.foreign_keys:
        ref = fk.get("reference", {})
        target = ref.get("resource", "")
        if target and target not in in_package:
            continue
        out.append({"fields": list(fk["fields"]),
                    "reference": {"resource": f"{target}{suffix}" if target else "",
                                  "fields": list(ref.get("fields", []))}})
    return out
