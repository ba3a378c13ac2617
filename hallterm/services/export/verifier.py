"""``export verify``: what HQ runs on the folders a hall sent.

Per day folder: ``datapackage.json`` must carry a valid Ed25519 signature
(``datapackage.sig``) by the hall's key — pinned by HQ (``public_keys``) or, when
not pinned, the key the package records (said so in the result); the folder's
name must be the day (and version) it holds; every file's bytes and SHA-256 must
match the signed descriptor (all files first, so an edited file is named itself),
then rows, the CSV/JSONL twins and the audit rows' chain links. Over a hall's
folder: Z numbers without gaps or duplicates, each day chaining onto the day
before (previous head, previous day, first audit row), one signing key per hall.

HQ does not hold the hall secret, so it cannot recompute the audit rows' keyed
MACs; the signature over the descriptor (which names every file's SHA-256) is
what makes an edited row visible at HQ.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm import signing
from hallterm.errors import BadInput, CheckFailed
from hallterm.i18n import _
from hallterm.services.export.tables import CORE_TABLES
from hallterm.services.export.write import csv_text

if TYPE_CHECKING:
    from hallterm.context import Ctx

SIG_NAME = "datapackage.sig"
TMP_PREFIX = ".tmp-"  # a day being written (never checked: it is not there yet)
GENESIS = "0" * 64
_DAY_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.v(\d+))?$")


@dataclass(frozen=True)
class VerifyResult:
    """What ``verify`` found: packages checked, or the first bad file and why."""

    ok: bool
    packages: int
    files: int
    bad_file: str | None = None
    reason: str | None = None
    pinned: bool = False
    key_fingerprints: tuple[str, ...] = ()


class _Bad(Exception):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


@dataclass
class _Package:
    path: Path  # its datapackage.json
    raw: bytes
    desc: dict

    @property
    def hall(self) -> str:
        return str(self.desc.get("hall"))

    @property
    def z(self) -> int:
        return int(self.desc.get("z_number") or 0)

    @property
    def version(self) -> int:
        return int(self.desc.get("export_version") or 0)


def _iter_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _find(folder: Path) -> list[_Package]:
    found = [p for p in folder.rglob("datapackage.json")
             if not any(part.startswith(TMP_PREFIX) for part in p.relative_to(folder).parts)]
    out = []
    for path in found:
        try:
            raw = path.read_bytes()
            desc = json.loads(raw.decode("utf-8"))
        except (ValueError, OSError) as exc:
            raise _Bad(path, _("not a readable descriptor")) from exc
        if not isinstance(desc, dict):
            raise _Bad(path, _("not a readable descriptor"))
        out.append(_Package(path, raw, desc))
    try:
        out.sort(key=lambda p: (p.hall, p.z, p.version, str(p.path)))
    except (TypeError, ValueError) as exc:
        raise _Bad(folder, _("malformed export: {error}").format(error=exc)) from exc
    return out


# -- the signature ---------------------------------------------------------------------
def _check_signature(pkg: _Package, pinned: Sequence[bytes]) -> bytes:
    """The key that signed the package (checked against ``pinned`` when given)."""
    sig_path = pkg.path.with_name(SIG_NAME)
    try:
        sig = json.loads(sig_path.read_text(encoding="utf-8"))
        signature = str(sig["signature"])
    except FileNotFoundError:
        raise _Bad(sig_path, _("the package is not signed (no {name})").format(
            name=SIG_NAME)) from None
    except (ValueError, OSError, KeyError, TypeError):
        raise _Bad(sig_path, _("the signature file is unreadable")) from None
    try:
        recorded = signing.parse_public(str(pkg.desc.get("hall_public_key") or ""))
    except ValueError:
        raise _Bad(pkg.path, _("the descriptor records no usable hall public key")) from None
    keys = list(pinned) or [recorded]
    if not any(signing.check(key, pkg.raw, signature) for key in keys):
        if pinned and recorded not in pinned and signing.check(recorded, pkg.raw, signature):
            raise _Bad(sig_path, _("signed by key {found}, not by the hall's pinned key "
                                   "{pinned}").format(found=signing.fingerprint(recorded),
                                                      pinned=signing.fingerprint(pinned[0])))
        raise _Bad(sig_path, _("the signature does not match datapackage.json (it was changed "
                               "after signing)"))
    if pinned and recorded not in pinned:
        raise _Bad(pkg.path, _("the descriptor records another key than the one that signed it"))
    return recorded


# -- files -----------------------------------------------------------------------------
def _check_resource(folder: Path, res: dict) -> Path:
    rel = str(res.get("path", ""))
    path = folder / rel
    if not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise _Bad(folder / "datapackage.json", _("unsafe resource path {path}").format(path=rel))
    if not path.is_file():
        raise _Bad(path, _("file is missing"))
    size = path.stat().st_size
    if size != res.get("bytes"):
        raise _Bad(path, _("{n} bytes, the descriptor says {m}").format(n=size, m=res.get("bytes")))
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    if f"sha256:{sha.hexdigest()}" != res.get("hash"):
        raise _Bad(path, _("SHA-256 does not match the descriptor"))
    return path


# The core's tables have the same columns in every package of this format: the chain
# check below reads audit_log's by these names.
_CORE_NAMES = {t.name: [f.name for f in t.out_fields()] for t in CORE_TABLES}


def _check_files(pkg: _Package) -> int:
    folder, desc = pkg.path.parent, pkg.desc
    resources = desc.get("resources", [])
    by_name = {r.get("name"): r for r in resources}
    # Every file's bytes and hash first: an edited file is named itself, not its twin.
    paths = [_check_resource(folder, res) for res in resources]
    for res, path in zip(resources, paths, strict=True):
        names = [f["name"] for f in res.get("schema", {}).get("fields", [])]
        core = _CORE_NAMES.get(str(res.get("name")).removesuffix("_jsonl"))
        if core is not None and names != core:
            raise _Bad(path, _("the columns of {table} are not those of the export format").format(
                table=res.get("name")))
        if res.get("format") == "csv":
            count = _check_csv(path, names, folder, by_name.get(f"{res['name']}_jsonl"))
        else:
            count = sum(1 for _row in _iter_jsonl(path))
        if count != res.get("rows"):
            raise _Bad(path, _("{n} rows, the descriptor says {m}").format(n=count,
                                                                           m=res.get("rows")))
    audit = by_name.get("audit_log_jsonl")
    if audit is None:
        raise _Bad(pkg.path, _("the descriptor lists no audit_log_jsonl resource"))
    _check_chain(folder / audit["path"], desc)
    return len(resources)


def _check_csv(path: Path, names: list[str], folder: Path, twin: dict | None) -> int:
    """Count a CSV's rows (streaming), checking its header and that it equals its JSONL twin."""
    from itertools import zip_longest

    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        if next(reader, None) != names:
            raise _Bad(path, _("the header does not match the descriptor's fields"))
        if twin is None:
            return sum(1 for _row in reader)
        count = 0
        for row, obj in zip_longest(reader, _iter_jsonl(folder / twin["path"])):
            if row is None or obj is None or row != [csv_text(obj.get(n)) for n in names]:
                raise _Bad(path, _("the CSV rows differ from the JSON Lines rows"))
            count += 1
        return count


def _check_chain(path: Path, desc: dict) -> None:
    """The day's audit rows link up, from the previous day's head to this day's head."""
    prev = desc.get("prev_audit_head_hash")
    expected_seq = desc.get("audit_first_seq")
    for row in _iter_jsonl(path):
        if row["seq"] != expected_seq:
            raise _Bad(path, _("audit row {seq} is missing").format(seq=expected_seq))
        if row["prev_hash"] != prev:
            raise _Bad(path, _("audit row {seq} does not chain to the row before it").format(
                seq=row["seq"]))
        prev, expected_seq = row["hash"], row["seq"] + 1
    if expected_seq != desc.get("audit_head_seq", 0) + 1 or prev != desc.get("audit_head_hash"):
        raise _Bad(path, _("the audit rows do not end at the recorded head"))


# -- continuity ------------------------------------------------------------------------
def _check_name(pkg: _Package) -> None:
    folder = pkg.path.parent
    match = _DAY_NAME.match(folder.name)
    version = int(match.group(2) or 1) if match else None
    if (match is None or match.group(1) != pkg.desc.get("business_day")
            or version != pkg.version):
        raise _Bad(pkg.path, _("folder {name} holds {day} (version {v}): a day folder was "
                               "renamed, copied or swapped").format(
                                   name=folder.name, day=pkg.desc.get("business_day"),
                                   v=pkg.version))


_HEAD = ("business_day", "audit_first_seq", "audit_head_seq", "audit_head_hash",
         "prev_audit_head_hash", "prev_business_day")


def _check_continuity(packages: list[_Package], pinned: bool) -> None:
    """Per hall: Z without gaps or duplicates, each day chained onto the day before."""
    by_hall: dict[str, list[_Package]] = {}
    for pkg in packages:
        by_hall.setdefault(pkg.hall, []).append(pkg)
    for hall_packages in by_hall.values():
        seen: dict[tuple[int, int], _Package] = {}
        days: dict[int, _Package] = {}
        keys = {pkg.desc.get("hall_public_key") for pkg in hall_packages}
        if len(keys) > 1 and not pinned:
            raise _Bad(hall_packages[0].path.parent.parent, _(
                "the days were signed with different keys: verify with --public-key"))
        for pkg in hall_packages:
            if (pkg.z, pkg.version) in seen:
                raise _Bad(pkg.path, _("Z {z} version {v} is here twice ({other})").format(
                    z=pkg.z, v=pkg.version, other=seen[(pkg.z, pkg.version)].path.parent.name))
            seen[(pkg.z, pkg.version)] = pkg
            first = days.setdefault(pkg.z, pkg)
            if any(first.desc.get(k) != pkg.desc.get(k) for k in _HEAD):
                raise _Bad(pkg.path, _("two exports of Z {z} disagree on the day's audit "
                                       "head").format(z=pkg.z))
        ordered = [days[z] for z in sorted(days)]
        if ordered and ordered[0].z == 1:
            head = ordered[0].desc
            if head.get("prev_audit_head_hash") != GENESIS or head.get("audit_first_seq") != 1:
                raise _Bad(ordered[0].path, _("Z 1 does not start the audit chain"))
        for before, after in pairwise(ordered):
            a, b = before.desc, after.desc
            if after.z != before.z + 1:
                raise _Bad(after.path, _("Z {missing} is missing between {a} (Z {za}) and "
                                         "{b} (Z {zb})").format(
                    missing=before.z + 1,
                    a=a.get("business_day"), za=before.z, b=b.get("business_day"), zb=after.z))
            if (b.get("prev_audit_head_hash") != a.get("audit_head_hash")
                    or b.get("audit_first_seq") != (a.get("audit_head_seq") or 0) + 1
                    or b.get("prev_business_day") != a.get("business_day")
                    or str(b.get("business_day")) <= str(a.get("business_day"))):
                raise _Bad(after.path, _("{b} (Z {zb}) does not chain onto {a} (Z {za}), the "
                                         "day before it").format(
                    a=a.get("business_day"), za=before.z, b=b.get("business_day"), zb=after.z))


def verify(folder: Path, *, public_keys: Sequence[bytes] = ()) -> VerifyResult:
    """Re-check every export under ``folder`` (see the module doc)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInput(_("No such folder: {dir}").format(dir=folder))
    pinned = tuple(public_keys)
    try:
        packages = _find(folder)
    except _Bad as bad:
        return VerifyResult(False, 0, 0, str(bad.path), bad.reason, bool(pinned))
    if not packages:
        raise CheckFailed(_("No export (datapackage.json) found under {dir}.").format(dir=folder))
    files, fingerprints = 0, set()
    current = packages[0].path
    try:
        for pkg in packages:
            current = pkg.path
            fingerprints.add(signing.fingerprint(_check_signature(pkg, pinned)))
            _check_name(pkg)
            files += _check_files(pkg)
        current = folder
        _check_continuity(packages, bool(pinned))
    except _Bad as bad:
        return VerifyResult(False, len(packages), files, str(bad.path), bad.reason, bool(pinned))
    except (KeyError, TypeError, ValueError, OSError, AttributeError) as exc:
        return VerifyResult(False, len(packages), files, str(current),
                            _("malformed export: {error}").format(error=exc), bool(pinned))
    return VerifyResult(True, len(packages), files, pinned=bool(pinned),
                        key_fingerprints=tuple(sorted(fingerprints)))


# -- for ``audit verify --against`` ----------------------------------------------------
def exported_days(folder: Path, *, hall: str
                  ) -> list[tuple[dict, Callable[[], Iterator[tuple[int, str]]]]]:
    """Each exported day of ``hall`` (the latest version of each Z, in Z order) with a
    reader of its audit rows' ``(seq, hash)``."""
    try:
        packages = [p for p in _find(Path(folder)) if p.hall == hall]
    except _Bad as bad:
        raise BadInput(_("{file}: {reason}").format(file=bad.path, reason=bad.reason)) from None
    latest: dict[int, _Package] = {}
    for pkg in packages:
        latest[pkg.z] = pkg  # sorted by version: the last one wins

    def reader(pkg: _Package) -> Callable[[], Iterator[tuple[int, str]]]:
        res = next((r for r in pkg.desc.get("resources", [])
                    if r.get("name") == "audit_log_jsonl"), None)

        def rows() -> Iterator[tuple[int, str]]:
            if res is None:
                return
            for row in _iter_jsonl(pkg.path.parent / str(res.get("path"))):
                yield int(row["seq"]), str(row["hash"])

        return rows

    return [(latest[z].desc, reader(latest[z])) for z in sorted(latest)]


def hall_public_key(ctx: Ctx) -> bytes | None:
    """This hall's public key, from its signing key beside the hall secret (None if none)."""
    if ctx.key_file is None:
        return None
    path = signing.signing_key_path(ctx.key_file)
    if not path.exists():
        return None
    return signing.public_raw(signing.load_signing_key(path))

