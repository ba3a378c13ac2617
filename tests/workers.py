"""Worker processes for multi-process tests (a module of its own: cheap to import under spawn)."""

from __future__ import annotations

import traceback
from pathlib import Path


def allocate_many(store_path: str, key_file: str, key: str, count: int, terminal: str,
                  queue) -> None:
    """Allocate ``count`` numbers of series ``key`` in audited writes; report them."""
    from hallterm import security
    from hallterm.bootstrap import open_ctx
    from hallterm.context import SYSTEM, run_write
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    numbers, errors = [], []
    try:
        settings, _ = load_settings(None, store=store_path, key_file=Path(key_file),
                                    terminal=terminal)
        ctx = open_ctx(settings).as_actor(SYSTEM)

        def work(uow):
            n = uow.next_number(key)
            uow.audit("test.number", entity="sequence", entity_id=f"{key}:{n}")
            return n

        for _ in range(count):
            try:
                numbers.append(run_write(ctx, "test.number", work))
            except Exception as exc:  # counted, not raised: the test asserts zero
                errors.append(f"{type(exc).__name__}: {exc}")
        ctx.store.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    queue.put((numbers, errors))
