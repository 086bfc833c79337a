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


def three_late() -> list[str]:
    """Three dossiers received 2/3 (appointment 11/3 17:00) and finished 13/3: late."""
    events = []
    for ref in ("L1", "L2", "L3"):
        events += [submit(ref, "2026-03-02 09:00"), act(ref, "2026-03-02 09:00", "receive"),
                   act(ref, "2026-03-13 10:00", "complete")]  # fmt: skip
    replay(events)
    return [Dossier.objects.get(ref=ref).code for ref in ("L1", "L2", "L3")]


def test_the_late_list_pages_through_every_late_dossier(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA: the card said 222 late and the list stopped at 200, with no way to the rest."""
    from motcua.supervision import dashboard_views

    monkeypatch.setattr(dashboard_views, "LATE_LIMIT", 2)
    codes = three_late()
    client = city_supervisor()
    first = client.get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}").content.decode()
    assert "Hồ sơ 1–2 trên tổng số 3 hồ sơ trễ hạn." in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}&trang=2").content.decode()
    assert "Hồ sơ 3–3 trên tổng số 3" in second
    assert 'rel="prev"' in second
    shown = [code for code in codes if code in first] + [code for code in codes if code in second]
    assert sorted(shown) == sorted(codes)
    for odd in ("0", "-1", "x", "99999999999", "3"):  # never an error: the nearest page
        assert (
            client.get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}&trang={odd}").status_code == 200
        )


def test_a_report_listing_fewer_than_all_late_dossiers_says_how_many_there_are(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.supervision import dashboard_views

    monkeypatch.setitem(dashboard_views.EXPORT_LATE, "xlsx", 2)
    three_late()
    answer = city_supervisor().get(f"/giam-sat/bao-cao.xlsx?unit={POLICE}&{MARCH}")
    cells = [
        c
        for row in load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert any(c.startswith("Hồ sơ trễ hạn: 3 hồ sơ;") and "liệt kê 2 hồ sơ" in c for c in cells)
