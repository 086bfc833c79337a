"""A residence registration (1.004222) across two units, officer by officer, in Chromium.

The ward's one-stop receives it and the ward police (the competent body, "Công an cấp xã")
decide it from the start, with no transfer (issue 13): they ask the ward's justice officer for an
opinion, get the answer, their leader apologises for a delay and signs; the ward's counter hands
the result over. The receipt issued at the start
is byte-for-byte the same after the apology, and the control slip (Mẫu 06) lists every hand-over.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from typing import Any

import pytest

from .conftest import ARTIFACTS
from .officer import act, offered, sign_in

pytestmark = pytest.mark.e2e
WARD_CODE = re.compile(r"H26\.\d{5}-\d{6}-\d{4}")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inter-agency-{name}.png"), full_page=True)


def receipt_sha(page: Any, live_app: str) -> str:
    link = page.get_by_role("link", name=re.compile("Giấy tiếp nhận hồ sơ")).first
    body = page.request.get(live_app + link.get_attribute("href")).body()
    assert body.startswith(b"%PDF")
    return hashlib.sha256(body).hexdigest()


def test_ward_receives_police_decides_ward_returns(page: Any, live_app: str) -> None:
    # 1. The ward's counter receives the dossier and issues the receipt.
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/tiep-nhan/?procedure=1.004222")
    page.fill("#name", "Lê Văn Cường")
    page.fill("#id_number", "001090012345")
    page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    code = WARD_CODE.search(page.locator("h1").inner_text()).group(0)
    dossier_url = page.url
    before = receipt_sha(page, live_app)
    shot(page, "1-received-at-ward")

    # 2-4. The ward police decide it: their specialist has it and asks the ward's justice officer.
    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    shot(page, "2-at-the-police")
    act(page, "consult", {"reason": "Xin xác nhận nơi ở hợp pháp của ông Cường", "working_days": "2"},
        select={"to_unit": "Phường Hoàn Kiếm"})  # fmt: skip
    assert "forward" not in " ".join(offered(page)), "forwarding must wait for the answer"

    # 5. The ward's justice officer sees the question in their list and answers it.
    sign_in(page, live_app, "hoankiem.chuyenvien")
    page.goto(live_app + "/can-bo/ho-so/?tab=consultations")
    page.get_by_role("link", name=code).click()
    act(
        page,
        "answer_consultation",
        {"reason": "Xác nhận ông Cường ở hợp pháp tại địa chỉ đã khai."},
    )

    # 6. The specialist hands it to the leader's signing step.
    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    assert "Xác nhận ông Cường ở hợp pháp" in page.content()
    act(page, "forward", {"reason": "Đủ điều kiện, trình ký"})
    assert "approve" not in " ".join(offered(page)), "a specialist never signs"

    # 7. The police leader apologises for a delay (once, before the deadline), then signs.
    sign_in(page, live_app, "ca-hoankiem.lanhdao")
    page.goto(dossier_url)
    apologise_on_a_working_day(page)
    after = receipt_sha(page, live_app)
    assert after == before, "an issued receipt never changes"
    act(page, "approve", {"reason": "Đồng ý đăng ký thường trú"})
    shot(page, "3-signed")

    # 8. The ward's counter hands the result over; Mẫu 06 lists every hand-over.
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(dossier_url)
    act(page, "return_result")
    assert "Đã trả kết quả" in page.content()
    slip = page.request.get(
        live_app + page.get_by_role("link", name=re.compile("Mẫu số 06")).get_attribute("href")
    )
    text = pdf_text(slip.body())
    (ARTIFACTS / "inter-agency-control-slip.pdf").write_bytes(slip.body())
    hand_overs = [
        "Giao: Phường Hoàn Kiếm Nhận: Công an phường Hoàn Kiếm — Thẩm định hồ sơ",
        "Giao: Công an phường Hoàn Kiếm Nhận: Công an phường Hoàn Kiếm — Lãnh đạo ký",
        "Giao: Công an phường Hoàn Kiếm Nhận: Phường Hoàn Kiếm — Trả kết quả",
        "Lấy ý kiến: Phường Hoàn Kiếm",
    ]
    for expected in hand_overs:
        assert expected in text, (expected, text)
    shot(page, "4-returned")


def apologise_on_a_working_day(page: Any) -> None:
    """The new date must be a working day after the old one: try the next days until one is."""
    due = re.search(
        r"Hẹn trả: (\d\d:\d\d) (\d\d/\d\d/\d{4})", page.locator("#dossier-summary").inner_text()
    )
    day = datetime.datetime.strptime(due.group(2), "%d/%m/%Y").date()
    for offset in range(3, 15):
        candidate = day + datetime.timedelta(days=offset)
        form = page.locator("#action-apologize")
        form.locator("[name=reason]").fill("Cần thêm thời gian xác minh nơi ở")
        form.locator("[name=new_due]").fill(candidate.strftime("%d/%m/%Y"))
        with page.expect_navigation():  # the error is read on the page the POST leads to
            form.locator("button[type=submit]").click()
        if not page.locator(".message-error").count():
            return
    raise AssertionError("no working day accepted for the new appointment")


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())  # table cells wrap their words over lines
