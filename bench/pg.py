"""PostgreSQL for the write and hall-like benchmarks (``--store postgresql://…``).

    uv run python -m bench.pg start [--dir /tmp/hallterm-bench-pg]   # prints the URL
    uv run python -m bench.pg stop  [--dir /tmp/hallterm-bench-pg]

``start`` makes a throwaway PostgreSQL 15 cluster for a benchmark run: ``initdb`` as the
``postgres`` user (it refuses root), listening on a Unix socket in ``--dir`` only, with
the server's durable defaults (``fsync``, ``synchronous_commit`` and full page writes
on: the figures are for a hall's real server, unlike the test suite's cluster).

With ``--store URL`` a benchmark copies each built SQLite store (``bench.history``) into
a database of that server once, with ``hallterm store copy`` (kept as a template
database named after the store's parameters), and measures on a fresh database made
from the template (``CREATE DATABASE … TEMPLATE``), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import clean_env, venv_bin
from bench.history import Built

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url))
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def prepare(url: str, built: Built, tag: str) -> str:
    """A fresh database holding ``built``'s store; returns its URL."""
    cached = "hb_" + re.sub(r"[^a-z0-9]+", "_", built.path.parent.name.lower())[:50]
    run = f"{cached[:40]}_run_{tag}"
    with _admin(url) as admin:
        have = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (cached,)).fetchone()
        if have is None:
            admin.execute(f'CREATE DATABASE "{cached}"')
            env = clean_env(HALLTERM_KEY_FILE=str(built.key_file))
            proc = subprocess.run([venv_bin("hallterm"), "store", "copy", "--from",
                                   str(built.path), "--to", with_database(url, cached)],
                                  env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                admin.execute(f'DROP DATABASE "{cached}"')
                raise SystemExit(f"hallterm store copy into {cached} failed:\n"
                                 f"{proc.stderr[-2000:]}")
        admin.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{run}" TEMPLATE "{cached}"')
    return with_database(url, run)


def drop(url: str, run_url: str) -> None:
    name = urlsplit(run_url).path.lstrip("/")
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


def start(folder: Path) -> str:
    if not (PG_BIN / "initdb").exists():
        raise SystemExit(f"no PostgreSQL at {PG_BIN} (apt-get install postgresql-15)")
    folder.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    if not data.exists():
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                                 str(folder / "server.log"), "-w", "start", "-o",
                                 f"-c listen_addresses= -k {folder} -c max_connections=100"]),
                   check=True, capture_output=True)
    return f"postgresql://postgres@/postgres?host={folder}"


def stop(folder: Path) -> None:
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-m",
                                 "fast", "-w", "stop"]), capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pg",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--dir", default="/tmp/hallterm-bench-pg")
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start(Path(args.dir)))
    else:
        stop(Path(args.dir))
        print("stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
