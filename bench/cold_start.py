"""Cold start: the sign-in screen as rendered, with and without bytecode cache, and memory.

    uv run python -m bench.cold_start [--rounds 5] [--commands app,demo]
    uv run python -m bench.cold_start --quick       # under a minute

Each start runs in a tmux pane of 120x40 (a real terminal emulator); the screen is
read back as text (``tmux capture-pane``) every few milliseconds, so "painted"
means the sign-in form's "Employee number" is on the rendered screen, not that the
bytes were written. Measured, rounds interleaved:

- ``hallterm app --store S`` (a counter terminal: HALLTERM_COUNTER=1) and ``hallterm
  demo --store D`` (the newcomer's first start), time to the painted sign-in form and
  to the hall's name in the header (the store is open);
- the same harness on a bare Textual app (a label, an input, a footer): the floor;
- each with the bytecode cache (``PYTHONPYCACHEPREFIX`` a folder filled by a first
  start) and without (``PYTHONDONTWRITEBYTECODE=1`` and a fresh, empty prefix: every
  module compiled from source);
- memory: ``hallterm app``, clerk 8001 signs in (the real PIN check, Argon2 as
  configured); peak RSS (VmHWM) when "Signed in" is on the screen and steady RSS
  (VmRSS) two seconds later; the bare app's after its paint.

Goals (issue 14): painted <= 0.5 s also without a bytecode cache; peak RSS after
sign-in <= 120 MB; steady <= 100 MB.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import history
from bench.common import Figure, footer, header, save_json, table, venv_bin

PAINTED = "Employee number"
OPENED = "Guangzhou Tianhe Road Service Hall"
SIGNED_IN = "Signed in:"
TIMEOUT_S = 30.0

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


class Pane:
    """One tmux server and pane (120x40) for the whole run."""

    def __init__(self) -> None:
        if shutil.which("tmux") is None:
            raise SystemExit("bench.cold_start needs tmux (apt-get install tmux)")
        self.socket = f"hallterm-bench-{os.getpid()}"
        self._tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", "sleep 100000")
        self._tmux("set-option", "-g", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=True).stdout

    def start(self, argv: list[str], env: dict[str, str]) -> float:
        line = "exec env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + \
            " " + " ".join(shlex.quote(a) for a in argv)
        t0 = time.perf_counter()
        self._tmux("respawn-pane", "-k", "-t", "b", line)
        return t0

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "b")

    def pid(self) -> int:
        return int(self._tmux("display", "-p", "-t", "b", "#{pane_pid}").strip())

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "b", *keys)

    def wait_for(self, text: str, t0: float, timeout: float = TIMEOUT_S) -> float:
        while True:
            now = time.perf_counter()
            if text in self.screen():
                return now - t0
            if now - t0 > timeout:
                raise SystemExit(f"{text!r} did not appear within {timeout:.0f} s; the screen:"
                                 f"\n{self.screen()}")
            time.sleep(0.003)

    def stop(self) -> None:
        self._tmux("respawn-pane", "-k", "-t", "b", "sleep 100000")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def memory(pid: int) -> tuple[float, float]:
    """(peak, current) resident memory of ``pid`` in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        fields[key] = value.strip()
    return (int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--commands", default="app,demo", help="which starts (app, demo)")
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--json", metavar="FILE", help="also write every start as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 2
    commands = args.commands.split(",")
    header(f"bench.cold_start: {', '.join(commands)} and a bare Textual app, {args.rounds} "
           "rounds, with and without bytecode cache")
    tmp = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    pane = Pane()
    starts: list[dict] = []
    figs: dict[tuple, Figure] = {}
    try:
        # A new store whose PINs are hashed as HallTerm hashes them (the sign-in's memory).
        store = history.Built(tmp / "store" / "hall.db", tmp / "store" / "hallterm.key", 0, 0, 0)
        store.path.parent.mkdir()
        history.build(store.path, store.key_file, 0, 0, 0, goods_per_counter=10,
                      fast_pins=False)
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color",
                "LANG": "C.UTF-8", "HOME": str(tmp / "home"), "HALLTERM_LANGUAGE": "en",
                "XDG_DATA_HOME": str(tmp / "home" / "data"),
                "XDG_CONFIG_HOME": str(tmp / "home" / "config"),
                "HALLTERM_TERMINAL": "BENCH", "HALLTERM_NOW": "2026-11-25T10:00:00+08:00"}
        (tmp / "home").mkdir()
        bare_py = tmp / "bare.py"
        bare_py.write_text(BARE_APP)
        demo_store = tmp / "demo" / "demo.db"
        demo_store.parent.mkdir()
        subprocess.run([venv_bin("hallterm"), "demo", "--no-app", "--store", str(demo_store)],
                       env={**base, "PYTHONPYCACHEPREFIX": str(tmp / "pyc")}, check=True,
                       capture_output=True)
        targets = {
            "app": ([venv_bin("hallterm"), "app", "--store", str(store.path)],
                    {"HALLTERM_KEY_FILE": str(store.key_file), "HALLTERM_COUNTER": "1"}),
            "demo": ([venv_bin("hallterm"), "demo", "--store", str(demo_store)], {}),
            "bare": ([sys.executable, str(bare_py)], {}),
        }
        order = [c for c in commands if c in targets] + ["bare"]

        def env_for(mode: str, extra: dict[str, str], fresh: int) -> dict[str, str]:
            env = {**base, **extra}
            if mode == "cached":
                env["PYTHONPYCACHEPREFIX"] = str(tmp / "pyc")
            else:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
                env["PYTHONPYCACHEPREFIX"] = str(tmp / f"empty{fresh}")
            return env

        for name in order:  # fill the bytecode cache and the OS file cache
            argv_, extra = targets[name]
            t0 = pane.start(argv_, env_for("cached", extra, 0))
            pane.wait_for(PAINTED, t0)
            pane.stop()
        fresh = 0
        for r in range(args.rounds):
            for mode in ("cached", "nocache"):
                for name in order:
                    argv_, extra = targets[name]
                    fresh += 1
                    t0 = pane.start(argv_, env_for(mode, extra, fresh))
                    painted = pane.wait_for(PAINTED, t0)
                    opened = pane.wait_for(OPENED, t0) if name != "bare" else None
                    start = {"round": r, "mode": mode, "command": name, "painted_s": painted,
                             "opened_s": opened}
                    figs.setdefault((name, mode, "painted"), Figure()).add(painted)
                    if opened is not None:
                        figs.setdefault((name, mode, "opened"), Figure()).add(opened)
                    if mode == "cached" and name in ("app", "bare"):
                        pid = pane.pid()
                        if name == "app":
                            time.sleep(0.3)
                            pane.keys("8001", "Enter")
                            time.sleep(0.2)
                            pane.keys("246810", "Enter")
                            pane.wait_for(SIGNED_IN, time.perf_counter())
                        peak, _now = memory(pid)
                        time.sleep(2)
                        _peak, steady = memory(pid)
                        start.update(peak_mb=peak, steady_mb=steady)
                        figs.setdefault((name, mode, "peak"), Figure()).add(peak)
                        figs.setdefault((name, mode, "steady"), Figure()).add(steady)
                    pane.stop()
                    shutil.rmtree(tmp / f"empty{fresh}", ignore_errors=True)
                    starts.append(start)
            print(f"  round {r + 1} done", file=sys.stderr, flush=True)
    finally:
        pane.close()
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for name in order:
        for mode in ("cached", "nocache"):
            get = figs.get
            rows.append([name, "yes" if mode == "cached" else "no",
                         (get((name, mode, "painted")) or Figure()).text("{:.3f}"),
                         (get((name, mode, "opened")) or Figure()).text("{:.3f}"),
                         (get((name, mode, "peak")) or Figure()).text("{:.0f}"),
                         (get((name, mode, "steady")) or Figure()).text("{:.0f}")])
    print()
    table(["start", "bytecode cache", "sign-in painted s", "store open s",
           "peak RSS MB (after sign-in)", "steady RSS MB"], rows)
    goals = []
    for name in commands:
        for mode in ("cached", "nocache"):
            f = figs.get((name, mode, "painted"))
            if f:
                bare = figs[("bare", mode, "painted")].median
                goals.append((f"{name}: sign-in painted <= 0.5 s ({mode})",
                              f"{f.median:.3f} s (bare Textual {bare:.3f} s)", f.median <= 0.5))
    if ("app", "cached", "peak") in figs:
        peak, steady = figs[("app", "cached", "peak")], figs[("app", "cached", "steady")]
        goals.append(("peak RSS after sign-in <= 120 MB", f"{peak.median:.0f} MB",
                      peak.median <= 120))
        goals.append(("steady RSS after sign-in <= 100 MB", f"{steady.median:.0f} MB",
                      steady.median <= 100))
    print()
    table(["goal", "measured", "met"], [(g, m, "yes" if ok else "**no**") for g, m, ok in goals])
    save_json(args.json, {"starts": starts, "args": vars(args)})
    footer()


if __name__ == "__main__":
    main()
