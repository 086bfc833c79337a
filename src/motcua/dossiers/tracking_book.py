"""Sổ theo dõi hồ sơ (Circular 01/2018 Mẫu 06; Circular 03/2025 Mẫu 07): one row per dossier
received by a unit in a year, as Excel (what offices use) and as an A4 PDF."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

from .models import Dossier

COLUMNS = [
    ("STT", 6), ("Mã hồ sơ", 26), ("Tên thủ tục hành chính", 40), ("Số lượng hồ sơ", 8),
    ("Tên cá nhân, tổ chức", 24), ("Số định danh / điện thoại", 18), ("Cơ quan chủ trì giải quyết", 28),
    ("Ngày, giờ nhận", 16), ("Ngày, giờ hẹn trả", 16), ("Ngày có kết quả", 16),
    ("Ngày trả kết quả", 16), ("Trạng thái", 18), ("Ghi chú", 24),
]  # fmt: skip


def local(value: datetime.datetime | None) -> str:
    return value.astimezone(VIETNAM_OFFSET).strftime("%d/%m/%Y %H:%M") if value else ""


def tracking_book_rows(unit: Unit, year: int) -> list[list[Any]]:
    start = datetime.datetime(year, 1, 1, tzinfo=VIETNAM_OFFSET)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=VIETNAM_OFFSET)
    dossiers = (
        Dossier.objects.filter(receiving_unit=unit, received_at__gte=start, received_at__lt=end)
        .select_related("procedure", "deciding_unit")
        .only("code", "procedure__name", "applicant_name", "applicant_id_number", "applicant",
              "deciding_unit__name", "received_at", "due_at", "finished_at", "returned_at", "status",
              "apologies", "supplement_requests")
        .order_by("received_at", "pk")
    )  # fmt: skip
    rows = []
    for number, d in enumerate(dossiers, start=1):
        notes = []
        if d.supplement_requests:
            notes.append("đã yêu cầu bổ sung")
        if d.apologies:
            notes.append("đã xin lỗi, hẹn lại")
        rows.append([
            number, d.code, d.procedure.name, 1, d.applicant_name,
            d.applicant_id_number or d.applicant.get("phone", ""), d.deciding_unit.name,
            local(d.received_at), local(d.due_at), local(d.finished_at), local(d.returned_at),
            d.get_status_display(), "; ".join(notes),
        ])  # fmt: skip
    return rows


def tracking_book_xlsx(unit: Unit, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"So theo doi {year}"
    sheet.append([f"SỔ THEO DÕI HỒ SƠ — {unit.name} — năm {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in tracking_book_rows(unit, year):
        sheet.append(row)
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tracking_book_pdf(unit: Unit, year: int) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "dossiers/pdf/tracking_book.html",
        {
            "unit": unit,
            "year": year,
            "columns": [name for name, _w in COLUMNS],
            "rows": tracking_book_rows(unit, year),
        },
    )
    return HTML(string=html).write_pdf()
