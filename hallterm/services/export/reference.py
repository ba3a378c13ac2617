"""The export format's column reference, in Markdown, from the tables' one field list.

``python -m hallterm.tools.docgen`` writes it into ``docs/reference/export-format.md``;
``tests/test_docgen.py`` fails when the page is stale.
"""

from __future__ import annotations

from hallterm.services.export.run import FORMAT_VERSION
from hallterm.services.export.tables import ExportTable, tables


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: ExportTable, core: bool) -> list[str]:
    title = f"### `{table.name}`" + (f" — {_cell(table.description)}" if table.description else "")
    lines = [title, "", "*The core's table.*" if core else "*Registered by an area.*", "",
             "| column | type | meaning |", "|---|---|---|"]
    for f in table.out_fields():
        note = f" (masked: {table.masked[f.name]})" if f.name in table.masked else ""
        lines.append(f"| `{f.name}` | {f.type} | {_cell(f.description)}{note} |")
    lines.append("")
    facts = [f"Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}",
             f"read in pages on `{table.key_column}`"]
    for fk in table.foreign_keys:
        ref = fk.get("reference", {})
        facts.append(f"{', '.join(f'`{c}`' for c in fk['fields'])} refers to "
                     f"`{ref.get('resource')}` ({', '.join(f'`{c}`' for c in ref.get('fields', []))})")
    lines += ["; ".join(facts) + ".", ""]
    return lines


def reference_markdown() -> str:
    """Every table the export writes today, core's first, with its columns."""
    lines = [f"Export format version {FORMAT_VERSION}. Every file's columns, in order "
             "(`business_day` and `z_number` first in every table):", ""]
    for table, core in tables():
        lines += _table(table, core)
    return "\n".join(lines).rstrip() + "\n"
