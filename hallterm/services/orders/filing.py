"""Paper forms (第五章): a day's archive boxes, the orders whose paperwork is incomplete,
and the clerk setting a flag once the paper is there (audited, while the day is open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.orders.rules import Paperwork


@dataclass(frozen=True)
class Filed:
    """One form in a box: its place, its order, what paperwork is missing."""

    position: int
    order_no: str
    kind: str
    counter: int
    clerk: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ArchiveBox:
    """A numbered archive box of a day (``A20261130-01``) and its forms in order."""

    box_no: str
    forms: tuple[Filed, ...]


@dataclass(frozen=True)
class ArchiveDay:
    """A day's boxes, and the filed orders whose paperwork is incomplete."""

    business_day: date
    boxes: tuple[ArchiveBox, ...]

    @property
    def incomplete(self) -> tuple[tuple[str, Filed], ...]:
        """(box, form) for every form with paperwork missing."""
        return tuple((b.box_no, f) for b in self.boxes for f in b.forms if f.missing)


def archive(ctx: Ctx, *, business_day: date) -> ArchiveDay:
    """The day's archive boxes and forms (``order archive --day D``)."""
    require(ctx.actor, "order.read")

    def read(unit: ReadUnit) -> ArchiveDay:
        rows = unit.sql(
            "SELECT a.box_no, a.position, o.order_no, o.kind, o.counter, o.clerk, o.id_copy, "
            "o.form_signed, o.photo FROM archive_position a JOIN service_order o ON "
            "o.id = a.order_id WHERE a.business_day = :d ORDER BY a.box_no, a.position",
            {"d": business_day.isoformat()}).all()
        boxes: dict[str, list[Filed]] = {}
        for r in rows:
            papers = Paperwork(bool(r.id_copy), bool(r.form_signed), bool(r.photo))
            boxes.setdefault(r.box_no, []).append(Filed(
                r.position, r.order_no, r.kind, r.counter, r.clerk, papers.missing(r.kind)))
        return ArchiveDay(business_day, tuple(ArchiveBox(b, tuple(f))
                                              for b, f in boxes.items()))

    return run_check(ctx, read)


def set_paperwork(ctx: Ctx, *, order_no: str, id_copy: bool | None = None,
                  form_signed: bool | None = None, photo: bool | None = None,
                  command_id: str | None = None) -> Paperwork:
    """Record paperwork now in hand for an order of the open day (a flag set, never
    cleared: paper once filed stays filed). Audited."""
    require(ctx.actor, "order.accept")

    def work(uow: UnitOfWork) -> Paperwork:
        day = uow.open_day()
        row = uow.sql("SELECT id, order_no, business_day, id_copy, form_signed, photo FROM "
                      "service_order WHERE order_no = :n", {"n": (order_no or "").strip()}
                      ).first()
        if row is None:
            raise NotFound(_("No order {number}.").format(number=order_no), field="order")
        if str(row.business_day) != day.isoformat():
            raise Refused(_("Order {number} belongs to {day}, not the open day.").format(
                number=row.order_no, day=row.business_day), field="order")
        papers = Paperwork(bool(row.id_copy) or bool(id_copy),
                           bool(row.form_signed) or bool(form_signed),
                           bool(row.photo) or bool(photo))
        uow.sql("UPDATE service_order SET id_copy = :a, form_signed = :b, photo = :c WHERE "
                "id = :id", {"a": papers.id_copy, "b": papers.form_signed, "c": papers.photo,
                             "id": row.id})
        uow.audit("order.paperwork", entity="service_order", entity_id=row.order_no,
                  business_day=day, payload={"id_copy": papers.id_copy,
                                             "form_signed": papers.form_signed,
                                             "photo": papers.photo})
        return papers

    return run_write(ctx, "order.paperwork", work, command_id=command_id, result_type=Paperwork)
