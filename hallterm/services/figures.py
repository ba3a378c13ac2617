"""The day's headline figures on the manager's home screen; each area registers its own.

An area adds a figure with ``register`` at import of its service module::

    @figures.register
    def _waiting(ctx, business_day):
        return [(_("Waiting now"), str(count_waiting(ctx, business_day)))]

A figure function takes the acting context and the business day and returns
``(label, value)`` pairs, both already translated strings. The home screen never
changes when an area adds one: ``headline`` imports every service module first,
so a figure is found even when nothing else has imported its module yet.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from datetime import date

from hallterm.context import Ctx
from hallterm.errors import HallTermError
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.store import execute

Figure = Callable[[Ctx, date], list[tuple[str, str]]]

_FIGURES: dict[str, tuple[int, Figure]] = {}
_discovered = False


def register(fn: Figure | None = None, *, order: int = 100):
    """Register a figure function (usable as ``@register`` or ``@register(order=10)``)."""

    def add(f: Figure) -> Figure:
        _FIGURES[f"{f.__module__}.{f.__qualname__}"] = (order, f)
        return f

    return add(fn) if fn is not None else add


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    import hallterm.services as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")


def headline(ctx: Ctx, *, business_day: date | None = None) -> list[tuple[str, str]]:
    """Every registered figure for ``business_day`` (default today), in order.

    A figure that fails shows a dash instead of hiding the others; the failure is
    logged (a service error's message is shown as the value).
    """
    require(ctx.actor, "day.figures")
    _discover()
    day = business_day or ctx.today()
    rows: list[tuple[str, str]] = []
    for key, (_order, fn) in sorted(_FIGURES.items(), key=lambda kv: (kv[1][0], kv[0])):
        try:
            rows.extend(fn(ctx, day))
        except HallTermError as exc:
            rows.append((key.rsplit(".", 1)[-1].strip("_"), str(exc)))
        except Exception:
            logging.getLogger("hallterm").exception("figure %s failed", key)
            rows.append((key.rsplit(".", 1)[-1].strip("_"), "—"))
    return rows


@register(order=0)
def _business_day(ctx: Ctx, business_day: date) -> list[tuple[str, str]]:
    from hallterm.services.day import day_status, state_label

    info = day_status(ctx, business_day=business_day)
    return [(_("Business day"), f"{business_day.isoformat()} · {state_label(info.state)}")]


@register(order=1)
def _audit_rows(ctx: Ctx, business_day: date) -> list[tuple[str, str]]:
    with ctx.store.read() as session:
        total, failed = execute(
            session,
            "SELECT count(*), coalesce(sum(CASE WHEN action LIKE 'auth.%.failed' "
            "OR action LIKE 'auth.%.unknown' THEN 1 ELSE 0 END), 0) "
            "FROM audit_log WHERE business_day = :d",
            {"d": business_day.isoformat()},
        ).one()
    return [(_("Audit records today"), str(total)), (_("Refused PINs today"), str(failed))]
