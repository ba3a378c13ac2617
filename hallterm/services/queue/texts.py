"""What the queue says: why a ticket was called, the apology, the printed slip."""

from __future__ import annotations

from hallterm.i18n import N_, _
from hallterm.services.queue import policy
from hallterm.services.queue.views import PRIORITY_LABELS, Slip, TicketInfo

# -- what the counter panel says -----------------------------------------------------------
RULE_TEXTS = {
    policy.RULE_LINE: N_("first in line"),
    policy.RULE_PRIORITY: N_("its class goes first"),
    policy.RULE_RATIO: N_("a normal ticket's turn after {run} priority calls"),
    policy.RULE_AGING: N_("highest score of wait plus class bonus"),
}


def why(ticket: TicketInfo, *, priority_run: int = 3) -> str:
    """Why the ticket was called: class, wait and rule, in the current language."""
    rule = _(RULE_TEXTS.get(ticket.call_rule or "", N_("first in line"))).format(
        run=priority_run)
    return _("{cls}, waited {minutes} min: {rule}").format(
        cls=_(PRIORITY_LABELS.get(ticket.priority, ticket.priority)),
        minutes=ticket.wait_s // 60, rule=rule)


def apology(ticket: TicketInfo) -> str | None:
    """The reminder to explain and apologise (说明原因并表示歉意) after a long wait."""
    if not ticket.long_wait:
        return None
    return _("Waited {minutes} min: explain the reason and apologise "
             "(说明原因并表示歉意).").format(minutes=ticket.wait_s // 60)


# -- the printed slip -----------------------------------------------------------------------
def slip_text(slip: Slip) -> str:
    """The ticket slip as printed (取号凭条): always in Chinese and English."""
    labels = {"vip": "VIP 贵宾", "care": "优先 Priority care", "appointment": "预约 Appointment",
              "normal": "普通 Normal"}
    lines = [
        "排队号 / QUEUE TICKET",
        "",
        f"    {slip.number}",
        "",
        f"{slip.service_zh}",
        f"{slip.service_en}",
    ]
    code = slip.appointment_code
    if code and slip.priority == "appointment":  # one line, not "Appointment" twice
        lines.append(f"预约 Appointment: {code}")
    else:
        lines.append(labels.get(slip.priority, slip.priority))
        if code:
            lines.append(f"预约号 / Appointment: {code}")
    lines += [
        f"前面还有 {slip.people_ahead} 人 / {slip.people_ahead} ahead of you",
        f"预计等候约 {slip.estimated_wait_min} 分钟 / about {slip.estimated_wait_min} min",
        f"{slip.issued_at:%Y-%m-%d %H:%M}",
        "过号请与引导员联系 / Missed your call? Ask the guide.",
        "",
    ]
    return "\n".join(lines)


def print_slip(slip: Slip, *, printer) -> str:
    """Print a slip on the hall's printer (``sales.Printer``); returns where."""
    from hallterm.services.sales import print_text

    return print_text(printer, name=f"ticket-{slip.business_day.isoformat()}-{slip.number}",
                      text=slip_text(slip))
