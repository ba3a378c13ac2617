"""Worker processes for the sales multi-process test (cheap to import under spawn)."""

from __future__ import annotations

import traceback
from pathlib import Path


def sell_many(store_path: str, key_file: str, now: str, count: int, terminal: str,
              queue) -> None:
    """Complete ``count`` one-line service sales as clerk 8004; report the receipt numbers."""
    from hallterm import security
    from hallterm.bootstrap import open_ctx
    from hallterm.services import catalog, sales
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    numbers, errors = [], []
    try:
        settings, _ = load_settings(None, store=store_path, key_file=Path(key_file),
                                    terminal=terminal, now=now)
        ctx = open_ctx(settings)
        ctx = ctx.as_actor(authenticate(ctx, empno="8004", pin="246810"))
        line = sales.line_from_item(catalog.lookup(ctx, code="SVC-DATA-10G"))
        for _ in range(count):
            try:
                done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                                           payments=[sales.PaymentIn("cash", 3000, 5000)])
                numbers.append(done.receipt_no)
            except Exception as exc:  # counted, not raised: the test asserts zero
                errors.append(f"{type(exc).__name__}: {exc}")
        ctx.store.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    queue.put((numbers, errors))


def issue_and_sell(store_path: str, key_file: str, now: str, count: int, terminal: str,
                   queue) -> None:
    """``count`` times: issue a ticket as the kiosk, then complete a cash sale as clerk 8004
    at counter 1; report (ticket numbers, receipt numbers, errors)."""
    from hallterm import security
    from hallterm.bootstrap import open_ctx
    from hallterm.services import catalog, sales
    from hallterm.services.queue import issue_ticket
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    tickets, receipts, errors = [], [], []
    try:
        settings, _ = load_settings(None, store=store_path, key_file=Path(key_file),
                                    terminal=terminal, now=now)
        kiosk = open_ctx(settings)
        clerk = kiosk.as_actor(authenticate(kiosk, empno="8004", pin="246810"))
        line = sales.line_from_item(catalog.lookup(clerk, code="SVC-DATA-10G"))
        for i in range(count):
            try:
                tickets.append(issue_ticket(kiosk, service="AB"[i % 2]).number)
                done = sales.complete_sale(clerk, counter=1, visit_id=None, lines=[line],
                                           payments=[sales.PaymentIn("cash", 3000, 5000)])
                receipts.append(done.receipt_no)
            except Exception as exc:  # counted, not raised: the test asserts zero
                errors.append(f"{type(exc).__name__}: {exc}")
        kiosk.store.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    queue.put((tickets, receipts, errors))
