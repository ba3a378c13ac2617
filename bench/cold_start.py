"""Cold start of ``hallterm demo``: time to the painted sign-in screen, and peak memory.

Runs the installed ``hallterm`` entry point in a pseudo-terminal (120x40) several
times on a prepared demo store, and reports the median time until the sign-in
form is on the screen, the median time until the store is open (the hall's name
replaces "HallTerm"), and the largest peak RSS. Goal: paint <= 0.5 s, <= 100 MB.

    uv run python bench/cold_start.py [--runs 7] [--no-bytecode-cache]

By default the child processes may cache bytecode (in a temporary folder), as an
installed HallTerm does after its first start; ``--no-bytecode-cache`` measures a
start that compiles every module from source (``PYTHONDONTWRITEBYTECODE=1``).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAINTED = b"Employee number"  # the sign-in form's first label
OPENED = b"Guangzhou Tianhe Road Service Hall"  # the hall's name: the store is open
TIMEOUT_S = 20.0


def hallterm() -> str:
    exe = ROOT / ".venv" / "bin" / "hallterm"
    return str(exe) if exe.exists() else (shutil.which("hallterm") or "hallterm")


BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Input, Label

class Bare(App):
    def compose(self):
        yield Label("Employee number")
        yield Input()
        yield Footer()

Bare().run()
"""


def one_run(store: Path, env: dict[str, str], argv: list[str] | None = None,
            opened_marker: bytes = OPENED) -> tuple[float, float, int]:
    """(seconds to paint, seconds to store open, peak RSS in KiB) of one start."""
    argv = argv or [hallterm(), "demo", "--store", str(store)]
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, in the pseudo-terminal
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    painted = opened = None
    deadline = start + TIMEOUT_S
    while opened is None and time.perf_counter() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        now = time.perf_counter()
        if painted is None and PAINTED in seen:
            painted = now - start
        if opened_marker in seen:
            opened = now - start
    os.write(fd, b"\x11")  # ctrl+q
    end = time.perf_counter() + 5
    while time.perf_counter() < end:
        done, _status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        select.select([fd], [], [], 0.05)
        with contextlib.suppress(OSError):
            os.read(fd, 65536)
    else:
        os.kill(pid, 9)
        _done, _status, usage = os.wait4(pid, 0)
    os.close(fd)
    if painted is None or opened is None:
        raise SystemExit(f"the sign-in screen did not appear within {TIMEOUT_S} s")
    return painted, opened, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile every module from source at each start "
                             "(PYTHONDONTWRITEBYTECODE=1 and no .pyc yet)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", HOME=str(home),
                   XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
                   HALLTERM_LANGUAGE="en", HALLTERM_TERMINAL="BENCH")
        if args.no_bytecode_cache:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
        else:
            # As on an installed system: bytecode cached after the first start (kept in
            # a temporary folder here, so the work tree and the venv stay untouched).
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
        store = home / "demo.db"
        subprocess.run([hallterm(), "demo", "--no-app", "--store", str(store)], env=env,
                       check=True, capture_output=True)
        one_run(store, env)  # warm the OS file cache, as on a terminal used every day
        runs = [one_run(store, env) for _ in range(args.runs)]
        # The same harness on a bare Textual app, for comparison on this machine now.
        bare_py = home / "bare.py"
        bare_py.write_text(BARE_APP)
        bare = [one_run(store, env, [sys.executable, str(bare_py)], PAINTED)[0]
                for _ in range(args.runs)]
    paint = statistics.median(r[0] for r in runs)
    opened = statistics.median(r[1] for r in runs)
    peak_mb = max(r[2] for r in runs) / 1024
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
    print(f"hallterm demo, {args.runs} runs, 120x40 pseudo-terminal, {cache} (Python "
          f"{sys.version.split()[0]})")
    print(f"  painted sign-in screen: median {paint:.3f} s "
          f"(min {min(r[0] for r in runs):.3f}, max {max(r[0] for r in runs):.3f})")
    print(f"  store open (hall name shown): median {opened:.3f} s")
    print(f"  a bare Textual app (label, input, footer) paints in: median "
          f"{statistics.median(bare):.3f} s")
    print(f"  peak memory (max RSS): {peak_mb:.1f} MB")


if __name__ == "__main__":
    main()
