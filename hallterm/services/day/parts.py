"""What each area contributes to closing, the day report and the export.

Closing (日结) and the nightly export must not hard-code the areas (queue, sales,
stock, complaints, …). Each area registers, when its package is imported (through
``hallterm.services.day``'s public names):

- ``register_blocker(fn)``: ``fn(ctx, business_day) -> list[str]`` — translated lines
  saying why the day cannot close yet (tickets waiting, a drawer not counted, a
  stocktake in progress);
- ``register_section(Section(...))``: a part of the day report (Z report), computed
  inside the closing transaction from the day's rows;
- ``register_export(export.ExportTable(...))``: a table of the day written for HQ
  (``hallterm.services.export.tables`` says how its fields are listed, once).

``load_areas()`` imports every module and package of ``hallterm.services`` so that all
registrations have happened before closing or exporting starts.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hallterm.services.export import ExportTable

Blocker = Callable[[Any, date], list[str]]


@dataclass(frozen=True)
class Section:
    """One part of the day report.

    ``compute(uow_or_session, business_day) -> dict`` runs inside the closing
    transaction (use ``hallterm.store.execute(session, …)`` on ``uow.session``) and
    returns JSON-able figures; ``render(figures) -> list[str]`` turns them into
    translated text lines for the printed report.
    """

    key: str
    title: str  # N_()-marked
    compute: Callable[[Any, date], dict]
    render: Callable[[dict], list[str]]
    order: int = 100


_blockers: list[Blocker] = []
_sections: dict[str, Section] = {}
_exports: dict[str, ExportTable] = {}


def register_blocker(fn: Blocker) -> Blocker:
    if fn not in _blockers:
        _blockers.append(fn)
    return fn


def register_section(section: Section) -> Section:
    _sections[section.key] = section
    return section


def register_export(table: ExportTable) -> ExportTable:
    _exports[table.name] = table
    return table


def blockers() -> list[Blocker]:
    """Every registered blocker (``day.blockers(ctx, day)`` asks them), by module name
    (then in their module's order), so the order does not depend on which module some
    caller happened to import first."""
    load_areas()
    return sorted(_blockers, key=lambda fn: fn.__module__)


def sections() -> list[Section]:
    load_areas()
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def exports() -> list[ExportTable]:
    """Every registered export table, in their order."""
    load_areas()
    return sorted(_exports.values(), key=lambda t: (t.order, t.name))


_loaded = False


def load_areas() -> None:
    """Import every service module and package so their registrations run (once per process)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import hallterm.services as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
