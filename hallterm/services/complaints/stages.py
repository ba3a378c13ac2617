"""The four stages in order, pause and resume, the appeal (申诉) and the close.

Only the owner works a complaint (首问负责制). The stages — accept, explain and
clarify, propose a resolution, follow up and summarise — are done strictly in
order, each recording what was done. A complaint pauses only while waiting for the
customer (the clocks stop) and resumes when the customer is back. An appeal to the
regulator is its own state with the regulator's reference. It closes only with the
customer's follow-up result (satisfied, not satisfied, or unreachable after the
hall's number of attempts) and a summary, which is what its fourth stage records.
Each function has a ``check_…`` that refuses what the write would and writes nothing.
"""

from __future__ import annotations

from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.services.complaints import records
from hallterm.services.complaints.records import Changed, Row
from hallterm.services.complaints.settings import complaint_settings
from hallterm.textinput import free_text


def _stage(unit: ReadUnit, number: str, stage: int | str, done: str) -> tuple[Row, int, str]:
    row = records.load(unit, number)
    records.require_owner(unit, row)
    records.require_state(row, "open", "appealed")
    n = records.stage_number(stage)
    if n <= row.stage:
        raise Refused(_("Stage {n} of complaint {number} is already done.").format(
            n=n, number=row.number))
    if n != row.stage + 1:
        raise Refused(_("Stage {next} ({name}) comes first: the stages are done in order.")
                      .format(next=row.stage + 1, name=records.label(records.STAGES,
                                                                     row.stage + 1)))
    text = records.note_text(done, what=_("What was done"), field="done")
    return row, n, text


def check_stage(ctx: Ctx, *, number: str, stage: int | str, done: str) -> None:
    """Validate a stage (owner, order, what was done); writes nothing."""
    run_check(ctx, lambda unit: _stage(unit, number, stage, done))


def record_stage(ctx: Ctx, *, number: str, stage: int | str, done: str,
                 command_id: str | None = None) -> Changed:
    """Record a stage done, with what was done (the next stage only)."""

    def work(uow: UnitOfWork) -> Changed:
        row, n, text = _stage(uow, number, stage, done)
        records.append(uow, row, "stage_done", stage=n, note=text)
        records.audit(uow, row, "complaint.stage", stage=n)
        return records.changed(row, "stage_done", stage=n)

    return run_write(ctx, "complaint.stage", work, command_id=command_id, result_type=Changed)


def _pause(unit: ReadUnit, number: str, waiting_for: str) -> tuple[Row, str]:
    row = records.load(unit, number)
    records.require_owner(unit, row)
    records.require_state(row, "open")
    text = records.note_text(waiting_for, what=_("What the customer is to give"),
                             field="waiting_for")
    return row, text


def check_pause(ctx: Ctx, *, number: str, waiting_for: str) -> None:
    run_check(ctx, lambda unit: _pause(unit, number, waiting_for))


def pause(ctx: Ctx, *, number: str, waiting_for: str,
          command_id: str | None = None) -> Changed:
    """Pause the clocks while waiting for the customer (and only for that): say for what."""

    def work(uow: UnitOfWork) -> Changed:
        row, text = _pause(uow, number, waiting_for)
        records.append(uow, row, "paused", note=text, state="paused")
        records.audit(uow, row, "complaint.pause")
        return records.changed(row, "paused", state="paused")

    return run_write(ctx, "complaint.pause", work, command_id=command_id, result_type=Changed)


def _resume(unit: ReadUnit, number: str, note: str | None) -> tuple[Row, str]:
    row = records.load(unit, number)
    records.require_owner(unit, row)
    if row.state != "paused":
        raise Refused(_("Complaint {number} is not waiting for the customer.").format(
            number=row.number))
    return row, records.note_text(note, what=_("A note"), field="note", required=False)


def resume(ctx: Ctx, *, number: str, note: str | None = None,
           command_id: str | None = None) -> Changed:
    """The customer is back: the clocks run again."""

    def work(uow: UnitOfWork) -> Changed:
        row, text = _resume(uow, number, note)
        records.append(uow, row, "resumed", note=text, state="open")
        records.audit(uow, row, "complaint.resume")
        return records.changed(row, "resumed", state="open")

    return run_write(ctx, "complaint.resume", work, command_id=command_id, result_type=Changed)


def _appeal(unit: ReadUnit, number: str, reference: str) -> tuple[Row, str]:
    row = records.load(unit, number)
    records.require_owner(unit, row, managers=True)
    if row.state == "appealed":
        raise Refused(_("Complaint {number} is already appealed to the regulator.").format(
            number=row.number))
    records.require_state(row, "open", "paused")
    ref = free_text(reference, what=_("The regulator's reference"), max_len=64,
                    field="reference")
    if not ref:
        raise BadInput(_("Give the regulator's reference of the appeal (申诉)."),
                       field="reference")
    return row, ref


def check_appeal(ctx: Ctx, *, number: str, reference: str) -> None:
    run_check(ctx, lambda unit: _appeal(unit, number, reference))


def appeal(ctx: Ctx, *, number: str, reference: str,
           command_id: str | None = None) -> Changed:
    """The customer took the complaint to the regulator (申诉): record its reference.

    The owner or a manager records it; a paused complaint resumes (the customer has
    acted). The complaint is still worked and closed as before.
    """

    def work(uow: UnitOfWork) -> Changed:
        row, ref = _appeal(uow, number, reference)
        if row.state == "paused":
            records.append(uow, row, "resumed", state="open")
        records.append(uow, row, "appealed", reference=ref, state="appealed")
        records.audit(uow, row, "complaint.appeal", reference=ref)
        return records.changed(row, "appealed", state="appealed")

    return run_write(ctx, "complaint.appeal", work, command_id=command_id, result_type=Changed)


def _close(unit: ReadUnit, number: str, result: str | None, summary: str | None,
           attempts: int | None) -> tuple[Row, str, str, int | None]:
    code = (result or "").strip().lower()
    if code not in records.RESULTS:
        raise BadInput(_("A complaint closes only with the customer's follow-up result: "
                         "satisfied, dissatisfied or unreachable."), field="result")
    text = records.note_text(summary, what=_("The summary"), field="summary")
    if attempts is not None and (isinstance(attempts, bool) or not 0 <= attempts <= 100):
        raise BadInput(_("Follow-up attempts are 0-100."), field="attempts")
    row = records.load(unit, number)
    records.require_owner(unit, row)
    records.require_state(row, "open", "appealed")
    if row.stage < 3:
        raise Refused(_("Complaint {number} cannot close before stage 3 ({name}) is done.")
                      .format(number=row.number, name=records.label(records.STAGES, 3)))
    needed = complaint_settings(unit).follow_up_attempts
    if code == "unreachable" and (attempts or 0) < needed:
        raise Refused(_("The customer counts as unreachable after {n} follow-up attempts; "
                        "{made} recorded.").format(n=needed, made=attempts or 0))
    return row, code, text, attempts


def check_close(ctx: Ctx, *, number: str, result: str | None, summary: str | None,
                attempts: int | None = None) -> None:
    run_check(ctx, lambda unit: _close(unit, number, result, summary, attempts))


def close(ctx: Ctx, *, number: str, result: str | None, summary: str | None,
          attempts: int | None = None, command_id: str | None = None) -> Changed:
    """Close with the follow-up result and a summary (stage 4, unless it is recorded).

    ``result``: satisfied, dissatisfied, or unreachable with at least the hall's
    ``follow_up_attempts`` recorded in ``attempts``.
    """

    def work(uow: UnitOfWork) -> Changed:
        row, code, text, made = _close(uow, number, result, summary, attempts)
        if row.stage < 4:
            records.append(uow, row, "stage_done", stage=4, note=text)
            row = records.Row(row.id, row.number, row.state, 4, row.owner, row.offered_to,
                              row.opened_at)
        records.append(uow, row, "closed", note=text, result=code, attempts=made,
                       state="closed", clear_offer=True)
        records.audit(uow, row, "complaint.close", result=code, attempts=made)
        return records.changed(row, "closed", state="closed", clear_offer=True)

    return run_write(ctx, "complaint.close", work, command_id=command_id, result_type=Changed)
