"""Citizen feedback in Chromium (issue 17, acceptance): a citizen sends feedback about his late
dossier, the unit's leader answers within the deadline and publishes, and the answer appears on
the public page without the citizen's personal data.

The late dossier is made the way a legacy import makes one: submitted and received through the
dossier services 60 days ago (the clock set back, the system acting), for the demo citizen
Nguyễn Văn An at the ward police of Hoàn Kiếm, so that its appointment has long passed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.files import tiny_pdf

from .conftest import ARTIFACTS, server_env
from .officer import PASSWORD, sign_in
from .signin import password_sign_in

pytestmark = pytest.mark.e2e
AN = {"id": "001090012345", "name": "Nguyễn Văn An", "phone": "0912345678",
      "email": "an.nguyen@example.com", "street": "12 Hàng Bạc"}  # fmt: skip
PDF = tiny_pdf()
LATE_DOSSIER = """
import datetime
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to, now
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.organizations.models import Unit
from tests.files import tiny_pdf
an = User.objects.get(username="001090012345")
unit = Unit.objects.get(code="hn-cong-an-phuong-hoan-kiem")
procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
at = now() - datetime.timedelta(days=60)
with clock_set_to(at):
    dossier = dossier_submit(procedure=procedure, receiving_unit=unit,
        applicant=Applicant("Nguyễn Văn An", "001090012345"), channel="counter", at=at,
        actor=None, owner=an)
    dossier = dossier_receive(dossier=dossier, actor=None, at=at)
assert dossier.due_at < now(), "the dossier should be late"
print(dossier.ref, dossier.code)
"""


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"feedback-{name}.png"), full_page=True)


def late_dossier(live_var: Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "shell", "-c", LATE_DOSSIER],
        env=server_env(live_var), check=True, capture_output=True, text=True,
    )  # fmt: skip
    ref, code = done.stdout.split()[-2:]
    return ref, code


def citizen_sign_in(page: Any, app: str) -> None:
    password_sign_in(page, app, AN["id"], PASSWORD)


def test_feedback_about_a_late_dossier_is_answered_and_published_without_personal_data(
    page: Any, live_app: str, live_var: Path
) -> None:
    ref, code = late_dossier(live_var)

    # The citizen sends feedback about his late dossier, with a scan of his receipt.
    citizen_sign_in(page, live_app)
    page.goto(live_app + "/phan-anh/gui/")
    page.check("input[name=subject][value=dossier]")
    page.select_option("#id_dossier", value=ref)
    page.fill("#id_title", "Hồ sơ đăng ký thường trú trễ hạn")
    page.fill(
        "#id_question",
        f"Tôi là {AN['name']}, CCCD {AN['id']}, điện thoại {AN['phone']}, email {AN['email']}, "
        f"địa chỉ: {AN['street']}, phường Hoàn Kiếm. Hồ sơ {code} đã quá hẹn trả nhiều ngày "
        "mà chưa có kết quả.",
    )
    page.set_input_files(
        "#attachments",
        files=[{"name": "giay-hen.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shot(page, "1-citizen-writes")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url("**/phan-anh/cua-toi/PA-*/")
    assert "Đã gửi phản ánh, kiến nghị" in page.content()
    feedback_code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "Công an phường Hoàn Kiếm" in page.locator("dl.facts").inner_text()
    shot(page, "2-citizen-sent")

    # The ward police's leader sees it in the unit's list with its deadline, and answers.
    sign_in(page, live_app, "ca-hoankiem.lanhdao")
    page.goto(live_app + "/can-bo/phan-anh/")
    row = page.locator("#feedback-list tr", has_text=feedback_code)
    assert "Trả lời trước" in row.inner_text()
    assert "quá hạn" not in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=feedback_code).click()
    assert "giay-hen.pdf" in page.content()
    page.fill(
        "#answer-text",
        f"Kính gửi ông {AN['name']}: Công an phường xin lỗi vì hồ sơ trễ hạn. Hồ sơ đã được "
        f"giải quyết; kết quả gửi về số {AN['phone']}.",
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi trả lời").click()
    assert "Đã ghi nội dung trả lời" in page.content()
    preview = page.locator("#publish-preview").inner_text()
    for secret in (AN["name"], AN["id"], AN["phone"], AN["email"], AN["street"], code):
        assert secret not in preview, secret
    shot(page, "3-officer-answered")
    with page.expect_navigation():
        page.get_by_role("button", name="Công khai").click()
    assert "Đã công khai kết quả trả lời" in page.content()
    history = page.content()
    assert "Trả lời" in history
    assert "Công khai kết quả trả lời" in history

    # Anyone finds it on the public page, typed without accents; no personal data is shown.
    page.context.clear_cookies()
    page.goto(live_app + "/phan-anh/")
    page.fill("#feedback-q", "thuong tru tre han")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm").click()
    public = page.locator("#feedback-public").inner_text()
    assert "Hồ sơ đăng ký thường trú trễ hạn" in public
    assert "Công an phường xin lỗi vì hồ sơ trễ hạn" in public
    for secret in (AN["name"], AN["id"], AN["phone"], AN["email"], AN["street"], code):
        assert secret not in page.content(), secret
    shot(page, "4-public-answer")
