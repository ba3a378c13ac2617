"""Turn settings into a working context: open (or create) the store, read the secret.

``init_store`` is ``hallterm init``: create or upgrade the schema, create the hall
secret beside the configuration, load the hall file, and on a new store create the
first hall manager. ``open_ctx`` is what every other command and the app use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hallterm import security
from hallterm.clock import Clock, FixedClock, SystemClock
from hallterm.context import SYSTEM, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, ConfigError
from hallterm.i18n import _, set_language
from hallterm.settings import Settings
from hallterm.store import Store, check_store_file, execute


def make_clock(settings: Settings) -> Clock:
    """The process clock: frozen when ``now`` is set, else the real one."""
    if settings.now is not None:
        return FixedClock(settings.now, settings.tz)
    return SystemClock(settings.tz)


def _check_fingerprint(store: Store, pepper: bytes, key_file: Path) -> None:
    with store.read() as session:
        stored = execute(session, "SELECT value FROM meta WHERE key = 'key_fingerprint'").scalar()
    if stored is not None and stored != security.fingerprint(pepper):
        raise ConfigError(
            _("The hall secret key file {path} does not belong to this store.").format(
                path=key_file)
        )


def check_terminal(settings: Settings, store: Store) -> None:
    """Refuse a terminal whose clock settings are not the hall's (exit 2).

    The frozen clock (``now``, ``HALLTERM_NOW``) is for the demo store only: on a real
    hall it would bypass the PIN lockout and forge audit times. The timezone is the
    hall's, recorded in the store at ``init``: a terminal set to another one would
    write into the wrong business day.
    """
    with store.read() as session:
        meta = {r.key: r.value for r in execute(
            session, "SELECT key, value FROM meta WHERE key IN ('demo', 'timezone')").all()}
    if settings.now is not None and meta.get("demo") != "1":
        raise BadInput(_("The frozen clock (HALLTERM_NOW, setting now) works only on the "
                         "demo store, not on a hall's store: {path}").format(path=store.location))
    hall_tz = meta.get("timezone")
    if hall_tz and hall_tz != settings.timezone:
        raise BadInput(_("This terminal's timezone {mine} is not the hall's ({hall}); set "
                         "timezone = \"{hall}\" in its configuration.").format(
                             mine=settings.timezone, hall=hall_tz))


def open_ctx(settings: Settings, config_file: Path | None = None, *,
             clock: Clock | None = None) -> Ctx:
    """A context on an existing, current store (the CLI's and the app's way in)."""
    from hallterm.schema import require_current

    set_language(settings.language)
    if settings.store_path is not None:
        check_store_file(settings.store_path)
    store = Store(settings.store)
    require_current(store)
    check_terminal(settings, store)
    key_file = settings.resolved_key_file(config_file)
    beside_store = settings.store_folder / "hallterm.key"
    if settings.key_file is None and key_file != beside_store and beside_store.exists():
        # Two halls on one machine (a real one and the demo): the store's own secret,
        # kept beside it, wins over the configuration folder's when that is not its.
        try:
            _check_fingerprint(store, security.read_key_file(key_file), key_file)
        except ConfigError:
            key_file = beside_store
    pepper = security.read_key_file(key_file)
    _check_fingerprint(store, pepper, key_file)
    return Ctx(store=store, clock=clock or make_clock(settings), terminal=settings.terminal,
               pepper=pepper, counter=settings.counter, language=settings.language,
               key_file=key_file)


def _complete(store: Store) -> bool:
    """Whether the store has its hall, its staff and the secret's fingerprint."""
    with store.read() as session:
        row = execute(session, "SELECT (SELECT count(*) FROM hall) AS halls, "
                      "(SELECT count(*) FROM staff) AS staff, (SELECT count(*) FROM meta "
                      "WHERE key = 'key_fingerprint') AS fingerprints").one()
    return bool(row.halls and row.staff and row.fingerprints)


def _has_timezone(store: Store) -> bool:
    with store.read() as session:
        return execute(session, "SELECT 1 FROM meta WHERE key = 'timezone'").first() is not None


@dataclass(frozen=True)
class InitResult:
    """What ``hallterm init`` did."""

    store: Path | str  # the SQLite file or the PostgreSQL URL
    key_file: Path
    created: bool
    from_revision: str | None
    to_revision: str
    hall_code: str
    manager: str | None
    legacy_audit_rows: int | None = None  # rows that kept plain SHA-256 when the chain was keyed


def init_store(settings: Settings, config_file: Path | None = None, *,
               manager_empno: str | None = None, manager_name: str | None = None,
               pin: str | None = None, hall_file: Path | None = None,
               clock: Clock | None = None, demo: bool = False) -> InitResult:
    """Create or upgrade a store; on a new store also create the first hall manager.

    ``demo`` marks a new store as a demo store (``hallterm demo``, test fixtures): the
    only kind on which the frozen clock (``now``) is honoured.
    """
    from hallterm import schema
    from hallterm.services.hall import write_hall
    from hallterm.services.staff import check_empno, insert_staff

    set_language(settings.language)
    location = settings.store
    path = settings.store_path
    created = False
    if path is not None:
        check_store_file(path, missing_ok=True)
        if not path.parent.exists():
            from hallterm import paths

            if path.parent == paths.data_dir():
                path.parent.mkdir(parents=True, exist_ok=True)
            else:
                raise BadInput(_("The folder for the store does not exist: {path}").format(
                    path=path.parent))
    from hallterm.hallconfig import load_hall_file

    hall = load_hall_file(hall_file or settings.hall)
    if path is not None:
        created = not path.exists() or path.stat().st_size == 0
        if created and not os.access(path.parent, os.W_OK):
            # A new store in a read-only folder: said here, before a key file is made, not
            # as a traceback halfway through (an existing store's is said by ``schema``).
            from hallterm.errors import StoreUnavailable

            raise StoreUnavailable(_("The store's folder is read-only: {path}").format(
                path=path.parent))
    # A PostgreSQL store is "new" when its database (made by the hall's DBA) is empty.
    store = Store(location)
    if not created:
        rev = schema.current_revision(store)
        schema.refuse_newer(store, rev)  # before a key file is made or anything written
        if rev is None:
            with store.read() as session:
                tables = execute(session, store.driver.tables_sql).all()
            if tables:
                raise BadInput(_("{path} is not a HallTerm store.").format(path=location))
            created = True
    if created:
        if not manager_empno or not manager_name or not pin:
            raise BadInput(_("A new store needs its first hall manager: --manager EMPNO "
                             "--name NAME and a PIN."))
        manager_empno = check_empno(manager_empno)  # "９００１" is 9001
        security.check_pin_format(pin)
    key_file = settings.resolved_key_file(config_file)
    pepper = (security.read_key_file(key_file) if key_file.exists()
              else security.create_key_file(key_file))
    from hallterm.signing import create_signing_key, signing_key_path

    create_signing_key(signing_key_path(key_file))  # signs the exports; HQ pins its public key
    if settings.now is not None and not demo:
        raise BadInput(_("The frozen clock (HALLTERM_NOW, setting now) works only on the "
                         "demo store, not on a hall's store: {path}").format(path=location))
    before, after = schema.upgrade(store)
    if not created:
        _check_fingerprint(store, pepper, key_file)
        check_terminal(settings, store)
    ctx = Ctx(store=store, clock=clock or make_clock(settings), terminal=settings.terminal,
              pepper=pepper, actor=SYSTEM, language=settings.language, key_file=key_file)

    def work(uow: UnitOfWork) -> str | None:
        uow.sql("INSERT INTO meta (key, value) VALUES ('key_fingerprint', :f) "
                "ON CONFLICT(key) DO NOTHING", {"f": security.fingerprint(pepper)})
        # The hall's timezone, from the first init on: every terminal must share it.
        uow.sql("INSERT INTO meta (key, value) VALUES ('timezone', :tz) "
                "ON CONFLICT(key) DO NOTHING", {"tz": settings.timezone})
        if created and demo:
            uow.sql("INSERT INTO meta (key, value) VALUES ('demo', '1') "
                    "ON CONFLICT(key) DO NOTHING")
        current = uow.sql("SELECT code FROM hall WHERE id = 1").scalar()
        if current is None:
            write_hall(uow, hall, source=str(hall_file or settings.hall))
        else:
            uow.audit("store.upgrade", entity="store", payload={"from": before, "to": after})
        has_staff = uow.sql("SELECT count(*) FROM staff").scalar()
        if has_staff:
            return None
        if not (manager_empno and manager_name and pin):
            raise BadInput(_("The store has no staff yet: give --manager EMPNO --name NAME."))
        insert_staff(uow, empno=manager_empno, name=manager_name.strip(), roles=("manager",),
                     pin_hash=security.hash_pin(pin, pepper))
        return manager_empno

    legacy_rows = None
    if not created:
        from hallterm.services.audit import seal_legacy

        # A store from before the keyed audit chain: key it from here on (once).
        legacy_rows = seal_legacy(ctx)
    if not created and before == after and _complete(store) and _has_timezone(store):
        # Nothing to do: an up-to-date store is not touched (no audit row either).
        store.dispose()
        return InitResult(location, key_file, False, before, after, hall.code, None, legacy_rows)
    manager = run_write(ctx, "store.init", work)
    store.dispose()
    return InitResult(location, key_file, created, before, after, hall.code, manager,
                      legacy_rows)
