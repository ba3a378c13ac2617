"""The errors a service raises for a user, each with its documented CLI exit code.

A service raises one of these with a translated, one-line message; the CLI prints
the message on stderr and exits with ``exit_code``; a screen shows it. Anything
else is a bug and is logged, never shown as a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_UNAVAILABLE = 75
EXIT_INTERRUPTED = 130

# What each exit code means, for the generated reference (docs/reference/exit-codes.md).
EXIT_MEANINGS = {
    EXIT_OK: "Done.",
    EXIT_CHECK_FAILED: "A check failed (`audit verify` found a broken chain, `export verify` a bad "
                       "file, …), or an unexpected error (logged to the `log_file` setting).",
    EXIT_BAD_INPUT: "Bad input or usage: a wrong value, file or option; the message names it.",
    EXIT_REFUSED: "Refused by a hall rule: wrong PIN, locked account, no permission, day not open "
                  "or closed, this terminal's clock behind the audit log, …",
    EXIT_UNAVAILABLE: "The store is temporarily unavailable (busy past the retry deadline, "
                      "read-only), or another export holds the lock; try again.",
    EXIT_INTERRUPTED: "Interrupted (Ctrl-C) while a step was being written: nothing of that step "
                      "was written; run the command again.",
}


class HallTermError(Exception):
    """A problem a user can understand and act on."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Which input of a form the problem is in (``FormDialog`` marks it), if one.
        self.field = field

    def __str__(self) -> str:
        return self.message


class BadInput(HallTermError):
    """What was typed or passed cannot be used (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(BadInput):
    """A configuration file or value is wrong (exit 2)."""


class Refused(HallTermError):
    """A hall rule refuses the action (exit 3)."""

    exit_code = EXIT_REFUSED


class NotFound(BadInput):
    """The thing asked for does not exist (exit 2)."""


class AuthFailed(Refused):
    """Wrong PIN, unknown, disabled or locked account (exit 3)."""


class Forbidden(Refused):
    """The signed-in person's roles do not allow the action (exit 3)."""


class ApprovalRequired(Refused):
    """The action needs a second person's approval that was not given (exit 3)."""


class DayNotOpen(Refused):
    """The business day is not open (or already closed) for writes (exit 3)."""


class ClockBehind(Refused):
    """This terminal's clock reads earlier than the audit log's last row (exit 3)."""


class CheckFailed(HallTermError):
    """A verification found a problem (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class StoreUnavailable(HallTermError):
    """The store is busy, missing or read-only; try again later (exit 75)."""

    exit_code = EXIT_UNAVAILABLE
