"""The tracking book of a unit with 50,000 dossiers in a year never answers with an error: the
request is queued (202, a page that follows the worker), the worker writes the Excel and PDF
books from streamed rows, and the officer downloads them."""

from __future__ import annotations

import datetime
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import OfficerRole, RoleChange, User
from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to
from motcua.dossiers import tracking_book
from motcua.dossiers.tasks import tracking_book_task
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories

from .conftest import POLICE, Staff, received
from .volume import Fact, bulk_dossiers, generated_delete, generated_facts, scaled

pytestmark = pytest.mark.django_db

# The 50,000 on PostgreSQL; SQLite builds the same book from 5,000.
VOLUME = scaled(postgres=50_000, sqlite=5_000)
YEAR = 2026
AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=VIETNAM_OFFSET)
PREFIX = "TB"


@dataclass
class Book:
    unit: Unit
    reception: User
    facts: list[Fact]

    @property
    def in_year(self) -> list[Fact]:
        """The book's rows as the test expects them: received this year, in order of reception."""
        rows = [
            (f.received_at, int(f.ref[len(PREFIX) :]), f)
            for f in self.facts
            if f.received_at and f.received_at.astimezone(VIETNAM_OFFSET).year == YEAR
        ]
        return [fact for _at, _pk, fact in sorted(rows, key=lambda r: (r[0], r[1]))]

    def url(self, fmt: str, tail: str = "") -> str:
        return f"/can-bo/don-vi/{self.unit.code}/so-theo-doi/{YEAR}.{fmt}{tail}"


@pytest.fixture(scope="module")
def book(django_db_setup: None, django_db_blocker: Any) -> Iterator[Book]:
    """50,000 dossiers (5,000 on SQLite) of one ward police office, generated once for the module."""
    officers: list[User] = []
    try:
        with django_db_blocker.unblock(), clock_set_to(AT):
            unit = Unit.objects.filter(code__startswith="hn-cong-an-phuong").exclude(code=POLICE).order_by("code").last()  # fmt: skip
            assert unit is not None
            officers.append(factories.officer(unit.code, "reception"))
            procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
            assert procedure is not None
            facts = list(
                generated_facts(VOLUME, at=AT, procedures=[procedure.pk], assignee=None, seed=11, prefix=PREFIX)
            )  # fmt: skip
            bulk_dossiers(unit, facts)
            yield Book(unit, officers[0], facts)
    finally:
        with django_db_blocker.unblock():
            generated_delete(PREFIX)
            OfficerRole.objects.filter(user__in=officers).delete()
            RoleChange.objects.filter(officer__in=officers).delete()
            User.objects.filter(pk__in=[o.pk for o in officers]).delete()


@pytest.fixture(autouse=True)
def media_and_clock(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with clock_set_to(AT):
        yield


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queued_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="tracking_book_task").count()


def test_a_large_book_is_queued_then_built_as_excel_and_downloaded(
    book: Book, django_assert_max_num_queries: Any
) -> None:
    client = as_user(book.reception)
    waiting = client.get(book.url("xlsx"))
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "Đang chuẩn bị sổ" in page
    assert 'hx-trigger="every 3s"' in page
    assert 'role="status"' in page
    assert client.get(book.url("xlsx")).status_code == 202  # asked again: the same job, not two
    assert queued_tasks() == 1

    started = time.perf_counter()
    with django_assert_max_num_queries(6):  # rows stream in chunks: no query per dossier
        name = tracking_book_task.call(unit_id=book.unit.pk, year=YEAR, fmt="xlsx")
    print(f"\nxlsx, {len(book.in_year)} rows: {time.perf_counter() - started:.1f} s")

    status = client.get(book.url("xlsx", "/trang-thai/"), HTTP_HX_REQUEST="true")
    assert status.status_code == 200
    assert "every 3s" not in status.content.decode()
    assert "Tải sổ (Excel)" in status.content.decode()
    download = client.get(book.url("xlsx", "/tai-ve/"))
    assert download.status_code == 200
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(download.streaming_content)), read_only=True
    ).active  # type: ignore[attr-defined]
    rows = sheet.iter_rows(values_only=True)
    assert "SỔ THEO DÕI HỒ SƠ" in next(rows)[0]
    assert next(rows)[1] == "Mã hồ sơ"
    expected = book.in_year
    count = 0
    for count, row in enumerate(rows, start=1):
        if count in (1, len(expected)):
            assert (row[0], row[1]) == (count, expected[count - 1].code)
    assert count == len(expected) > VOLUME * 0.9


def test_the_pdf_of_fifty_thousand_rows_is_built_by_the_worker(book: Book) -> None:
    assert as_user(book.reception).get(book.url("pdf")).status_code == 202
    started = time.perf_counter()
    name = tracking_book_task.call(unit_id=book.unit.pk, year=YEAR, fmt="pdf")
    print(f"\npdf, {len(book.in_year)} rows: {time.perf_counter() - started:.1f} s")
    download = as_user(book.reception).get(book.url("pdf", "/tai-ve/"))
    assert download.status_code == 200
    assert name.endswith(".pdf")
    reader = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    expected = book.in_year
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "SỔ THEO DÕI HỒ SƠ" in first
    assert expected[0].code in first
    assert str(len(expected)) in last
    assert f"Trang {len(reader.pages)}" in last
    assert len(reader.pages) > VOLUME // 50


def test_a_ready_book_is_offered_again_then_rebuilt_when_old(book: Book, settings: Any) -> None:
    client = as_user(book.reception)
    client.get(book.url("pdf"))
    tracking_book.job_save(book.unit, YEAR, "pdf", tracking_book.BookJob(
        state="ready", rows=3, ready_at=AT - datetime.timedelta(minutes=5), file="x.pdf"))  # fmt: skip
    before = queued_tasks()
    ready = client.get(book.url("pdf"))
    assert ready.status_code == 200
    assert "Lập lại với số liệu mới nhất" in ready.content.decode()
    settings.MOTCUA_TRACKING_BOOK_FRESH_MINUTES = 1
    assert client.get(book.url("pdf")).status_code == 202
    assert queued_tasks() == before + 1


def test_a_failed_build_says_so_and_offers_to_try_again(book: Book, monkeypatch: Any) -> None:
    client = as_user(book.reception)
    client.get(book.url("pdf"))

    def broken(*args: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setitem(tracking_book.WRITERS, "pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        tracking_book_task.call(unit_id=book.unit.pk, year=YEAR, fmt="pdf")
    page = client.get(book.url("pdf", "/trang-thai/")).content.decode()
    assert "Chưa lập được sổ theo dõi" in page
    assert "?lam-moi=1" in page
    assert client.get(book.url("pdf", "/tai-ve/")).status_code == 404


def test_small_books_stay_immediate_up_to_the_setting(staff: Staff, settings: Any) -> None:
    received(staff, "2026-03-02 09:00")
    received(staff, "2026-03-03 09:00")
    client = as_user(staff.reception)
    url = f"/can-bo/don-vi/{POLICE}/so-theo-doi/2026"
    assert client.get(f"{url}.xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
    settings.MOTCUA_TRACKING_BOOK_SYNC_ROWS = 1
    assert client.get(f"{url}.pdf").status_code == 202
    assert as_user(staff.outsider).get(f"{url}.pdf/trang-thai/").status_code == 403
    assert as_user(staff.outsider).get(f"{url}.pdf/tai-ve/").status_code == 403


def test_the_pdf_table_wraps_long_cells_and_repeats_its_header() -> None:
    from motcua.dossiers.pdf_table import TablePdf

    table = TablePdf(tracking_book.COLUMNS, "SỔ THEO DÕI HỒ SƠ", "Đơn vị thử — năm 2026")
    long_name = "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu " * 3  # fmt: skip
    for number in range(1, 121):
        table.add([number, f"H01.99.01-260302-{number:04d}", long_name, 1, "Nguyễn Văn Ánh",
                   "001090012345", "Ủy ban nhân dân phường", "02/03/2026 09:00", "", "", "", "Đang xử lý", ""])  # fmt: skip
    out = io.BytesIO()
    table.write(out)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == table.pages > 3
    for page in reader.pages:
        assert "Tên thủ tục hành chính" in page.extract_text()  # the header on every page
    text = reader.pages[0].extract_text()
    assert re.search(r"H01\.99\.01-\s?260302-\s?0001", text)  # broken after a hyphen, if at all
    assert "…" in text  # a cell longer than six lines ends with an ellipsis
    assert "Nguyễn Văn Ánh" in text
