"""The hall configuration in the store: load it (audited, by a manager) and read it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_write
from hallterm.errors import BadInput
from hallterm.hallconfig import HallConfig, load_hall_file, parse_hall
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.store import execute


@dataclass(frozen=True)
class HallLoaded:
    """What ``load_hall`` changed."""

    code: str
    sha256: str
    services: int
    counters: int
    changed: bool


def _config_json(config: HallConfig) -> str:
    return config.model_dump_json()


def write_hall(uow: UnitOfWork, config: HallConfig, *, source: str) -> HallLoaded:
    """Store ``config`` inside a write (used by ``init`` and ``load_hall``)."""
    text = _config_json(config)
    digest = hashlib.sha256(text.encode()).hexdigest()
    current = uow.sql("SELECT code, sha256 FROM hall WHERE id = 1").first()
    if current is not None and current.code != config.code:
        raise BadInput(
            _("This store belongs to hall {old}; the file is for hall {new}.").format(
                old=current.code, new=config.code
            )
        )
    changed = current is None or current.sha256 != digest
    params = {"code": config.code, "zh": config.name_zh, "en": config.name_en, "json": text,
              "sha": digest, "at": _utc(uow)}
    uow.sql(
        "INSERT INTO hall (id, code, name_zh, name_en, config_json, sha256, loaded_at) "
        "VALUES (1, :code, :zh, :en, :json, :sha, :at) ON CONFLICT(id) DO UPDATE SET "
        "name_zh = :zh, name_en = :en, config_json = :json, sha256 = :sha, loaded_at = :at",
        params,
    )
    # Services and counters are the queue's (it keeps the ones the file no longer lists).
    from hallterm.services import queue

    queue.configure(uow, config)
    uow.audit(
        "hall.load",
        entity="hall",
        entity_id=config.code,
        payload={"source": source, "sha256": digest, "services": len(config.services),
                 "counters": len(config.counters), "changed": changed},
    )
    return HallLoaded(config.code, digest, len(config.services), len(config.counters), changed)


def load_hall(ctx: Ctx, *, path: Path, command_id: str | None = None) -> HallLoaded:
    """Validate a hall file and make it the store's configuration (a bad file changes nothing)."""
    require(ctx.actor, "hall.load")
    config = load_hall_file(path)
    result = run_write(ctx, "hall.load", lambda uow: write_hall(uow, config, source=str(path)),
                       command_id=command_id, result_type=HallLoaded)
    ctx.extra.pop("hall", None)
    return result


def get_hall(ctx: Ctx) -> HallConfig:
    """The store's hall configuration (cached for the process until reloaded)."""
    cached = ctx.extra.get("hall")
    with ctx.store.read() as session:
        row = execute(session, "SELECT sha256, config_json FROM hall WHERE id = 1").first()
    if row is None:
        raise BadInput(_("The store has no hall configuration; run hallterm init."))
    if cached is not None and cached[0] == row.sha256:
        return cached[1]
    config = parse_hall(json.loads(row.config_json), source="store")
    ctx.extra["hall"] = (row.sha256, config)
    return config


def hall_in(unit: ReadUnit, sha: str | None = None) -> HallConfig:
    """The hall configuration inside a transaction: its digest read once per transaction
    (or given, by a caller that read the hall row anyway), the configuration itself only
    when it changed (cached for the process, like ``get_hall``). A write reads its
    thresholds in its own transaction."""
    if sha is None:
        sha = unit.remember(("hall", "sha256"), lambda: unit.sql(
            "SELECT sha256 FROM hall WHERE id = 1").scalar())
    cached = unit.ctx.extra.get("hall")
    if cached is not None and cached[0] == sha:
        return cached[1]  # type: ignore[no-any-return]
    text = unit.sql("SELECT config_json FROM hall WHERE id = 1").scalar()
    if text is None:
        raise BadInput(_("The store has no hall configuration; run hallterm init."))
    config = parse_hall(json.loads(text), source="store")
    unit.ctx.extra["hall"] = (sha, config)
    return config


def _utc(uow: UnitOfWork) -> str:
    from hallterm.models.types import utc_text

    return utc_text(uow.now)
