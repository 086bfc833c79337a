"""A paper dossier for 1.004222 from the counter to the returned result, officer by officer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
PASSWORD = "MotCua@2026"


def sign_in(page: Any, live_app: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_app + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/can-bo/")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def act(page: Any, label: Any, fields: dict[str, str] | None = None) -> None:
    form = page.locator("form.action-form").filter(has=page.get_by_role("button", name=label))
    for selector, value in (fields or {}).items():
        form.locator(selector).fill(value)
    form.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert page.locator(".message-error").count() == 0, page.locator(
        ".message-error"
    ).all_inner_texts()


def test_counter_to_returned_result(page: Any, live_app: str) -> None:
    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/tiep-nhan/?procedure=1.004222")
    page.fill("#name", "Lê Văn Cường")
    page.fill("#id_number", "001090012345")
    page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    heading = page.locator("h1").inner_text()
    code = re.search(r"H26\.CA00070-\d{6}-\d{4}", heading).group(0)
    dossier_url = page.url
    shot(page, "1-received")

    receipt_link = page.get_by_role("link", name=re.compile("Mẫu số 01")).get_attribute("href")
    receipt = page.request.get(live_app + receipt_link)
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    (ARTIFACTS / "journey-receipt.pdf").write_bytes(receipt.body())

    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    act(page, "Yêu cầu bổ sung", {"textarea": "Giấy tờ chứng minh chỗ ở hợp pháp"})
    assert "Chờ bổ sung hồ sơ" in page.content()
    shot(page, "2-supplement-requested")

    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(dossier_url)
    act(page, "Nộp bổ sung")
    shot(page, "3-supplement-arrived")

    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    act(page, "Chuyển bước")
    sign_in(page, live_app, "ca-hoankiem.lanhdao")
    page.goto(dossier_url)
    act(page, "Phê duyệt")
    shot(page, "4-approved")

    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    act(page, "Có kết quả")
    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(dossier_url)
    act(page, "Trả kết quả")
    assert "Đã trả kết quả" in page.content()
    assert code in page.content()
    shot(page, "5-returned")
