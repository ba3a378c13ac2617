"""What people type, made safe before it is compared or stored (no Textual, no database).

``digits`` normalises a PIN or an employee number: NFKC (full-width ``８００１`` is
``8001``) and any other Unicode decimal digit to ASCII, so the same number typed on a
Chinese input method is the same account, never a second one.

``free_text`` is the one check for names, reasons and notes: no control characters,
no line breaks and no bidi overrides or other invisible format characters (they make
an audit row or a receipt read differently from what is stored).
"""

from __future__ import annotations

import unicodedata

from hallterm.errors import BadInput
from hallterm.i18n import _


def digits(text: str | None) -> str:
    """``text`` stripped, NFKC-normalised, with every decimal digit made ASCII."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value.isascii():
        return value
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def _unsafe(ch: str) -> bool:
    # Cc: control (incl. \n, \t, ESC); Cf: format (bidi overrides, zero-width);
    # Zl/Zp: line and paragraph separators; Cs/Co/Cn: surrogates, private, unassigned.
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def free_text(text: str | None, *, what: str, max_len: int | None = None,
              field: str | None = None) -> str:
    """``text`` stripped, or ``BadInput`` naming ``what`` when it holds a control
    character, a line break or an invisible format character (or is longer than
    ``max_len``)."""
    value = (text or "").strip()
    bad = next((ch for ch in value if _unsafe(ch)), None)
    if bad is not None:
        raise BadInput(_("{what} may not contain control characters, line breaks or "
                         "invisible formatting (U+{code:04X}).").format(
                             what=what, code=ord(bad)), field=field)
    if max_len is not None and len(value) > max_len:
        raise BadInput(_("{what} is longer than {n} characters.").format(what=what, n=max_len),
                       field=field)
    return value


def read_text_file(path, *, error: type[Exception] = BadInput) -> str:
    """A text file a person prepared (configuration, delivery CSV, serials): UTF-8 only.

    A file saved in GBK or some other encoding, a binary file, a folder, a FIFO or
    a file that cannot be read is one ``error`` (``BadInput``, or ``ConfigError`` for
    configuration) naming the file, never a traceback. A leading BOM is dropped.
    """
    import os
    import stat
    from pathlib import Path

    path = Path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read for ever
            raise error(_("{file}: not a regular file").format(file=path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(_("{file}: no such file").format(file=path)) from None
    except OSError as exc:
        raise error(_("{file}: cannot read: {error}").format(
            file=path, error=exc.strerror or type(exc).__name__)) from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise error(_("{file}: not UTF-8 text (byte {offset}); save it as UTF-8.").format(
            file=path, offset=exc.start)) from None
