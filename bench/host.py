"""The hall host: 20 sessions at once, half over a pty and half in a browser (issue 19).

    uv run python -m bench.host                    # 10 pty + 10 browser, 12 rounds
    uv run python -m bench.host --pty 2 --browser 2 --rounds 4     # a quick look

On a demo store (``hallterm demo --no-app``) in a temporary folder:

- **pty sessions**: ``hallterm app`` on a pseudo-terminal of 120x40 each (what sshd gives
  a ``hallterm terminal`` login), the output read as it comes;
- **browser sessions**: ``hallterm serve`` on a local port, and per session a WebSocket
  client that speaks textual-serve's protocol as its page does (``["stdin", keys]`` in,
  the terminal's bytes out), so each session is a real ``hallterm terminal --browser``.

All sessions start together (the time to the painted sign-in form is measured), sign in
as the demo's sales clerk 8004, then run rounds of a clerk's mix: F3 to the Sales post,
a barcode typed into the scan field and Enter (scan-to-add: a cart write), F1 home, Ctrl+P
the command palette, Escape. A key press's latency is the time from writing the key to
the first bytes of the screen's update (then the next key waits for 60 ms of quiet).

Rounds alternate: in a *solo* round one pty and one browser session do the mix while the
others idle (the baseline: the same work on the same host with the same sessions alive);
in an *all* round every session does it at once. Memory is each session process's PSS
(shared library pages split between the processes) after sign-in and at the end; CPU is
the sessions' CPU seconds over the all-rounds' wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pty
import shutil
import socket
import struct
import subprocess
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Figure, footer, header, percentile, save_json, table, venv_bin

F1, F3, ESC, CTRL_P, ENTER = "\x1bOP", "\x1bOR", "\x1b", "\x10", "\r"
BARCODE = "6941487200028"  # USB-C cable, a counted item
MIX = [F3, *BARCODE, ENTER, F1, CTRL_P, ESC]
QUIET = 0.06
WIDTH, HEIGHT = 120, 40


@dataclass
class Session:
    """One terminal session: how to send keys, and the bytes it drew, timestamped."""

    kind: str  # "pty" | "browser"
    pid: int = 0
    chunks: asyncio.Queue = field(default_factory=asyncio.Queue)
    seen: bytearray = field(default_factory=bytearray)
    started: float = 0.0
    painted: float | None = None
    send: object = None

    async def next_output(self, after: float, timeout: float = 30.0) -> float:
        """When the first bytes written after ``after`` arrived."""
        deadline = time.perf_counter() + timeout
        while True:
            at, data = await asyncio.wait_for(self.chunks.get(),
                                              max(0.01, deadline - time.perf_counter()))
            self._note(at, data)
            if at >= after:
                return at

    def _note(self, at: float, data: bytes) -> None:
        self.seen += data
        if self.painted is None and b"Employee number" in self.seen:
            self.painted = at
        del self.seen[:-65536]

    async def quiet(self) -> None:
        """Wait until the session has drawn nothing for QUIET seconds."""
        while True:
            try:
                at, data = await asyncio.wait_for(self.chunks.get(), QUIET)
            except TimeoutError:
                return
            self._note(at, data)

    async def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while text not in self.seen:
            at, data = await asyncio.wait_for(self.chunks.get(),
                                              max(0.01, deadline - time.perf_counter()))
            self._note(at, data)

    async def press(self, key: str) -> float:
        """Send one key; its latency in ms (to the first bytes of the update)."""
        await self.quiet()
        sent = time.perf_counter()
        await self.send(key)  # type: ignore[operator]
        return (await self.next_output(sent) - sent) * 1000


def _env(store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update({"LANG": "C.UTF-8", "HALLTERM_LANGUAGE": "en", "HALLTERM_STORE": str(store),
                "HALLTERM_KEY_FILE": str(store.parent / "hallterm.key"), "TERM": "xterm-256color",
                "COLUMNS": str(WIDTH), "LINES": str(HEIGHT)})
    env.update(extra)
    return env


async def open_pty(store: Path, index: int) -> Session:
    """``hallterm app`` on a pseudo-terminal of its own (as sshd gives a login)."""
    loop = asyncio.get_running_loop()
    master, slave = pty.openpty()
    import fcntl

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    session = Session("pty", started=time.perf_counter())
    proc = subprocess.Popen([venv_bin("hallterm"), "app"], stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True, start_new_session=True,
                            env=_env(store, HALLTERM_TERMINAL=f"PTY-{index:02d}"))
    os.close(slave)
    session.pid = proc.pid

    def readable() -> None:
        try:
            data = os.read(master, 65536)
        except OSError:
            loop.remove_reader(master)
            return
        session.chunks.put_nowait((time.perf_counter(), data))

    loop.add_reader(master, readable)

    async def send(keys: str) -> None:
        os.write(master, keys.encode())

    session.send = send
    return session


async def open_browser(port: int, client) -> Session:
    """A WebSocket session on ``hallterm serve``, as textual-serve's page opens one."""
    session = Session("browser", started=time.perf_counter())
    ws = await client.ws_connect(f"http://127.0.0.1:{port}/ws?width={WIDTH}&height={HEIGHT}")

    async def pump() -> None:
        async for message in ws:
            if message.type.name == "BINARY":
                session.chunks.put_nowait((time.perf_counter(), message.data))

    asyncio.get_running_loop().create_task(pump())

    async def send(keys: str) -> None:
        await ws.send_str(json.dumps(["stdin", keys]))

    session.send = send
    return session


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _session_pids(serve_pid: int) -> list[int]:
    """The browser sessions' app processes: textual-serve runs each through a shell."""
    pids = []
    for child in _children(serve_pid):
        grand = _children(child)
        pids.extend(grand or [child])
    return pids


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def sign_in(session: Session) -> None:
    await session.wait_for(b"Employee number")
    for key in ("8004", ENTER, "246810", ENTER):
        await session.send(key)  # type: ignore[operator]
        await asyncio.sleep(0.2)
    await session.wait_for(b"Sign out", timeout=120)
    await session.quiet()


async def mix(session: Session, into: list[float]) -> None:
    for key in MIX:
        into.append(await session.press(key))


async def run(args: argparse.Namespace) -> dict:
    import aiohttp

    folder = Path(tempfile.mkdtemp(prefix="hallterm-bench-host-"))
    store = folder / "hall.db"
    subprocess.run([venv_bin("hallterm"), "demo", "--no-app", "--store", str(store)],
                   check=True, capture_output=True, env=_env(store))
    port = _free_port()
    serve = subprocess.Popen([venv_bin("hallterm"), "serve", "--port", str(port)],
                             env=_env(store), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            await asyncio.sleep(0.1)
    client = aiohttp.ClientSession()
    try:
        begun = time.perf_counter()
        sessions = [*(await asyncio.gather(*(open_pty(store, i) for i in range(args.pty)))),
                    *(await asyncio.gather(*(open_browser(port, client)
                                             for _ in range(args.browser))))]
        await asyncio.gather(*(s.wait_for(b"Employee number", timeout=300) for s in sessions))
        first_frame = [(s.kind, (s.painted or time.perf_counter()) - begun) for s in sessions]
        await asyncio.gather(*(sign_in(s) for s in sessions))
        browser_pids = _session_pids(serve.pid)
        pids = {s.pid for s in sessions if s.kind == "pty"} | set(browser_pids)
        memory_signed_in = [pss_mb(p) for p in pids]
        solo = {"pty": [], "browser": []}
        together = {"pty": [], "browser": []}
        busy_wall, cpu_before = 0.0, sum(cpu_seconds(p) for p in pids)
        cpu_solo, serve_cpu = 0.0, 0.0
        for r in range(args.rounds):
            if r % 2 == 0:  # solo: the first pty and the first browser session, one by one
                c0 = sum(cpu_seconds(p) for p in pids)
                for kind in ("pty", "browser"):
                    first = next((s for s in sessions if s.kind == kind), None)
                    if first is not None:
                        await mix(first, solo[kind])
                cpu_solo += sum(cpu_seconds(p) for p in pids) - c0
            else:
                t0, s0 = time.perf_counter(), cpu_seconds(serve.pid)
                await asyncio.gather(*(mix(s, together[s.kind]) for s in sessions))
                busy_wall += time.perf_counter() - t0
                serve_cpu += cpu_seconds(serve.pid) - s0
        cpu_all = sum(cpu_seconds(p) for p in pids) - cpu_before - cpu_solo
        memory_end = [pss_mb(p) for p in pids]
        serve_mb = pss_mb(serve.pid)
    finally:
        await client.close()
        for s in locals().get("sessions", []):
            if s.kind == "pty" and s.pid:
                with contextlib.suppress(OSError):
                    os.killpg(s.pid, 15)
        os.killpg(serve.pid, 15)
        serve.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return {"first_frame": first_frame, "solo": solo, "together": together,
            "memory_signed_in": memory_signed_in, "memory_end": memory_end,
            "serve_mb": serve_mb, "cpu_all_s": cpu_all, "serve_cpu_s": serve_cpu,
            "busy_wall_s": busy_wall,
            "sessions": len(pids)}


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return (f"{percentile(values, 50):.0f} / {percentile(values, 90):.0f} / "
            f"{percentile(values, 99):.0f} / {max(values):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pty", type=int, default=10)
    parser.add_argument("--browser", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--json")
    args = parser.parse_args()
    header(f"The hall host: {args.pty} pty + {args.browser} browser sessions, "
           f"{args.rounds} rounds (solo and all alternating)")
    result = asyncio.run(run(args))
    frames = Figure([t for _k, t in result["first_frame"]])
    print(f"\nAll {result['sessions']} sessions started together: sign-in form painted after "
          f"{frames.text('{:.1f}')} s (median, range)\n")
    table(["key press to screen update, ms (p50 / p90 / p99 / max)", "solo (baseline)",
           f"all {result['sessions']} at once", "keys"],
          [(kind, _ms(result["solo"][kind]), _ms(result["together"][kind]),
            f"{len(result['solo'][kind])} / {len(result['together'][kind])}")
           for kind in ("pty", "browser")])
    mem, end = Figure(result["memory_signed_in"]), Figure(result["memory_end"])
    print()
    table(["memory (PSS, MB)", "per session after sign-in", "per session at the end",
           "all sessions", "hallterm serve itself"],
          [("median (range)", mem.text("{:.0f}"), end.text("{:.0f}"),
            f"{sum(result['memory_end']):.0f}", f"{result['serve_mb']:.0f}")])
    cores = result["cpu_all_s"] / result["busy_wall_s"] if result["busy_wall_s"] else 0.0
    print(f"\nCPU while all sessions ran the mix: {result['cpu_all_s']:.1f} s of CPU in "
          f"{result['busy_wall_s']:.1f} s = {cores:.2f} cores of {os.cpu_count()} (the "
          f"sessions), and {result['serve_cpu_s']:.1f} s in hallterm serve relaying the "
          f"browser sessions")
    footer()
    save_json(args.json, result)


if __name__ == "__main__":
    main()
