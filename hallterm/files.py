"""Files HallTerm writes beside the store: written whole or not at all, crash leftovers removed.

A report or a receipt is written to a temporary file in its folder and renamed over
its name (atomic on POSIX), so a reader never sees half of one. A crash (power cut,
``kill -9``) between the two leaves the temporary file behind; the next run that
writes into the folder removes the leftovers it recognises by name. A temporary file
younger than ``LEFTOVER_AGE_S`` is left alone: another terminal may be writing it.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

LEFTOVER_AGE_S = 60.0  # a report is written in milliseconds; a crash's file is older


def remove_leftovers(folder: Path, pattern: str, *, age_s: float = LEFTOVER_AGE_S) -> list[str]:
    """Remove files in ``folder`` matching ``pattern`` (a glob) last written more than
    ``age_s`` seconds ago; returns their names. A missing folder has none."""
    removed: list[str] = []
    cutoff = time.time() - age_s
    try:
        candidates = sorted(Path(folder).glob(pattern))
    except OSError:
        return removed
    for path in candidates:
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove
            if path.is_file() and path.stat().st_mtime < cutoff:
                os.unlink(path)
                removed.append(path.name)
    return removed
