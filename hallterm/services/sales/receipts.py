"""Receipts (小票): the customer-facing text of a sale, and printing it.

A receipt shows the hall, counter, clerk, time, lines, totals, each payment, the
cash received and the change (唱收唱付), and for each service line when it takes
effect (告知客户所办理业务的开通时间). It is rendered in the customer's language:
the hall's ``receipt_language`` (hall configuration, default ``zh_CN``) unless the
customer asks for the other one for this receipt — never the clerk's screen
language. A language HallTerm cannot print (``fr``) is refused, never silently
English. A reprint is marked 重打 / COPY (and audited by ``sales.reprint``).

Printing goes to the configured target (settings ``printer``): a folder of text
files (default ``receipts/`` beside the store), a command fed the text on stdin
(``lp``), or an ESC/POS printer (a device file or ``host:port``) written raw.
"""

from __future__ import annotations

import shlex
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hallterm.errors import BadInput, HallTermError
from hallterm.files import remove_leftovers
from hallterm.i18n import _
from hallterm.money import format_fen

WIDTH = 40  # characters of an 80 mm receipt printer (CJK counts two)

# Customer-facing phrases in both languages: a receipt is printed in the language
# asked for, whatever the screen shows, and must read exactly so (收您…找您…).
_TEXT: dict[str, tuple[str, str]] = {
    "receipt": ("销售小票", "SALES RECEIPT"),
    "copy": ("重打 (第 {n} 次)", "COPY (reprint {n})"),
    "void": ("已作废", "VOID"),
    "number": ("小票号: {v}", "Receipt no: {v}"),
    "counter": ("窗口: {v}", "Counter: {v}"),
    "clerk": ("营业员: {v}", "Clerk: {v}"),
    "time": ("时间: {v}", "Time: {v}"),
    "list_price": ("原价 {v}", "list price {v}"),
    "discount": ("优惠 -{v}", "discount -{v}"),
    "approved": ("授权: {v}", "approved by {v}"),
    "effective": ("生效时间: {v}", "Takes effect: {v}"),
    "serial": ("串号: {v}", "Serial: {v}"),
    "total": ("合计", "TOTAL"),
    "cash": ("现金", "Cash"),
    "card": ("银行卡", "Bank card"),
    "wechat": ("微信支付", "WeChat Pay"),
    "alipay": ("支付宝", "Alipay"),
    "reference": ("  参考号 {v}", "  ref {v}"),
    "received": ("收您 {v}", "Received {v}"),
    "change": ("找您 {v}", "Change {v}"),
    "received_change": ("收您 {tendered}，找您 {change}", "Received {tendered}, change {change}"),
    "returned": ("已退 {v} ({docs})", "Returned {v} ({docs})"),
    "thanks": ("谢谢惠顾，请保留小票", "Thank you. Please keep this receipt."),
}


RECEIPT_LANGUAGES = ("zh_CN", "en")
"""The languages a receipt can be printed in."""


def check_language(language: str) -> str:
    """``language`` if a receipt can be printed in it, else ``BadInput`` naming the choices."""
    if language not in RECEIPT_LANGUAGES:
        raise BadInput(_("Receipts print in zh_CN or en, not '{language}'.").format(
            language=language))
    return language


def receipt_language(ctx, language: str | None = None) -> str:
    """The language of a receipt: the one the customer asked for, else the hall's."""
    if language:
        return check_language(language.strip())
    from hallterm.services.hall import get_hall

    return get_hall(ctx).receipt_language


def say(key: str, language: str, **values) -> str:
    """A customer-facing phrase in ``language`` (``en`` or ``zh_CN``)."""
    zh, en = _TEXT[key]
    text = zh if language.startswith("zh") else en
    return text.format(**values) if values else text


def received_change(tendered_fen: int, change_fen: int, language: str) -> str:
    """"收您 ¥200.00，找您 ¥12.00" / "Received ¥200.00, change ¥12.00"."""
    return say("received_change", language, tendered=format_fen(tendered_fen),
               change=format_fen(change_fen))


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pair(left: str, right: str) -> str:
    gap = max(1, WIDTH - _cells(left) - _cells(right))
    return left + " " * gap + right


def render(sale, *, language: str, hall_name: str, copy: int = 0) -> str:
    """The receipt text of ``sale`` (a ``sales.SaleView``) in ``language``."""
    check_language(language)
    zh = language.startswith("zh")
    out = [hall_name, say("receipt", language)]
    if copy:
        out.append("*** " + say("copy", language, n=copy) + " ***")
    if sale.state == "void":
        out.append("*** " + say("void", language) + " ***")
    out += ["-" * WIDTH, say("number", language, v=sale.receipt_no),
            say("counter", language, v=sale.counter),
            say("clerk", language, v=f"{sale.clerk} {sale.clerk_name.split(' ')[0]}"),
            say("time", language, v=sale.at.strftime("%Y-%m-%d %H:%M:%S")), "-" * WIDTH]
    for line in sale.lines:
        name = line.name_zh if zh else line.name_en
        out.append(_pair(f"{name} x{line.quantity}", format_fen(line.total_fen)))
        if line.serial:
            out.append("  " + say("serial", language, v=line.serial))
        if line.unit_price_fen != line.list_price_fen or line.discount_fen:
            extra = [say("list_price", language, v=format_fen(line.list_price_fen))]
            if line.discount_fen:
                extra.append(say("discount", language, v=format_fen(line.discount_fen)))
            extra.append(say("approved", language, v=line.approver))
            out.append("  " + ", ".join(extra))
        effective = line.effective_zh if zh else line.effective_en
        if line.kind in ("service", "plan") and effective:
            out.append("  " + say("effective", language, v=effective))
    out += ["-" * WIDTH, _pair(say("total", language), format_fen(sale.total_fen))]
    for p in sale.payments:
        out.append(_pair(say(p.method, language), format_fen(p.amount_fen)))
        if p.reference:
            out.append(say("reference", language, v=p.reference))
        if p.method == "cash" and p.tendered_fen is not None:
            out.append(_pair("  " + say("received", language, v="").strip(),
                             format_fen(p.tendered_fen)))
            out.append(_pair("  " + say("change", language, v="").strip(),
                             format_fen(p.change_fen or 0)))
    if sale.tendered_fen:
        out.append(received_change(sale.tendered_fen, sale.change_fen, language))
    if sale.reversals and sale.state != "void":
        out.append(say("returned", language, v=format_fen(sale.returned_fen),
                       docs=", ".join(r.number for r in sale.reversals)))
    out += ["-" * WIDTH, say("thanks", language), ""]
    return "\n".join(out)


@dataclass(frozen=True)
class Printer:
    """Where receipts go (built from settings: ``printer_from_settings``)."""

    target: str = "folder"  # folder | command | escpos
    folder: Path | None = None
    command: str | None = None
    device: str | None = None


def printer_from_settings(settings) -> Printer:
    """The printer the settings configure."""
    return Printer(settings.printer, settings.resolved_receipts_dir(), settings.printer_command,
                   settings.printer_device)


def escpos_bytes(text: str) -> bytes:
    """The receipt as ESC/POS: initialise, select GB18030 (Chinese), the text, feed and cut."""
    init = b"\x1b@" + b"\x1c&"  # ESC @ reset; FS & Chinese character mode
    body = text.replace("¥", "￥").encode("gb18030", errors="replace")
    return init + body + b"\n\n\n\n" + b"\x1dV\x01"  # GS V 1: partial cut


def print_text(printer: Printer, *, name: str, text: str) -> str:
    """Print one receipt; returns where it went (a file path, the command, the device)."""
    try:
        if printer.target == "folder":
            folder = printer.folder or Path("receipts")
            folder.mkdir(parents=True, exist_ok=True)
            remove_leftovers(folder, "*.tmp")  # a print cut short by a crash
            path = folder / f"{name}.txt"
            n = 1
            while path.exists():  # a reprint never overwrites the first copy
                n += 1
                path = folder / f"{name}-{n}.txt"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            return str(path)
        if printer.target == "command":
            if not printer.command:
                raise BadInput(_("Set printer_command for printer = \"command\"."))
            done = subprocess.run(shlex.split(printer.command), input=text.encode("utf-8"),
                                  capture_output=True, timeout=20, check=False)
            if done.returncode != 0:
                raise HallTermError(_("The print command failed ({code}): {error}").format(
                    code=done.returncode, error=done.stderr.decode(errors="replace")[:200]))
            return printer.command
        if printer.target == "escpos":
            device = printer.device or ""
            data = escpos_bytes(text)
            host, _sep, port = device.rpartition(":")
            if host and port.isdigit() and not device.startswith("/"):
                with socket.create_connection((host, int(port)), timeout=10) as conn:
                    conn.sendall(data)
            elif device:
                with open(device, "wb") as out:
                    out.write(data)
            else:
                raise BadInput(_("Set printer_device for printer = \"escpos\"."))
            return device
    except OSError as exc:
        raise HallTermError(_("The receipt could not be printed ({error}); reprint it when "
                              "the printer is back.").format(error=exc.strerror or exc)) from exc
    raise BadInput(_("Unknown printer {target}.").format(target=printer.target))


@dataclass(frozen=True)
class Printed:
    """A printed receipt: its text and where it went."""

    receipt_no: str
    text: str
    where: str
    copy: int


def hall_name_in(ctx, language: str) -> str:
    """The hall's name as a receipt in ``language`` prints it."""
    from hallterm.services.hall import get_hall

    hall = get_hall(ctx)
    return hall.name_zh if language.startswith("zh") else hall.name_en


def print_receipt(ctx, *, receipt_no: str, printer: Printer, language: str | None = None,
                  reprint: bool = False) -> Printed:
    """Render and print a sale's receipt (a reprint is marked 重打 and audited).

    ``language``: the customer's choice for this receipt; default the hall's
    ``receipt_language`` (checked before anything is written).
    """
    from hallterm.services import sales

    lang = receipt_language(ctx, language)
    sale = (sales.reprint(ctx, receipt_no=receipt_no) if reprint
            else sales.get_sale(ctx, receipt_no=receipt_no))
    text = render(sale, language=lang, hall_name=hall_name_in(ctx, lang),
                  copy=sale.reprints if reprint else 0)
    where = print_text(printer, name=sale.receipt_no + ("-copy" if reprint else ""), text=text)
    return Printed(sale.receipt_no, text, where, sale.reprints if reprint else 0)
