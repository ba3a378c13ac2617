"""The business day (营业日): opened by the hall manager, closed and locked by 日结.

``business_day`` opens a day and says its state; ``closing`` closes it (asking every
registered blocker, computing every registered report section, recording the Z
report) and writes the report files; ``rendering`` prints the Z report; ``xreport``
is the interim X report of an open day (the same sections, nothing locked); ``parts``
holds what the areas register for closing and the export (blockers, report
sections, export tables) and loads the areas.

Closing, the report and the export share one registry, so this is one package:
the day's life from opening to the locked record.
"""

from hallterm.services.day.business_day import (
    DayInfo,
    day_state,
    day_status,
    insert_day,
    last_closed_day,
    open_day,
    open_days,
    state_label,
)
from hallterm.services.day.closing import (
    MAX_REASON,
    REPORT_FORMAT,
    CloseResult,
    DayReport,
    blockers,
    close_day,
    report,
    report_paths,
)
from hallterm.services.day.parts import (
    Blocker,
    Section,
    load_areas,
    register_blocker,
    register_export,
    register_section,
)
from hallterm.services.day.parts import exports as registered_exports
from hallterm.services.day.parts import sections as registered_sections
from hallterm.services.day.rendering import DAY_TITLE, render
from hallterm.services.day.xreport import DayOverview, XReport, day_overview, x_report

# The business day and its closing record (the Z counter is a sequence, core's).
TABLES: tuple[str, ...] = ("business_day", "day_close")

__all__ = [
    "DAY_TITLE",
    "MAX_REASON",
    "REPORT_FORMAT",
    "TABLES",
    "Blocker",
    "CloseResult",
    "DayInfo",
    "DayOverview",
    "DayReport",
    "Section",
    "XReport",
    "blockers",
    "close_day",
    "day_overview",
    "day_state",
    "day_status",
    "insert_day",
    "last_closed_day",
    "load_areas",
    "open_day",
    "open_days",
    "register_blocker",
    "register_export",
    "register_section",
    "registered_exports",
    "registered_sections",
    "render",
    "report",
    "report_paths",
    "state_label",
    "x_report",
]
