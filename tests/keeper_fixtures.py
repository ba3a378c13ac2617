"""The demo hall as a newcomer opens it, at a fixed clock: who keeps which counter.

Counter 1 is 8004's (sales), counter 2 8005's (acceptance), counter 5 8006's
(complaints, serving a ticket), counter 3 the duty manager 8002's; 8007
(retention) is made free for a handover. The demo's sales left a cash sale at
counter 1 and floats in the drawers of counters 1-3.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hallterm import security
from tests.conftest import T0

PIN = "246810"
security.use_fast_hashing()


@dataclass
class Demo:
    """The demo store, its settings, and contexts acting as its staff."""

    path: Path
    key_file: Path
    settings: object
    clock: object
    ctx: object

    def as_(self, empno: str, counter: int | None = None):
        """A context acting as ``empno`` (PIN 246810) at terminal ``counter``."""
        from hallterm.services.staff import authenticate

        actor = authenticate(self.ctx, empno=empno, pin=PIN)
        return replace(self.ctx.as_actor(actor), counter=counter)

    def env(self) -> dict[str, str]:
        """The environment a CLI run on this store needs."""
        return {"HALLTERM_KEY_FILE": str(self.key_file), "HALLTERM_PIN": PIN,
                "HALLTERM_APPROVER_PIN": PIN, "HALLTERM_NOW": T0.isoformat()}


def make_demo(tmp_path: Path) -> Demo:
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.demo import prepare_demo
    from hallterm.settings import load_settings

    store = tmp_path / "demo" / "demo.db"
    settings, _cfg = load_settings(None, store=store, terminal="T-test")
    clock = FixedClock(T0)
    demo = prepare_demo(settings, store=store, clock=clock)
    ctx = open_ctx(demo.settings, None, clock=clock)
    made = Demo(store, demo.settings.key_file, demo.settings, clock, ctx)
    free_8007(made)
    return made


def free_8007(demo: Demo) -> None:
    """8007 holds no counter (the demo's closing counter 4 is closed if it is theirs)."""
    from hallterm.services import queue
    from hallterm.services import queue as keeper

    if keeper.keeper(demo.ctx, counter=4).empno == "8007":
        queue.set_counter_state(demo.as_("8007", counter=4), counter=4, state="closed")


def hand_over(demo: Demo, counter: int, outgoing: str, incoming: str) -> None:
    """Hand ``counter`` from ``outgoing`` to ``incoming``: counted exactly, no difference."""
    from hallterm.services import cash, handover, stock
    from hallterm.services.staff import confirm_person

    out = demo.as_(outgoing, counter=counter)
    view = start_handover(demo, counter, outgoing)
    held = stock.custody(out, counter=counter)
    serials = [s for line in held.lines for s in line.serials]
    counts = {line.sku: line.quantity for line in held.lines if not line.serials}
    expected = cash.expected_cash(out, counter=counter).expected_fen
    handover.submit_count(out, handover_id=view.id, cash_fen=expected, serials=serials,
                          counts=counts)
    handover.review(out, handover_id=view.id)
    handover.finish(out, handover_id=view.id,
                    incoming=confirm_person(out, empno=incoming, pin=PIN, purpose="handover"))


def start_handover(demo: Demo, counter: int, outgoing: str):
    from hallterm.services import handover

    out = demo.as_(outgoing, counter=counter)
    return handover.start(out, counter=counter, outgoing=out.actor)
