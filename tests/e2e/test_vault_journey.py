"""Once-only, in real Chromium: a citizen who got a birth certificate through Một Cửa applies for
a second procedure that asks for it (re-registration of a birth, 1.004884) and is not asked to
upload it; the officer sees it as reused with its source; the citizen's page lists the use."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.files import tiny_pdf

from .citizen import Citizen, citizen_sign_in, register
from .test_dossier_journey import act, shot, sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Khaisinh@2026!"
ID_NUMBER = "001196007654"
THU = Citizen("Lê Thị Thu", ID_NUMBER, "0987001122", "thu@example.vn", PASSWORD)
PDF = tiny_pdf()
CERTIFICATE = tiny_pdf("Giay khai sinh")


def birth_registered_online(page: Any, live_app: str) -> str:
    """The first procedure: birth registration submitted online; its dossier page's URL."""
    page.goto(live_app + "/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("#unit", label="Phường Hoàn Kiếm")
    page.fill("#f-tre-ho_ten", "Lê Minh Châu")
    page.select_option("#f-tre-gioi_tinh", "Nữ")
    page.fill("#f-tre-ngay_sinh", "20/11/2026")
    page.fill("#f-tre-noi_sinh", "Bệnh viện Phụ sản Hà Nội")
    item = page.locator("li.checklist-item", has_text="Giấy chứng sinh").first
    item.locator("input[type=file]").set_input_files(
        files=[{"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ho-so-cua-toi/*/")
    return str(page.url)


def certificate_issued(page: Any, live_app: str) -> str:
    """The ward receives, appraises, signs and hands over the electronic birth certificate;
    the first dossier's code."""
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/ho-so/?q=" + ID_NUMBER)
    page.get_by_role("link", name=re.compile("Lê Thị Thu|HS")).first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    dossier_url = str(page.url)
    act(page, "receive")
    code = re.search(r"H26\.\d+-\d{6}-\d{4}", page.locator("h1").inner_text()).group(0)  # type: ignore[union-attr]
    for who, action, fields in [
        ("hoankiem.chuyenvien", "forward", {}),
        ("hoankiem.lanhdao", "approve", {"reason": "Đồng ý đăng ký khai sinh"}),
    ]:
        sign_in(page, live_app, who)
        page.goto(dossier_url)
        act(page, action, fields)
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(dossier_url)
    page.select_option("#doc-kind", "result")
    page.fill("#doc-name", "Giấy khai sinh (bản điện tử)")
    page.set_input_files(
        "#doc-file",
        files=[
            {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": CERTIFICATE}
        ],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Đính kèm").click()
    act(page, "return_result")
    assert "Đã trả kết quả" in page.content()
    return code


def test_a_birth_certificate_got_here_is_not_asked_for_again(page: Any, live_app: str) -> None:
    register(page, live_app, THU)
    birth_registered_online(page, live_app)
    first_code = certificate_issued(page, live_app)

    citizen_sign_in(page, live_app, THU)
    page.goto(live_app + "/kho-du-lieu/")
    assert "Giấy khai sinh" in page.locator("#vault-documents").inner_text()
    page.goto(live_app + "/thu-tuc/1.004884/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("#unit", label="Phường Hoàn Kiếm")
    item = page.locator("li.checklist-item", has_text="Bản sao Giấy khai sinh").first
    offer = item.locator(".stored-offer")
    assert "Đã có" in offer.inner_text()
    assert first_code in offer.inner_text()  # where it comes from
    page.check("#reuse_consent")
    shot(page, "vault-1-offered")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ho-so-cua-toi/*/")
    second_ref = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "giay-khai-sinh" not in page.content()  # nothing was uploaded for it

    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(f"{live_app}/can-bo/ho-so/{second_ref}/")
    reused = page.locator("#reused-components").inner_text()
    assert "Đã có" in reused
    assert first_code in reused
    shot(page, "vault-2-officer-sees-reuse")

    citizen_sign_in(page, live_app, THU)
    page.goto(live_app + "/kho-du-lieu/ai-da-dung/")
    uses = page.locator("#data-uses").inner_text()
    assert second_ref in uses
    assert "Giấy khai sinh" in uses
    shot(page, "vault-3-who-used-my-data")
