"""Hypothesis stateful test of the stock ledger: random movements keep every invariant.

Invariants after every step: a serial is in exactly one place (and where the model
says); no count is negative; the kept balances equal the ledger (``verify``); the
total held in the hall changes only by receipts, sales (and their reversal),
write-offs and stocktake adjustments.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hallterm.errors import HallTermError
from hallterm.seeds.stock import make_imei
from hallterm.services import catalog, stock
from hallterm.services.stock import LineIn, stocktake
from tests.conftest import make_hall

ROOT = Path(__file__).parent.parent
PIN = "246810"
COUNTERS = (1, 2, 3)
HOLDING = ("warehouse", "counter:1", "counter:2", "counter:3")
COUNTED = "ACC-CASE"


class Ledger(RuleBasedStateMachine):
    """The model: where each serial is, and how many counted items each place holds."""

    @initialize()
    def open_hall(self):
        from hallterm.services.staff import approve, confirm_person

        self.dir = Path(tempfile.mkdtemp(prefix="ledger-"))
        self.hall = make_hall(self.dir)
        catalog.load_catalog(self.hall.manager, path=ROOT / "data" / "catalog.toml")
        self.clerk = self.hall.add("8008", "warehouse")
        self.sales = self.hall.add("8004", "sales")
        self.hall.add("8002", "duty_manager")
        from hallterm.services import queue

        # Each counter open with its own keeper, who alone signs for and sells its stock.
        self.keepers, self.receivers = {}, {}
        for counter, empno in zip(COUNTERS, ("8004", "8005", "8006"), strict=True):
            keeper = self.sales if empno == "8004" else self.hall.add(empno, "sales")
            queue.set_counter_state(self.hall.manager, counter=counter, state="open",
                                    clerk=empno)
            self.keepers[counter] = keeper
            self.receivers[counter] = confirm_person(self.clerk, empno=empno, pin=PIN)
        self.witness = approve(self.clerk, action="stock.valuable_card", empno="8002", pin=PIN)
        self.manager = approve(self.clerk, action="stock.write_off", empno="9001", pin="123456")
        self.adjuster = approve(self.clerk, action="stock.adjust", empno="9001", pin="123456")
        self.serials: dict[str, tuple[str, str]] = {}
        self.counted: dict[str, int] = defaultdict(int)
        self.sales_made: dict[str, str] = {}  # sale ref -> counter place
        self.held = 0
        self.next = 1

    def teardown(self):
        if hasattr(self, "hall"):
            self.hall.ctx.store.dispose()
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------
    def _at(self, place: str) -> list[str]:
        return sorted(s for s, (_sku, p) in self.serials.items() if p == place)

    def _move_serial(self, serial: str, to: str) -> None:
        self.serials[serial] = (self.serials[serial][0], to)

    # -- rules --------------------------------------------------------------------------
    @rule(handsets=st.integers(0, 3), cards=st.integers(0, 2), cases=st.integers(0, 5),
          bad=st.booleans())
    def receive(self, handsets, cards, cases, bad):
        lines, new = [], []
        for _ in range(handsets):
            serial = make_imei(self.next)
            self.next += 1
            lines.append(LineIn("HS-XM-14", serial))
            new.append((serial, "HS-XM-14"))
        for _ in range(cards):
            serial = f"VC100S{self.next:06d}"
            self.next += 1
            lines.append(LineIn("VC-100", serial))
            new.append((serial, "VC-100"))
        if cases:
            lines.append(LineIn(COUNTED, None, cases))
        # A serial still in the hall (or sold) cannot come in again; one returned can.
        taken = sorted(s for s, (sku, p) in self.serials.items()
                       if sku == "HS-XM-14" and p != "returned_to_supplier")
        bad = bad and bool(taken)
        if bad:
            lines.append(LineIn("HS-XM-14", taken[0]))
        if not lines:
            return
        self.next += 1
        try:
            stock.receive(self.clerk, document_no=f"DN-{self.next}", supplier="S", lines=lines,
                          witness=self.witness if cards else None)
        except HallTermError:
            assert bad
            return
        assert not bad
        for serial, sku in new:
            self.serials[serial] = (sku, "warehouse")
        self.counted["warehouse"] += cases
        self.held += len(new) + cases

    @rule(counter=st.sampled_from(COUNTERS), data=st.data())
    def issue(self, counter, data):
        place = f"counter:{counter}"
        available = self._at("warehouse")
        picked = data.draw(st.lists(st.sampled_from(available), unique=True, max_size=3)
                           ) if available else []
        qty = data.draw(st.integers(0, self.counted["warehouse"] + 1))
        lines = [LineIn("", s) for s in picked] + ([LineIn(COUNTED, None, qty)] if qty else [])
        if not lines:
            return
        cards = any(self.serials[s][0] == "VC-100" for s in picked)
        try:
            stock.issue(self.clerk, counter=counter, lines=lines, receiver=self.receivers[counter],
                        witness=self.witness if cards else None)
        except HallTermError:
            assert qty > self.counted["warehouse"]
            return
        assert qty <= self.counted["warehouse"]
        for s in picked:
            self._move_serial(s, place)
        self.counted["warehouse"] -= qty
        self.counted[place] += qty

    @rule(counter=st.sampled_from(COUNTERS), data=st.data())
    def give_back(self, counter, data):
        place = f"counter:{counter}"
        available = self._at(place)
        if not available:
            return
        picked = data.draw(st.lists(st.sampled_from(available), unique=True, min_size=1,
                                    max_size=2))
        cards = any(self.serials[s][0] == "VC-100" for s in picked)
        stock.return_from_counter(self.clerk, counter=counter,
                                  lines=[LineIn("", s) for s in picked],
                                  witness=self.witness if cards else None)
        for s in picked:
            self._move_serial(s, "warehouse")

    @rule(counter=st.sampled_from(COUNTERS), data=st.data())
    def sell(self, counter, data):
        place = f"counter:{counter}"
        available = [s for s in self._at(place) if self.serials[s][0] == "HS-XM-14"]
        picked = data.draw(st.lists(st.sampled_from(available), unique=True, max_size=2)
                           ) if available else []
        qty = data.draw(st.integers(0, self.counted[place]))
        if not picked and not qty:
            return
        ref = f"SALE-{self.next}"
        self.next += 1
        lines = [LineIn("HS-XM-14", s) for s in picked] + (
            [LineIn(COUNTED, None, qty)] if qty else []) + [LineIn("SVC-DATA-10G")]
        stock.sell(self.keepers[counter], counter=counter, lines=lines, sale_ref=ref)
        for s in picked:
            self._move_serial(s, "sold")
        self.counted[place] -= qty
        self.held -= len(picked) + qty
        self.sales_made[ref] = (place, picked, qty)

    @precondition(lambda self: self.sales_made)
    @rule(data=st.data())
    def void(self, data):
        ref = data.draw(st.sampled_from(sorted(self.sales_made)))
        place, picked, qty = self.sales_made.pop(ref)
        stock.reverse_sale(self.sales, sale_ref=ref)
        for s in picked:
            self._move_serial(s, place)
        self.counted[place] += qty
        self.held += len(picked) + qty

    @rule(place=st.sampled_from(HOLDING), to=st.sampled_from(stock.WRITE_OFF_PLACES),
          data=st.data())
    def write_off(self, place, to, data):
        available = self._at(place)
        picked = data.draw(st.lists(st.sampled_from(available), unique=True, max_size=2)
                           ) if available else []
        qty = data.draw(st.integers(0, self.counted[place]))
        if not picked and not qty:
            return
        lines = [LineIn("", s) for s in picked] + ([LineIn(COUNTED, None, qty)] if qty else [])
        stock.write_off(self.clerk, place=place, to=to, lines=lines, reason="broken",
                        approver=self.manager)
        for s in picked:
            self._move_serial(s, to)
        self.counted[place] -= qty
        self.held -= len(picked) + qty

    @rule(place=st.sampled_from(HOLDING), data=st.data())
    def stocktake(self, place, data):
        there = self._at(place)
        seen = data.draw(st.lists(st.sampled_from(there), unique=True)) if there else []
        extra = data.draw(st.integers(0, 1))
        qty = data.draw(st.integers(0, self.counted[place] + 2))
        take = stocktake.start(self.clerk, place=place)
        entries = [stocktake.Entry(s) for s in seen]
        strangers = []
        for _ in range(extra):
            serial = make_imei(self.next)
            self.next += 1
            strangers.append(serial)
            entries.append(stocktake.Entry(serial, sku="HS-XM-14"))
        if qty or self.counted[place]:
            entries.append(stocktake.Entry(COUNTED, qty))
        if entries:
            _saved, refused = stocktake.count_many(self.clerk, stocktake_id=take.id,
                                                  entries=entries)
            assert refused == []
        stocktake.finish(self.clerk, stocktake_id=take.id)
        stocktake.post(self.clerk, stocktake_id=take.id, reason="count",
                       approver=self.adjuster)
        for s in there:
            if s not in seen:
                self._move_serial(s, "lost")
                self.held -= 1
        for s in strangers:
            self.serials[s] = ("HS-XM-14", place)
            self.held += 1
        self.held += qty - self.counted[place]
        self.counted[place] = qty

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def ledger_agrees(self):
        if not hasattr(self, "hall"):
            return
        report = stock.verify(self.clerk)
        assert report.ok, report.problems
        from hallterm.store import execute

        with self.hall.ctx.store.read() as con:  # either engine
            kept = {r[0]: r[1] for r in execute(
                con, "SELECT serial, place FROM stock_serial").all()}
            low = execute(con, "SELECT MIN(quantity) FROM stock_balance").scalar()
            held = execute(con, "SELECT COALESCE(SUM(quantity), 0) FROM stock_balance WHERE "
                           "place = 'warehouse' OR place LIKE 'counter:%'").scalar()
            counted = {r[0]: r[1] for r in execute(
                con, "SELECT place, quantity FROM stock_balance WHERE sku = :s",
                {"s": COUNTED}).all()}
        assert kept == {s: p for s, (_sku, p) in self.serials.items()}
        assert low is None or low >= 0
        assert held == self.held
        for place in HOLDING:
            assert counted.get(place, 0) == self.counted[place]


Ledger.TestCase.settings = settings(max_examples=30, stateful_step_count=20, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow,
                                                           HealthCheck.data_too_large])
TestLedger = Ledger.TestCase
TestLedger.pytestmark = [pytest.mark.slow]  # about a minute: the inner loop skips it
