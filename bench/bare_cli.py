"""The floor for a CLI command: a bare Typer app that opens the store file and prints the
waiting tickets per service as JSON (what ``hallterm queue status --json`` starts with).

Run by ``bench.cli``; on its own: ``python bench/bare_cli.py --json --store FILE --day DATE``.
"""

import json
import sqlite3

import typer

app = typer.Typer(add_completion=False)


@app.command()
def status(store: str = typer.Option(..., "--store"), day: str = typer.Option(..., "--day"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows = con.execute("SELECT service, count(*) FROM ticket WHERE business_day = ? AND "
                       "state = 'waiting' GROUP BY service", (day,)).fetchall()
    counters = con.execute("SELECT number, state FROM counter ORDER BY number").fetchall()
    data = {"waiting": dict(rows), "counters": [list(c) for c in counters]}
    print(json.dumps(data) if as_json else data)


if __name__ == "__main__":
    app()
