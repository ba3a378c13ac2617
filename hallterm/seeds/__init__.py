"""Demo scenario seeding: one module per area, each with ``ORDER`` and ``seed(ctx)``.

``hallterm demo`` runs every module of this package in ``ORDER`` on a new demo
store, after the hall, the staff and today's business day exist. An area adds its
part of the scenario (waiting tickets, stock, sales, complaints) by adding a module
here, without editing the demo itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType


def seeders() -> list[tuple[str, Callable]]:
    """Every seeding module's ``seed`` function, in ``ORDER``."""
    found: list[tuple[int, str, ModuleType]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "seed"):
            found.append((getattr(module, "ORDER", 100), info.name, module))
    return [(name, module.seed) for _order, name, module in sorted(found)]
