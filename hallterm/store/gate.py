"""The writers' gate: an OS file lock taken before SQLite's write lock.

SQLite has no queue for its write lock: a writer that finds it taken can only try
again later, and however short the pause, waiters wake at the wrong moments, spin
on two cores and take the lock in no order (issue 14: p99 93 ms at 8 processes
with SQLite's own busy handler). HallTerm's writers first take an exclusive
``flock`` on a file beside the store: waiters sleep in the kernel and one wakes as
soon as the holder lets go, so waiting costs no CPU and takes as long as the
writes ahead, no more. ``BEGIN IMMEDIATE`` then finds SQLite's lock free (unless
a program other than HallTerm writes, which the retry loop still covers).

A holder that never lets go (a stopped process) must not hang a terminal: a wait
past the deadline gives up (``StoreUnavailable``, exit 75); the thread left waiting
takes the lock when it comes and lets it go at once.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class Gate:
    """One connection's handle on the gate file (one per write connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.held = False

    def _file(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return None  # a read-only folder: SQLite itself says what is wrong
        return self._fd

    def enter(self, timeout: float) -> bool:
        """Take the gate, waiting at most ``timeout`` seconds; False when it stayed shut.

        Without a gate file (a read-only folder) the write goes on to SQLite's lock.
        """
        fd = self._file()
        if fd is None:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self._wait(fd, timeout):
                return False
        self.held = True
        return True

    def _wait(self, fd: int, timeout: float) -> bool:
        got = threading.Event()
        guard = threading.Lock()
        abandoned = False

        def wait() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if abandoned:
                    os.close(fd)  # the lock goes with the file: nobody waits for us
                    return
                got.set()

        threading.Thread(target=wait, name="hallterm-gate", daemon=True).start()
        if got.wait(timeout):
            return True
        with guard:
            if got.is_set():
                return True
            abandoned = True
            self._fd = None  # the waiting thread owns (and closes) that file now
        return False

    def leave(self) -> None:
        if self.held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.held = False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.held = False
