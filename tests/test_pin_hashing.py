"""PIN hashes: Argon2id at OWASP's minimum (chosen for a terminal's memory), old ones rehashed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from hallterm import security
from tests.conftest import MANAGER_PIN

ROOT = Path(__file__).parent.parent

# OWASP Password Storage Cheat Sheet, Argon2id: equivalent minimum rows (MiB, passes), p=1.
OWASP_ROWS = {(46, 1), (19, 2), (12, 3), (9, 4), (7, 5)}


def test_pins_are_hashed_at_owasps_minimum_within_the_terminals_memory():
    """The real parameters (the tests' conftest makes hashing cheap: a fresh process)."""
    code = ("from hallterm import security; print(security.hash_pin('123456', b'k' * 32))")
    stored = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout.strip()
    params = extract_parameters(stored)
    assert params.type is Type.ID and params.parallelism == 1
    assert any(params.memory_cost >= m * 1024 and params.time_cost >= t for m, t in OWASP_ROWS)
    # A sign-in's peak memory is the app's plus this: the default 64 MiB made it 172 MB.
    assert params.memory_cost <= 19 * 1024


def _stored(path: Path, empno: str) -> str:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT pin_hash FROM staff WHERE empno = ?", (empno,)).fetchone()[0]


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_hash_with_older_parameters_still_signs_in_and_is_rehashed(hall):
    from hallterm.services.staff import authenticate

    older = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2)
    with sqlite3.connect(hall.path) as con:
        con.execute("UPDATE staff SET pin_hash = ? WHERE empno = '9001'",
                    (older.hash(security._keyed(MANAGER_PIN, hall.ctx.pepper)),))
    assert security.needs_rehash(_stored(hall.path, "9001"))

    assert authenticate(hall.ctx, empno="9001", pin=MANAGER_PIN).empno == "9001"
    stored = _stored(hall.path, "9001")
    assert not security.needs_rehash(stored)
    assert extract_parameters(stored).time_cost != 2
    assert security.verify_pin(stored, MANAGER_PIN, hall.ctx.pepper)
    assert authenticate(hall.ctx, empno="9001", pin=MANAGER_PIN).empno == "9001"


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_wrong_pin_does_not_rehash(hall):
    from hallterm.errors import AuthFailed
    from hallterm.services.staff import authenticate

    older = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2)
    with sqlite3.connect(hall.path) as con:
        con.execute("UPDATE staff SET pin_hash = ? WHERE empno = '9001'",
                    (older.hash(security._keyed(MANAGER_PIN, hall.ctx.pepper)),))
    before = _stored(hall.path, "9001")
    with pytest.raises(AuthFailed):
        authenticate(hall.ctx, empno="9001", pin="000000")
    assert _stored(hall.path, "9001") == before
