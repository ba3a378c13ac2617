"""A custom import-linter contract: areas use each other only through their public names.

``[tool.importlinter]`` in ``pyproject.toml`` registers it (``contract_types``) and
``uv run lint-imports`` (run by ``.ci/run``) checks it. For every area package found
under ``container`` (``hallterm.services``) — whichever packages exist when it runs,
so a new area is covered by itself — it refuses

- an import of a module inside the package (``hallterm.services.queue.tickets``)
  from outside the package: import the package and use the names its
  ``__init__`` re-exports;
- a ``_private`` name imported from the package by a module outside it.

A developer tool: import-linter is a dev dependency, imported only by ``lint-imports``.
"""

from __future__ import annotations

import re
from typing import Any

from importlinter import Contract, ContractCheck, fields, output

_PRIVATE_NAME = re.compile(r"\bimport\b.*?(?<![\w.])(_[A-Za-z]\w*)")


class PublicNamesContract(Contract):
    """Modules outside an area package import only the package, never a module inside it."""

    type_name = "public_names"

    container = fields.StringField()

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        container = str(self.container)  # type: ignore[attr-defined]
        areas = sorted(m for m in graph.find_children(container) if graph.find_children(m))
        violations: list[tuple[str, str, int, str]] = []
        for area in areas:
            def outside(module: str, area: str = area) -> bool:
                return module != area and not module.startswith(area + ".")

            for inner in sorted(graph.find_descendants(area)):
                for importer in sorted(graph.find_modules_that_directly_import(inner)):
                    if outside(importer):
                        for detail in graph.get_import_details(importer=importer, imported=inner):
                            violations.append((importer, inner, detail["line_number"],
                                               detail["line_contents"]))
            for importer in sorted(graph.find_modules_that_directly_import(area)):
                if not outside(importer):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=area):
                    if _PRIVATE_NAME.search(detail["line_contents"]):
                        violations.append((importer, area, detail["line_number"],
                                           detail["line_contents"]))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, line, contents in check.metadata["violations"]:
            output.print_error(f"{importer} (l.{line}) reaches into {imported}: {contents}")
            output.new_line()
        output.print("Import the area package and use the names its __init__ exports "
                     "(docs/architecture.md#layering).")
