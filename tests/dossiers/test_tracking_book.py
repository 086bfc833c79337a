"""The tracking book (Sổ theo dõi hồ sơ) of a unit and year, as Excel and PDF."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import openpyxl
import pypdf
import pytest
from django.test import Client

from motcua.dossiers.pdf_table import TablePdf
from motcua.dossiers.tasks import tracking_book_task
from motcua.dossiers.tracking_book import COLUMNS, tracking_book_rows
from motcua.organizations.models import Unit
from tests.storage import stored_files

from .conftest import POLICE, Staff, received

pytestmark = pytest.mark.django_db


def test_rows_list_the_units_dossiers_of_the_year(staff: Staff) -> None:
    first, second = received(staff, "2026-03-02 09:00"), received(staff, "2026-03-03 10:00")
    received(staff, "2025-12-31 10:00")  # another year
    rows = tracking_book_rows(Unit.objects.get(code=POLICE), 2026)
    assert [row[1] for row in rows] == [first.code, second.code]
    assert rows[0][7] == "02/03/2026 09:00"
    assert rows[0][8] == "11/03/2026 17:00"


def test_excel_and_pdf_downloads(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    client = Client()
    client.force_login(staff.reception)
    xlsx = client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B3"].value == dossier.code
    assert "SỔ THEO DÕI HỒ SƠ" in sheet["A1"].value
    pdf = client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert dossier.code.split("-")[0] in text


@pytest.mark.s3
def test_a_book_built_by_the_worker_is_kept_in_media_storage_and_rebuilt(
    staff: Staff, settings: Any
) -> None:
    """The large-book path with a small book: the worker writes it where every web process
    reads it (the S3 store when configured), and a rebuild replaces the old file."""
    dossier = received(staff, "2026-03-02 09:00")
    settings.MOTCUA_TRACKING_BOOK_SYNC_ROWS = 0
    client = Client()
    client.force_login(staff.reception)
    url = f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.xlsx"
    assert client.get(url).status_code == 202
    first = tracking_book_task.call(unit_id=Unit.objects.get(code=POLICE).pk, year=2026, fmt="xlsx")
    download = client.get(f"{url}/tai-ve/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet["B3"].value == dossier.code
    folder = f"tracking-books/{POLICE}/2026"
    assert stored_files(folder) == sorted([first, f"{folder}/xlsx.json"])
    assert client.get(f"{url}?lam-moi=1").status_code == 202
    second = tracking_book_task.call(
        unit_id=Unit.objects.get(code=POLICE).pk, year=2026, fmt="xlsx"
    )
    assert second != first
    assert stored_files(folder) == sorted([second, f"{folder}/xlsx.json"])


def test_other_units_and_formats_are_refused(staff: Staff) -> None:
    client = Client()
    client.force_login(staff.outsider)
    assert client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.xlsx").status_code == 403
    client.force_login(staff.reception)
    assert client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.exe").status_code == 404


def pdf_of(rows: int, name: str = "Nguyễn Văn Ánh") -> tuple[TablePdf, pypdf.PdfReader]:
    table = TablePdf(COLUMNS, "SỔ THEO DÕI HỒ SƠ", "Công an phường Hoàn Kiếm — năm 2026")
    for number in range(1, rows + 1):
        table.add([number, f"H01.99.01-260302-{number:04d}", "Đăng ký thường trú", 1, name, "",
                   "Công an phường", "02/03/2026 09:00", "", "", "", "Đang xử lý", ""])  # fmt: skip
    out = io.BytesIO()
    table.write(out)
    return table, pypdf.PdfReader(out)


def test_pdf_pages_are_numbered_with_the_total() -> None:
    table, reader = pdf_of(120)
    assert len(reader.pages) == table.pages > 2
    for number, page in enumerate(reader.pages, start=1):
        assert re.search(rf"Trang {number}/\s*{table.pages}\b", page.extract_text())


def test_pdf_text_is_vietnamese_composed_and_extractable() -> None:
    _table, reader = pdf_of(3, name=unicodedata.normalize("NFD", "Nguyễn Thị Hường"))
    text = reader.pages[0].extract_text()
    assert "Nguyễn Thị Hường" in text  # decomposed input drawn with the composed letters
    assert "Công an phường Hoàn Kiếm — năm 2026" in text
    assert "Số định danh" in text


def test_an_empty_pdf_book_says_so() -> None:
    _table, reader = pdf_of(0)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Chưa có hồ sơ." in text
    assert "Tên thủ tục hành chính" in text


def test_finished_pdf_pages_are_kept_compressed() -> None:
    """Memory follows the compressed file: each page's drawing is compressed once the page is
    full (a ReportLab upgrade that moves its page objects would silently undo it)."""
    table, _reader = pdf_of(200)
    pages = table.canvas._doc.Pages.pages  # type: ignore[attr-defined]
    assert len(pages) == table.pages > 5
    assert all(page.stream is None and isinstance(page.Contents.content, bytes) for page in pages)
