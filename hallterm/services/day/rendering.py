"""The printed day report (Z report): rendered from the stored record in the reader's language."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hallterm.i18n import N_, _
from hallterm.services.day import parts

DAY_TITLE = N_("Day record")


def render(data: dict[str, Any]) -> str:
    """The printed day report (Z report) in the current language."""
    hall = data.get("hall") or {}
    from hallterm.i18n import get_language

    name = hall.get("name_zh") if get_language() == "zh_CN" else hall.get("name_en")
    lines = [
        _("DAY REPORT (Z) {z} — {hall} {name}").format(z=data["z_number"], hall=hall.get("code"),
                                                      name=name or ""),
        _("Business day: {day}").format(day=data["business_day"]),
        "=" * 60,
    ]
    rec = data.get("receipts") or {}
    lines.append(_("Receipts: first {first}, last {last}, count {count}").format(
        first=rec.get("first") or "—", last=rec.get("last") or "—",
        count=rec.get("count") if rec.get("count") is not None else "—"))
    registered = {s.key: s for s in parts.sections()}
    for part in data.get("sections", []):
        title = part["title"]  # an N_()-marked title, translated for this reader
        lines += ["", _(title), "-" * 60]
        if part["key"] == "day":
            lines += _render_day(part["figures"])
        elif part["key"] in registered:
            lines += registered[part["key"]].render(part["figures"])
        else:
            lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}"
                      for k, v in part["figures"].items()]
    lines += ["", _("Day totals"), "-" * 60]
    lines += [f"{k}: {v}" for k, v in sorted((data.get("totals") or {}).items())]
    lines += ["", _("Grand totals since the first day"), "-" * 60]
    lines += [f"{k}: {v}" for k, v in sorted((data.get("grand_totals") or {}).items())]
    return "\n".join(lines)


def _render_day(f: dict[str, Any]) -> list[str]:
    lines = [
        _("Z number: {z}").format(z=f["z_number"]),
        _("Closed at {at} by {name} ({empno})").format(
            at=datetime.fromisoformat(f["closed_at"]).strftime("%Y-%m-%d %H:%M:%S %z"),
            name=f.get("closed_by_name", ""), empno=f["closed_by"]),
    ]
    if f.get("forced"):
        lines.append(_("FORCED close; reason: {reason}").format(reason=f.get("reason")))
        lines += [_("Blocker at closing: {line}").format(line=b) for b in f.get("blockers", [])]
    lines.append(_("Audit chain head: row {seq} {hash}").format(
        seq=f["audit_head_seq"], hash=f["audit_head_hash"]))
    lines.append(_("Audit rows of this closing: {first}-{last}; chained to {prev}").format(
        first=f["audit_first_seq"], last=f["audit_head_seq"], prev=f["prev_audit_head_hash"]))
    lines.append(_("Audit rows of the day by action:"))
    lines += [f"  {a}: {n}" for a, n in sorted(f.get("audit_rows_by_action", {}).items())]
    return lines
