"""The audit review on home screens: the person's inbox, and the hall's open exceptions.

Everyone sees the review exceptions raised on their own records (their inbox) and
rectifies one with R (``rectify_dialog``); the hall manager and the auditor also see
every exception still open. Nothing shows when there is nothing open.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from hallterm.i18n import N_, _
from screens.widgets.form_dialog import Field, FormDialog

SHOWN = 6  # open exceptions listed on home; the rest are counted


@dataclass(frozen=True)
class InboxFacts:
    mine: tuple = ()
    hall: tuple | None = None  # None: this person does not see the hall's

    @property
    def to_answer(self) -> tuple:
        """The person's exceptions waiting for their rectification (not the auditor's)."""
        return tuple(e for e in self.mine if e.state in ("exception", "reopened"))


def read_inbox(ctx) -> InboxFacts:
    """The person's open exceptions and (for whoever may) every open exception."""
    from hallterm.permissions import allowed
    from hallterm.services import review

    if ctx.actor is None:
        return InboxFacts()
    mine = tuple(review.mine(ctx)) if allowed(ctx.actor.roles, "review.rectify") else ()
    hall = (tuple(review.open_exceptions(ctx))
            if allowed(ctx.actor.roles, "review.read") else None)
    return InboxFacts(mine, hall)


def _line(e) -> str:
    from hallterm.services.review import category_label, state_label

    return _("{day} {ref} ({owner}) {state}: {category} — {note}").format(
        day=e.target_day, ref=e.ref, owner=e.owner, state=state_label(e.state),
        category=category_label(e.category), note=e.note or "")


class ReviewInbox(Static):
    """The review lines of a home screen (hidden while nothing is open)."""

    DEFAULT_CSS = """
    ReviewInbox { margin-top: 1; height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.facts = InboxFacts()

    def load(self) -> None:
        screen = self.screen
        self.display = False
        screen.call(read_inbox, screen.hctx, on_success=self.show)  # type: ignore[attr-defined]

    def show(self, facts: InboxFacts) -> None:
        self.facts = facts
        text = Text()
        if facts.mine:
            text.append(_("Review exceptions on your records (稽核整改): {n}").format(
                n=len(facts.mine)) + "\n", style="bold yellow")
            for e in facts.mine:
                text.append(f"  {_line(e)}\n")
            if facts.to_answer:
                text.append(_("  R: rectify (a corrective record, or a note when nothing can be "
                              "changed)") + "\n", style="dim")
        if facts.hall:
            text.append(_("Open review exceptions in the hall: {n}").format(
                n=len(facts.hall)) + "\n", style="bold")
            for e in facts.hall[:SHOWN]:
                text.append(f"  {_line(e)}\n")
            if len(facts.hall) > SHOWN:
                text.append("  " + _("… and {n} more (Audit post, W)").format(
                    n=len(facts.hall) - SHOWN) + "\n")
        text.rstrip()
        self.update(text)
        self.display = bool(text.plain)
        self.screen.refresh_bindings()  # R (rectify) shows while the inbox holds something


def rectify_dialog(screen, inbox: ReviewInbox) -> None:
    """Ask for the exception, the corrective record and a note; check, then rectify."""
    from hallterm.services import review

    ctx = screen.hctx
    first = inbox.facts.to_answer[0].ref if inbox.facts.to_answer else ""
    if not inbox.facts.to_answer:
        screen.notify(_("No open exceptions on your records."), timeout=3)
        return

    def check(values: dict[str, str]) -> None:
        review.check_rectify(ctx, ref=values["ref"], with_record=values["with"],
                             note=values["note"])

    def done(values: dict[str, str] | None) -> None:
        if not values:
            return

        def rectified(step) -> None:
            screen.notify(_("{ref}: {state}").format(ref=step.ref,
                                                     state=review.state_label(step.state)))
            inbox.load()

        screen.call(review.rectify, ctx, ref=values["ref"], with_record=values["with"],
                    note=values["note"] or None, on_success=rectified)

    screen.app.push_screen(FormDialog(_("Rectify a review exception"), [
        Field("ref", N_("Exception (KIND:REFERENCE)"), first),
        Field("with", N_("Corrective record (KIND:REFERENCE, or: note)"), "note"),
        Field("note", N_("Note"), required=False)], check=check), done)
