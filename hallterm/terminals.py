"""Which terminal an SSH login is: the hall configuration's ``[[terminals]]`` mapping.

``hallterm terminal`` is the login command of a ``ForceCommand`` account on the hall
host. sshd tells it who connected: ``SSH_CONNECTION``/``SSH_CLIENT`` (the client's
address) and, with ``ExposeAuthInfo yes``, ``SSH_USER_AUTH`` (a file naming the public
key the client signed in with). sshd never sees a key's comment (it stays in the
client's files), so a mapping names the key by its fingerprint as ``ssh-keygen -lf``
prints it (``SHA256:…``); the comment is a note for people. The key wins over the
address (a thin client's address may change with DHCP; its key does not).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hallterm.errors import BadInput, Refused
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.hallconfig import HallConfig

_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}$")


class TerminalDef(BaseModel):
    """A counter terminal reached over SSH: its id, its counter, and how it is recognised."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
    counter: int | None = Field(default=None, ge=1, le=999)
    ssh_key: str | None = None  # "SHA256:…" (ssh-keygen -lf on the client's public key)
    ssh_client: str | None = None  # the client's IP address
    note: str = Field(default="", max_length=80)

    @field_validator("ssh_key")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        if value is not None and not _FINGERPRINT.match(value):
            raise ValueError("ssh_key: a fingerprint as ssh-keygen -lf prints it, "
                             "SHA256: and 43 characters")
        return value

    @field_validator("ssh_client")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError("ssh_client: an IP address, e.g. 10.20.0.11") from None

    @model_validator(mode="after")
    def _recognisable(self) -> TerminalDef:
        if self.ssh_key is None and self.ssh_client is None:
            raise ValueError(f"terminal {self.id}: give ssh_key or ssh_client")
        return self


def check_terminals(terminals: list[TerminalDef], counters: set[int]) -> None:
    """The mapping's own consistency (called by the hall configuration's validator)."""
    for what, values in (("id", [t.id for t in terminals]),
                         ("ssh_key", [t.ssh_key for t in terminals if t.ssh_key]),
                         ("ssh_client", [t.ssh_client for t in terminals if t.ssh_client])):
        if len(set(values)) != len(values):
            raise ValueError(f"terminals: duplicate {what}")
    for t in terminals:
        if t.counter is not None and t.counter not in counters:
            raise ValueError(f"terminals: terminal {t.id} names unknown counter {t.counter}")


@dataclass(frozen=True)
class SshLogin:
    """What sshd says about the connection this process serves."""

    address: str | None
    keys: tuple[str, ...]  # fingerprints of the public keys the client signed in with
    tty: str | None


def fingerprint(key_type_and_blob: str) -> str:
    """``SHA256:…`` of a public key given as ``<type> <base64>`` (as ssh-keygen prints)."""
    parts = key_type_and_blob.split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, binascii.Error):
        raise BadInput(_("Not an SSH public key: {key}").format(key=key_type_and_blob[:40])) \
            from None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def ssh_login(environ: Mapping[str, str] | None = None) -> SshLogin:
    """Read the SSH connection from the environment sshd sets (``None`` fields: not said)."""
    env = os.environ if environ is None else environ
    connection = env.get("SSH_CONNECTION") or env.get("SSH_CLIENT") or ""
    if not connection:
        raise BadInput(_("hallterm terminal is the login command of the hall host's SSH "
                         "account (sshd's ForceCommand); on this machine use hallterm app."))
    address = connection.split()[0]
    keys: list[str] = []
    auth = env.get("SSH_USER_AUTH")
    if auth:
        try:
            lines = Path(auth).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        for line in lines:  # "publickey ssh-ed25519 AAAA…" per method used
            method, _sep, rest = line.partition(" ")
            if method == "publickey" and rest:
                keys.append(fingerprint(rest))
    return SshLogin(address=address, keys=tuple(keys), tty=env.get("SSH_TTY") or None)


def terminal_for(config: HallConfig, login: SshLogin) -> TerminalDef:
    """The configured terminal this login is; refused (exit 3) when it is none of them."""
    if login.tty is None:
        raise BadInput(_("A terminal needs a screen: connect with ssh -t (no command)."))
    for t in config.terminals:
        if t.ssh_key is not None and t.ssh_key in login.keys:
            return t
    try:
        address = str(ipaddress.ip_address(login.address or ""))
    except ValueError:
        address = login.address or ""
    for t in config.terminals:
        if t.ssh_key is None and t.ssh_client == address:
            return t
    raise Refused(_("This SSH client is not a terminal of the hall (key {key}, address "
                    "{address}): the hall manager adds it under [[terminals]] in the hall "
                    "configuration.").format(key=", ".join(login.keys) or _("not shown"),
                                             address=login.address))
