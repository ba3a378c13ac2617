"""The demo hall: a store anyone can open with ``hallterm demo``.

The demo store lives in the data folder (``demo/hallterm-demo.db``) with its own
hall secret beside it, the shipped demo hall (open 00:00-24:00 so every screen can
be tried at any hour), one member of staff per role with fixed credentials, and
today's business day open. Each area's scenario comes from ``hallterm.seeds``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm import paths, security

if TYPE_CHECKING:  # the app shows DEMO_STAFF before paint: keep this import light
    from hallterm.context import Ctx, UnitOfWork
    from hallterm.settings import Settings

DEMO_PIN = "246810"
DEMO_STAFF: list[tuple[str, str, tuple[str, ...]]] = [
    ("8001", "王经理 Wang (hall manager)", ("manager",)),
    ("8002", "李值班 Li (duty manager)", ("duty_manager",)),
    ("8003", "张引导 Zhang (guide)", ("guide",)),
    ("8004", "陈销售 Chen (sales)", ("sales",)),
    ("8005", "刘受理 Liu (acceptance)", ("acceptance",)),
    ("8006", "赵投诉 Zhao (complaints)", ("complaints",)),
    ("8007", "孙维系 Sun (retention)", ("retention",)),
    ("8008", "周库管 Zhou (warehouse)", ("warehouse",)),
    ("8009", "吴稽核 Wu (auditor)", ("auditor",)),
    ("8010", "郑培训 Zheng (trainer)", ("trainer",)),
]


@dataclass(frozen=True)
class Demo:
    """A prepared demo store and the settings that open it."""

    store: Path
    settings: Settings
    config_file: Path | None
    created: bool


def demo_store_path() -> Path:
    return paths.data_dir() / "demo" / "hallterm-demo.db"


def prepare_demo(settings: Settings, *, store: Path | None = None, reset: bool = False,
                 clock=None) -> Demo:
    """Create (first run) or reuse the demo store; make sure today's day is open."""
    from hallterm.bootstrap import init_store, open_ctx
    from hallterm.context import run_write
    from hallterm.services.day import day_status, insert_day

    path = Path(store) if store else demo_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # The hall secret: the one the settings name (HALLTERM_KEY_FILE, key_file), so the
    # commands run next with the same settings open this store; else the demo's own.
    key_file = settings.key_file or path.parent / "hallterm.key"
    demo_settings = settings.model_copy(update={
        "store": path,
        "hall": paths.shipped_data() / "demo-hall.toml",
        "key_file": key_file,
        "terminal": settings.terminal,
    })
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    created = not path.exists()
    if created:  # made on the day before (a closed day behind today), then today
        past = _day_before(demo_settings, clock)
        init_store(demo_settings, None, manager_empno=DEMO_STAFF[0][0],
                   manager_name=DEMO_STAFF[0][1], pin=DEMO_PIN, clock=past, demo=True)
        _seed_day_before(demo_settings, past)
    else:
        init_store(demo_settings, None, clock=clock, demo=True)  # upgrade the schema when needed
    ctx = open_ctx(demo_settings, None, clock=clock)
    opened = day_status(ctx).state != "not_opened"
    if not created and opened:
        # Nothing to do: skip the manager's PIN check (an Argon2 verification, 12 MiB and
        # some 60 ms of a start that has better uses for both).
        ctx.store.dispose()
        return Demo(path, demo_settings, None, created)
    # The seeding works every counter of the demo hall as its keepers do; it is not this
    # terminal's counter (``HALLTERM_COUNTER=1 hallterm demo`` on a first run, or on a
    # new day, was refused by counter 1's keeper rule).
    mctx = replace(ctx, counter=None).as_actor(_manager(ctx))
    if day_status(ctx).state == "not_opened":
        run_write(mctx, "day.open", lambda uow: insert_day(uow, ctx.today()))
        seed_today(mctx)
    ctx.store.dispose()
    return Demo(path, demo_settings, None, created)


def _day_before(settings: Settings, clock):
    """A frozen clock at 09:00 on the day before today (the hall's timezone)."""
    from datetime import datetime, time, timedelta

    from hallterm.bootstrap import make_clock
    from hallterm.clock import FixedClock

    now = (clock or make_clock(settings)).now()
    return FixedClock(datetime.combine(now.date() - timedelta(days=1), time(9, 0),
                                       tzinfo=now.tzinfo))


def _seed_day_before(settings: Settings, past) -> None:
    """The staff, then the day before: opened, every ``seed_before``, closed (forced)."""
    from hallterm.bootstrap import open_ctx
    from hallterm.context import run_write
    from hallterm.seeds import seeders
    from hallterm.services.day import close_day, insert_day
    from hallterm.services.staff import insert_staff

    ctx = open_ctx(settings, None, clock=past)
    mctx = replace(ctx, counter=None).as_actor(_manager(ctx))
    pepper = ctx.pepper

    def add_staff(uow: UnitOfWork) -> None:
        for empno, name, roles in DEMO_STAFF[1:]:
            insert_staff(uow, empno=empno, name=name, roles=roles,
                         pin_hash=security.hash_pin(DEMO_PIN, pepper))

    run_write(mctx, "demo.staff", add_staff)
    run_write(mctx, "day.open", lambda uow: insert_day(uow, ctx.today()))
    for _name, seed in seeders("seed_before"):
        seed(mctx)
    past.advance(hours=9)  # 18:00
    close_day(mctx, force=True, reason="demo: the day before")
    ctx.store.dispose()


def _manager(ctx: Ctx):
    from hallterm.services.staff import authenticate

    return authenticate(ctx, empno=DEMO_STAFF[0][0], pin=DEMO_PIN, purpose="demo")


def seed_today(ctx: Ctx) -> None:
    """Run every area's demo seeding for today's business day."""
    from hallterm.seeds import seeders

    for _name, seed in seeders():
        seed(ctx)
