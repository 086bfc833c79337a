"""The tracking book (Sổ theo dõi hồ sơ) of a unit and year, as Excel and PDF."""

from __future__ import annotations

import io

import openpyxl
import pypdf
import pytest
from django.test import Client

from motcua.dossiers.tracking_book import tracking_book_rows
from motcua.organizations.models import Unit

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


def test_other_units_and_formats_are_refused(staff: Staff) -> None:
    client = Client()
    client.force_login(staff.outsider)
    assert client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.xlsx").status_code == 403
    client.force_login(staff.reception)
    assert client.get(f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026.exe").status_code == 404
