"""The late dossiers' list and reports (issue 17) show the appointment the 2.1 rule judged against:
the one given at reception. After an apology the dossier carries a later date, which would make a
dossier finished before it look wrongly listed as late."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import POLICE, Staff

from .helpers import act, replay, submit
from .test_dashboard import city_supervisor

pytestmark = pytest.mark.django_db
MARCH = "from=01/03/2026&to=31/03/2026"


def late_after_an_apology() -> Dossier:
    """Received 2/3 09:00 (appointment 11/3 17:00), apologised for on 10/3 with a new date of
    20/3, finished on 13/3: late against 11/3, before the apology's 20/3."""
    replay([
        submit("SORRY", "2026-03-02 09:00"), act("SORRY", "2026-03-02 09:00", "receive"),
        act("SORRY", "2026-03-10 10:00", "apologize", new_due="2026-03-20T17:00:00+07:00"),
        act("SORRY", "2026-03-13 10:00", "complete"),
    ])  # fmt: skip
    dossier = Dossier.objects.get(ref="SORRY")
    assert dossier.due_at.date().isoformat() == "2026-03-20"
    return dossier


def test_the_late_list_shows_the_appointment_given_at_reception(staff: Staff) -> None:
    dossier = late_after_an_apology()
    page = city_supervisor().get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}").content.decode()
    assert dossier.code in page
    assert "11/03/2026" in page
    assert "20/03/2026" not in page


def test_the_excel_report_shows_the_appointment_given_at_reception(staff: Staff) -> None:
    late_after_an_apology()
    answer = city_supervisor().get(f"/giam-sat/bao-cao.xlsx?unit={POLICE}&{MARCH}")
    cells = [
        c
        for row in load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "11/03/2026" in cells
    assert "20/03/2026" not in cells


def test_the_pdf_report_keeps_each_dossier_code_on_one_line(staff: Staff) -> None:
    """A code cut in two ("H26.00070-260623-000" / "1") cannot be typed into a search."""
    from pypdf import PdfReader

    dossier = late_after_an_apology()
    answer = city_supervisor().get(f"/giam-sat/bao-cao.pdf?unit={POLICE}&{MARCH}")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert dossier.code in text.splitlines()
