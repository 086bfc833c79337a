"""Sổ theo dõi hồ sơ (Circular 01/2018 Mẫu 06; Circular 03/2025 Mẫu 07): one row per dossier
received by a unit in a year, as Excel (what offices use) and as an A4 PDF.

Rows stream from the database (plain values, a chunk at a time), the workbook is written in
openpyxl's write-only mode and the PDF by ``pdf_table`` a page at a time, so a book's memory does
not grow with its length. Books of more than ``MOTCUA_TRACKING_BOOK_SYNC_ROWS`` rows (500) are
built by the worker: ``book_request`` enqueues ``tasks.tracking_book_task`` and the page polls
``book_job`` until the file waits in media storage (one JSON state file per unit, year and format
says what is queued, ready or failed)."""

from __future__ import annotations

import datetime
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.utils import translation

from motcua.common.clock import now
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

from .constants import Status
from .models import Dossier

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

# openpyxl and reportlab are imported where a book is written (mostly by the worker): a web
# process that never writes one does not carry them (issue 12's memory goal).

COLUMNS = [
    ("STT", 8), ("Mã hồ sơ", 26), ("Tên thủ tục hành chính", 40), ("Số lượng hồ sơ", 8),
    ("Tên cá nhân, tổ chức", 24), ("Số định danh / điện thoại", 18), ("Cơ quan chủ trì giải quyết", 28),
    ("Ngày, giờ nhận", 16), ("Ngày, giờ hẹn trả", 16), ("Ngày có kết quả", 16),
    ("Ngày trả kết quả", 16), ("Trạng thái", 18), ("Ghi chú", 24),
]  # fmt: skip
FIELDS = (
    "code", "procedure__name", "applicant_name", "applicant_id_number", "phone",
    "deciding_unit__name", "received_at", "due_at", "finished_at", "returned_at", "status",
    "supplement_requests", "apologies",
)  # fmt: skip
CHUNK = 2_000
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def local(value: datetime.datetime | None) -> str:
    """dd/mm/yyyy hh:mm in Hà Nội (formatted by hand: strftime is slow over 50,000 rows)."""
    if value is None:
        return ""
    t = value.astimezone(VIETNAM_OFFSET)
    return f"{t.day:02d}/{t.month:02d}/{t.year} {t.hour:02d}:{t.minute:02d}"


def book_dossiers(unit: Unit, year: int) -> QuerySet[Dossier]:
    start = datetime.datetime(year, 1, 1, tzinfo=VIETNAM_OFFSET)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=VIETNAM_OFFSET)
    return Dossier.objects.filter(receiving_unit=unit, received_at__gte=start, received_at__lt=end)


def tracking_book_size(unit: Unit, year: int) -> int:
    return book_dossiers(unit, year).count()


def tracking_book_iter(unit: Unit, year: int) -> Iterator[list[Any]]:
    """The book's rows in order of reception, as plain values (no model objects)."""
    labels = {value: str(label) for value, label in Status.choices}
    values = (
        book_dossiers(unit, year)
        .annotate(phone=KT("applicant__phone"))
        .order_by("received_at", "pk")
        .values_list(*FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    for number, row in enumerate(values, start=1):
        code, procedure, name, id_number, phone, deciding, received, due = row[:8]
        finished, returned, status, supplements, apologies = row[8:]
        notes = ["đã yêu cầu bổ sung"] if supplements else []
        notes += ["đã xin lỗi, hẹn lại"] if apologies else []
        yield [
            number, code, procedure, 1, name, id_number or phone or "", deciding, local(received),
            local(due), local(finished), local(returned), labels.get(status, status), "; ".join(notes),
        ]  # fmt: skip


def tracking_book_rows(unit: Unit, year: int) -> list[list[Any]]:
    return list(tracking_book_iter(unit, year))


def write_xlsx(unit: Unit, year: int, target: BinaryIO) -> int:
    """The book as a workbook; returns its number of rows."""
    title = f"SỔ THEO DÕI HỒ SƠ — {unit.name} — năm {year}"
    return xlsx_from_rows(title, f"So theo doi {year}", tracking_book_iter(unit, year), target)


def xlsx_from_rows(title: str, sheet_name: str, rows: Iterable[list[Any]], target: BinaryIO) -> int:
    """Write-only workbook: each row goes to the file as it comes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=13)
    sheet.append([heading])
    sheet.append([header_cell(sheet, name) for name, _width in COLUMNS])
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    book.save(target)
    return count


def header_cell(sheet: Any, name: str) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(sheet, value=name)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_pdf(unit: Unit, year: int, target: BinaryIO) -> int:
    """The book as an A4 landscape PDF; returns its number of rows."""
    subtitle = f"{unit.name} — năm {year} (Mẫu số 07, Thông tư 03/2025/TT-VPCP)"
    return pdf_from_rows(subtitle, tracking_book_iter(unit, year), target)


def pdf_from_rows(subtitle: str, rows: Iterable[list[Any]], target: BinaryIO) -> int:
    from .pdf_table import TablePdf

    table = TablePdf(COLUMNS, "SỔ THEO DÕI HỒ SƠ", subtitle)
    count = 0
    for row in rows:
        table.add(row)
        count += 1
    table.write(target)
    return count


WRITERS = {"xlsx": write_xlsx, "pdf": write_pdf}


def tracking_book_xlsx(unit: Unit, year: int) -> bytes:
    out = io.BytesIO()
    write_xlsx(unit, year, out)
    return out.getvalue()


def tracking_book_pdf(unit: Unit, year: int) -> bytes:
    out = io.BytesIO()
    write_pdf(unit, year, out)
    return out.getvalue()


# --- Large books: built by the worker, kept in media storage. ---


def sync_rows() -> int:
    """Books up to this many rows are answered at once; larger ones go to the worker."""
    return int(getattr(settings, "MOTCUA_TRACKING_BOOK_SYNC_ROWS", 500))


def fresh_for() -> datetime.timedelta:
    """A built book is offered again for this long before a new request builds it anew."""
    return datetime.timedelta(minutes=int(getattr(settings, "MOTCUA_TRACKING_BOOK_FRESH_MINUTES", 10)))  # fmt: skip


def lost_after() -> datetime.timedelta:
    """A book queued longer than this (a worker stopped?) is queued again on the next request."""
    return datetime.timedelta(minutes=int(getattr(settings, "MOTCUA_TRACKING_BOOK_MAX_WAIT_MINUTES", 30)))  # fmt: skip


@dataclass(frozen=True)
class BookJob:
    """Where a large book stands: ``queued``, ``ready`` (``file`` in media storage), ``failed``,
    or ``none`` (never asked)."""

    state: str = "none"
    rows: int = 0
    requested_at: datetime.datetime | None = None
    ready_at: datetime.datetime | None = None
    file: str = ""

    def lost(self, at: datetime.datetime) -> bool:
        return self.state == "queued" and (self.requested_at is None or at - self.requested_at > lost_after())  # fmt: skip

    def fresh(self, at: datetime.datetime) -> bool:
        return self.state == "ready" and self.ready_at is not None and at - self.ready_at <= fresh_for()  # fmt: skip


BOOKS_FOLDER = "tracking-books"


def folder(unit: Unit, year: int) -> str:
    return f"{BOOKS_FOLDER}/{unit.code}/{year}"


def state_name(unit: Unit, year: int, fmt: str) -> str:
    return f"{folder(unit, year)}/{fmt}.json"


def book_job(unit: Unit, year: int, fmt: str) -> BookJob:
    name = state_name(unit, year, fmt)
    if not default_storage.exists(name):
        return BookJob()
    with default_storage.open(name, "rb") as stored:
        data = json.load(stored)
    return BookJob(
        state=data.get("state", "none"), rows=int(data.get("rows", 0)),
        requested_at=moment(data.get("requested_at")), ready_at=moment(data.get("ready_at")),
        file=data.get("file", ""),
    )  # fmt: skip


def moment(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def job_save(unit: Unit, year: int, fmt: str, job: BookJob) -> None:
    data = {
        "state": job.state, "rows": job.rows, "file": job.file,
        "requested_at": job.requested_at.isoformat() if job.requested_at else None,
        "ready_at": job.ready_at.isoformat() if job.ready_at else None,
    }  # fmt: skip
    name = state_name(unit, year, fmt)
    default_storage.delete(name)  # storages do not overwrite: they would pick another name
    default_storage.save(name, ContentFile(json.dumps(data).encode()))


def book_request(unit: Unit, year: int, fmt: str, *, rows: int, renew: bool = False) -> BookJob:
    """The book being prepared or ready; queues it when there is neither (or ``renew``)."""
    from .tasks import tracking_book_task  # tasks imports this module

    at = now()
    job = book_job(unit, year, fmt)
    if not renew and ((job.state == "queued" and not job.lost(at)) or job.fresh(at)):
        return job
    queued = BookJob(state="queued", rows=rows, requested_at=at, file=job.file)
    job_save(unit, year, fmt, queued)
    tracking_book_task.enqueue(unit_id=unit.pk, year=year, fmt=fmt)
    return queued


def tracking_book_build(unit_id: int, year: int, fmt: str) -> str:
    """Write the book to media storage and mark it ready (failed, if writing fails)."""
    unit = Unit.objects.get(pk=unit_id)
    previous = book_job(unit, year, fmt)
    try:
        with translation.override("vi"), tempfile.TemporaryFile() as scratch:
            rows = WRITERS[fmt](unit, year, scratch)
            scratch.seek(0)
            stamp = now().astimezone(VIETNAM_OFFSET).strftime("%Y%m%d-%H%M%S")
            name = f"{folder(unit, year)}/so-theo-doi-{unit.code}-{year}-{stamp}.{fmt}"
            name = default_storage.save(name, File(scratch, name=name))
    except Exception:
        job_save(unit, year, fmt, replace(previous, state="failed"))
        raise
    job_save(
        unit, year, fmt, replace(previous, state="ready", rows=rows, ready_at=now(), file=name)
    )
    if previous.file and previous.file != name:
        default_storage.delete(previous.file)
    return name
