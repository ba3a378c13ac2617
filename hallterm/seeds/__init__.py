"""Demo scenario seeding: one module per area, each with ``ORDER`` and ``seed(ctx)``.

``hallterm demo`` runs every module of this package in ``ORDER`` on a new demo
store, after the hall, the staff and today's business day exist. An area adds its
part of the scenario (waiting tickets, stock, sales, complaints) by adding a module
here, without editing the demo itself. A module may also define ``seed_before(ctx)``:
the day before the demo's first day, run on that day's clock on a new demo store
(then that day is closed), for a scenario that needs a closed day (the audit review).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType


def seeders(kind: str = "seed") -> list[tuple[str, Callable]]:
    """Every seeding module's ``seed`` (or ``seed_before``) function, in ``ORDER``."""
    found: list[tuple[int, str, ModuleType]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, kind):
            found.append((getattr(module, "ORDER", 100), info.name, module))
    return [(name, getattr(module, kind)) for _order, name, module in sorted(found)]
