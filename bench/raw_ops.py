"""The raw side of the write and hall-like benchmarks: the same writes as plain SQL.

``RawOps`` runs on the driver alone (``sqlite3``, or psycopg for a PostgreSQL URL) the
statements HallTerm's service calls must run: the counter row (``sequence``), the
business rows, and one audit row whose HMAC-SHA-256 chains onto the last row's
(``bench.workers`` says what each side does; this is the baseline).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import sqlite3
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from bench.workers import GOODS, BenchClock, Spec, counter_of, is_url, services_of


def _mac(key: bytes, fields: list[Any]) -> str:
    body = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


PG_WRITE_LOCK = 0x48414C4C  # the advisory lock every HallTerm write takes on PostgreSQL


class RawOps:
    """The same writes as plain SQL on the driver (sqlite3, or psycopg for a PostgreSQL
    URL), one SQL text for both (``?`` becomes ``%s``); see the module docstring."""

    def __init__(self, spec: Spec) -> None:
        from hallterm.security import read_key_file
        from hallterm.services.audit import chain_key

        self.key = chain_key(read_key_file(Path(spec.key_file)))
        self.retry = spec.raw_wait == "retry"
        self.pg = is_url(spec.path)
        if self.pg:
            import psycopg

            url = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", spec.path)
            self.con = psycopg.connect(url, autocommit=True)
            self.busy: tuple[type[BaseException], ...] = (
                psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
        else:
            self.con = sqlite3.connect(spec.path, isolation_level=None,
                                       timeout=0 if self.retry else 10, check_same_thread=False)
            self.con.execute("PRAGMA synchronous=FULL")
            self.con.execute("PRAGMA foreign_keys=ON")
            self.busy = ()
        self._sql: dict[str, str] = {}
        self.clock = BenchClock(spec.day, spec.anchor)
        self.day = spec.day
        self.counter = counter_of(spec.index)
        self.terminal = f"R{spec.index + 1:02d}"
        self.clerk = f"80{self.counter:02d}"
        self.clerk_id = self.x("SELECT id FROM staff WHERE empno = ?", (self.clerk,)).fetchone()[0]
        self.sku = GOODS[spec.index % len(GOODS)]
        self.services = services_of(self.counter)
        self.place = f"counter:{self.counter}"
        self.n = 0

    def x(self, sql: str, params: tuple = ()) -> Any:
        """Run one statement (its text translated once for psycopg)."""
        if self.pg:
            text = self._sql.get(sql)
            if text is None:
                text = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
            return self.con.execute(text, params)
        return self.con.execute(sql, params)

    def _at(self) -> str:
        return self.clock.now().astimezone(UTC).isoformat(timespec="microseconds")

    def _audit(self, at: str, actor: str, action: str, entity: str, entity_id: str,
               payload: dict[str, Any]) -> None:
        seq, prev = self.x(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        fields = [seq + 1, at, self.day, actor, None, self.terminal, action, entity, entity_id,
                  text, prev]
        self.x("INSERT INTO audit_log (seq, at, business_day, actor, approver, "
                         "terminal, action, entity, entity_id, payload, prev_hash, hash) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (*fields, _mac(self.key, fields)))

    def _next(self, key: str) -> int:
        return self.x("INSERT INTO sequence (key, value) VALUES (?, 1) ON CONFLICT(key) "
                                "DO UPDATE SET value = sequence.value + 1 RETURNING value",
                                (key,)).fetchone()[0]

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``: retried at once with a short jittered pause (``retry``, as
        HallTerm's store waits), or left to SQLite's busy handler (``busy``). PostgreSQL:
        ``BEGIN`` and the advisory lock HallTerm's writes take (one audit chain writer)."""
        if self.pg:
            self.x("BEGIN")
            self.x("SELECT pg_advisory_xact_lock(?)", (PG_WRITE_LOCK,))
            return
        if not self.retry:
            self.x("BEGIN IMMEDIATE")
            return
        delay = 0.0001
        while True:
            try:
                self.x("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.002)

    def _write(self, work) -> None:
        while True:
            self._begin()
            try:
                work(self._at())
                self.x("COMMIT")
                return
            except self.busy:  # PostgreSQL: a serialization failure or deadlock, again
                self.x("ROLLBACK")
            except BaseException:
                self.x("ROLLBACK")
                raise

    def issue(self) -> str:
        self.n += 1
        service = self.services[self.n % len(self.services)]

        def work(at: str) -> None:
            day = self.day
            prefix, recent = self.x(
                "SELECT s.prefix, (SELECT max(queue_key) FROM (SELECT queue_key, business_day, "
                "hop FROM ticket ORDER BY id DESC LIMIT 8) AS recent WHERE business_day = ? AND "
                "hop = 0) "
                "FROM service s WHERE s.code = ?", (day, service)).fetchone()
            seq = self._next(f"ticket:{prefix}:{day}")
            visit = self.x("INSERT INTO visit (business_day, opened_at, terminal) "
                                "VALUES (?, ?, ?) RETURNING id", (day, at, self.terminal)
                                ).fetchone()[0]
            number = f"{prefix}{seq:03d}"
            ticket = self.x(
                "INSERT INTO ticket (business_day, number, seq, hop, service, priority, "
                "visit_id, state, issued_at, issued_by, queue_key, recalls, parked_s, misses, "
                "auto_reinserted) VALUES (?, ?, ?, 0, ?, 'normal', ?, 'waiting', ?, 'kiosk', "
                "?, 0, 0, 0, FALSE) RETURNING id",
                (day, number, seq, service, visit, at, (recent or 0) + 1)).fetchone()[0]
            self.x("INSERT INTO ticket_event (business_day, ticket_id, at, kind, counter, "
                        "priority, actor, detail) VALUES (?, ?, ?, 'issue', NULL, 'normal', "
                        "'kiosk', '{}')", (day, ticket, at))
            self._audit(at, "kiosk", "queue.issue", "ticket", number,
                        {"service": service, "priority": "normal", "visit": visit})
        self._write(work)
        return "issue"

    def sale(self) -> str:
        def work(at: str) -> None:
            day = self.day
            item = self.x("SELECT name_zh, name_en, kind, price_fen FROM catalog_item "
                               "WHERE sku = ?", (self.sku,)).fetchone()
            price = item[3]
            visit = self.x("INSERT INTO visit (business_day, opened_at, terminal) "
                                "VALUES (?, ?, ?) RETURNING id", (day, at, self.terminal)
                                ).fetchone()[0]
            receipt = f"R{day.replace('-', '')}-{self._next(f'receipt:{day}'):04d}"
            sale = self.x(
                "INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, "
                "visit_id, walk_up, list_total_fen, total_fen, state, reprints) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, 'completed', 0) RETURNING id",
                (receipt, day, at, self.counter, self.terminal, self.clerk, visit, price,
                 price)).fetchone()[0]
            self.x("INSERT INTO sale_line (sale_id, business_day, line_no, sku, name_zh, "
                        "name_en, kind, quantity, list_price_fen, unit_price_fen, discount_fen, "
                        "total_fen) VALUES (?, ?, 1, ?, ?, ?, ?, 1, ?, ?, 0, ?)",
                        (sale, day, self.sku, item[0], item[1], item[2], price, price, price))
            self.x("INSERT INTO payment (sale_id, business_day, method, amount_fen, "
                        "tendered_fen, change_fen) VALUES (?, ?, 'cash', ?, ?, 0)",
                        (sale, day, price, price))
            doc_no = f"SD{day[:4]}-{self._next(f'stockdoc:{day[:4]}'):06d}"
            doc = self.x(
                "INSERT INTO stock_document (number, kind, business_day, at, actor, from_place, "
                "to_place, reference, lines, quantity, value_fen) VALUES (?, 'sale', ?, ?, ?, "
                "?, 'sold', ?, 1, 1, ?) RETURNING id",
                (doc_no, day, at, self.clerk, self.place, receipt, price)).fetchone()[0]
            self.x("INSERT INTO stock_move (document_id, business_day, at, sku, quantity, "
                        "from_place, to_place, unit_value_fen) VALUES (?, ?, ?, ?, 1, ?, "
                        "'sold', ?)", (doc, day, at, self.sku, self.place, price))
            self.x("UPDATE stock_balance SET quantity = quantity - 1 WHERE sku = ? AND "
                        "place = ?", (self.sku, self.place))
            if not self.x("UPDATE stock_balance SET quantity = quantity + 1 WHERE sku = ? "
                               "AND place = 'sold'", (self.sku,)).rowcount:
                self.x("INSERT INTO stock_balance (sku, place, quantity) VALUES "
                            "(?, 'sold', 1)", (self.sku,))
            self._audit(at, self.clerk, "sale.complete", "sale", receipt,
                        {"counter": self.counter, "total_fen": price, "stock": doc_no,
                         "lines": [[self.sku, 1, price]], "payments": [["cash", price]]})
        self._write(work)
        return "sale"

    def call(self) -> str:
        found: list[Any] = []

        def call(at: str) -> None:
            day = self.day
            marks = ", ".join("?" * len(self.services))
            row = self.x(
                f"SELECT id, number, priority FROM ticket WHERE business_day = ? AND state = "
                f"'waiting' AND service IN ({marks}) ORDER BY queue_key, id LIMIT 1",
                (day, *self.services)).fetchone()
            if row is None:
                return
            found.append(row)
            self.x("UPDATE ticket SET state = 'called', counter = ?, clerk_id = ?, "
                        "called_at = ?, first_called_at = coalesce(first_called_at, ?), "
                        "recalls = 0, call_rule = 'line' WHERE id = ? AND state = 'waiting'",
                        (self.counter, self.clerk_id, at, at, row[0]))
            self.x("INSERT INTO ticket_event (business_day, ticket_id, at, kind, counter, "
                        "priority, actor, detail) VALUES (?, ?, ?, 'call', ?, ?, ?, '{}')",
                        (day, row[0], at, self.counter, row[2], self.clerk))
            self._audit(at, self.clerk, "queue.call", "ticket", row[1],
                        {"counter": self.counter})

        def finish(at: str) -> None:
            day = self.day
            row = self.x("SELECT id, number, priority FROM ticket WHERE business_day = ? "
                              "AND counter = ? AND state IN ('called', 'serving') LIMIT 1",
                              (day, self.counter)).fetchone()
            self.x("UPDATE ticket SET state = 'done', serving_at = coalesce(serving_at, "
                        "?), finished_at = ? WHERE id = ?", (at, at, row[0]))
            self.x("INSERT INTO ticket_event (business_day, ticket_id, at, kind, counter, "
                        "priority, actor, detail) VALUES (?, ?, ?, 'finish', ?, ?, ?, '{}')",
                        (day, row[0], at, self.counter, row[2], self.clerk))
            self._audit(at, self.clerk, "queue.finish", "ticket", row[1],
                        {"counter": self.counter})

        self._write(call)
        if not found:
            return "idle"
        self._write(finish)
        return "call"

    def scan(self) -> str:
        self.x("BEGIN")
        self.x("SELECT c.state, s.empno FROM counter c LEFT JOIN staff s ON "
                    "s.id = c.clerk_id WHERE c.number = ?", (self.counter,)).fetchone()
        self.x("SELECT sku, name_en, kind, price_fen FROM catalog_item WHERE sku = ?",
                    (self.sku,)).fetchone()
        self.x("SELECT quantity FROM stock_balance WHERE sku = ? AND place = ?",
                    (self.sku, self.place)).fetchone()
        self.x("COMMIT")
        return "scan"

    def close(self) -> None:
        self.con.close()
