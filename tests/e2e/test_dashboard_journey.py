"""The supervision dashboard in Chromium (issue 17, acceptance): the city supervisor
(``thanhpho.giamsat``) opens the dashboard, drills from the city to Phường Hoàn Kiếm, to one late
dossier and its timeline, and downloads the Excel report, which opens with openpyxl and holds the
figures the page shows. Screenshots go to the harness's artefact folder (not committed).

The late dossier is made as a legacy import makes one: a birth registration submitted and
received at the ward 60 days ago (the clock set back, the system acting)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from .axe import assert_accessible, assert_no_horizontal_scroll, missing_reason
from .conftest import ARTIFACTS, server_env
from .officer import sign_in

pytestmark = pytest.mark.e2e
LATE_AT_THE_WARD = """
import datetime
from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to, now
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.organizations.models import Unit
ward = Unit.objects.get(code="hn-phuong-hoan-kiem")
procedure = Procedure.objects.filter(code="1.001193").order_by("-in_hanoi_set").first()
at = now() - datetime.timedelta(days=60)
with clock_set_to(at):
    dossier = dossier_submit(procedure=procedure, receiving_unit=ward, channel="counter", at=at,
        applicant=Applicant("Trần Thị Mai", "001190054321"), actor=None)
    dossier = dossier_receive(dossier=dossier, actor=None, at=at)
assert dossier.due_at < now(), "the dossier should be late"
print(dossier.ref, dossier.code)
"""


def shot(page: Any, name: str) -> None:
    """A screenshot, and axe's WCAG 2.1 A/AA check where axe-core is installed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
    if missing_reason() is None:
        assert_accessible(page, f"dashboard-{name}")


def late_at_the_ward(live_var: Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "shell", "-c", LATE_AT_THE_WARD],
        env=server_env(live_var), check=True, capture_output=True, text=True,
    )  # fmt: skip
    ref, code = done.stdout.split()[-2:]
    return ref, code


def figure(page: Any, name: str) -> str:
    return str(page.locator(f'[data-figure="{name}"]').inner_text()).strip()


def as_number(text: str) -> float:
    """ "85,71 %" or "1.234" as the page writes them → 85.71, 1234."""
    return float(text.replace("%", "").strip().replace(".", "").replace(",", "."))


def test_the_city_supervisor_drills_to_a_late_dossier_and_downloads_the_report(
    page: Any, live_app: str, live_var: Path, tmp_path: Path
) -> None:
    ref, code = late_at_the_ward(live_var)
    sign_in(page, live_app, "thanhpho.giamsat")
    page.get_by_role("link", name="Bảng giám sát").click()
    page.wait_for_url("**/giam-sat/")
    assert "Toàn thành phố Hà Nội" in page.locator("h1").inner_text()
    assert page.locator("svg[role=img] title").count() >= 3
    shot(page, "1-city")

    page.locator("#table-units").get_by_role("link", name="Phường Hoàn Kiếm", exact=True).click()
    page.wait_for_url("**unit=hn-phuong-hoan-kiem**")
    assert "Phường Hoàn Kiếm" in page.locator("h1").inner_text()
    late = int(as_number(figure(page, "late")))
    assert late >= 1
    on_time, satisfaction = figure(page, "on-time"), figure(page, "satisfaction")
    shot(page, "2-ward")

    page.get_by_role("link", name="Xem danh sách hồ sơ trễ hạn").click()
    page.wait_for_url("**/giam-sat/tre-han/**")
    row = page.locator("#late-dossiers tr", has_text=code)
    assert row.count() == 1
    shot(page, "3-late-list")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/can-bo/dong-thoi-gian/{ref}/")
    assert code in page.content()
    shot(page, "4-timeline")

    page.go_back()
    page.go_back()
    page.wait_for_url("**unit=hn-phuong-hoan-kiem**")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải báo cáo Excel").click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Đơn vị: Phường Hoàn Kiếm"] is not None
    assert re.fullmatch(r"Kỳ báo cáo: Từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4}",
                        next(k for k in rows if str(k).startswith("Kỳ báo cáo")))  # fmt: skip
    assert rows["Số hồ sơ trễ hạn"][0] == late
    assert rows["Tỷ lệ hồ sơ giải quyết đúng hạn (2.1)"][0] == pytest.approx(as_number(on_time))
    assert rows["Mức độ hài lòng (5.4)"][0] == pytest.approx(as_number(satisfaction))
    assert code in rows
    shot(page, "5-downloaded")

    # On a phone the charts shrink with the page and the wide tables scroll inside themselves.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert_no_horizontal_scroll(page, 360)
    shot(page, "6-phone")
