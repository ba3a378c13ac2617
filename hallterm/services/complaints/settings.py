"""The hall's complaint settings a write reads in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.context import ReadUnit


@dataclass(frozen=True)
class ComplaintSettings:
    """The repeat window, the follow-up attempts and the compensation approval limit."""

    repeat_days: int
    follow_up_attempts: int
    approval_fen: int  # compensation above this needs the hall manager


def complaint_settings(unit: ReadUnit) -> ComplaintSettings:
    """The settings of the hall configuration in the store (``hall load``)."""
    from hallterm.services.hall import hall_in

    hall = hall_in(unit)
    return ComplaintSettings(hall.complaints.repeat_window_days,
                             hall.complaints.follow_up_attempts,
                             hall.thresholds.compensation_approval_fen)
