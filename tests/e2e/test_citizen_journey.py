"""A citizen's online birth registration, from sign-up to the rated result, in real Chromium.

The citizen registers, finds "đăng ký khai sinh" by typing without accents, submits online with an
attachment; ward officers receive it and ask for a supplement; the citizen answers; the result
is returned electronically; the citizen downloads it and rates the service. Then anyone holding
the receipt looks the dossier up by its code.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from tests.files import tiny_pdf

from .axe import assert_accessible
from .citizen import Citizen, citizen_sign_in, register
from .conftest import ARTIFACTS
from .test_dossier_journey import act, shot, sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Khaisinh@2026!"
ID_NUMBER = "001195004321"
MAI = Citizen("Trần Thị Mai", ID_NUMBER, "0987654321", "mai@example.vn", PASSWORD)
PDF = tiny_pdf()


def find_birth_registration(page: Any, live_app: str) -> None:
    page.goto(live_app + "/thu-tuc/")
    page.fill("#q", "dang ky khai sinh")
    first = page.locator("#results a").first
    first.wait_for()
    assert "khai sinh" in first.inner_text().lower()
    shot(page, "citizen-1-search")
    page.locator("#results a", has_text=re.compile("Thủ tục đăng ký khai sinh$")).first.click()
    page.wait_for_url("**/thu-tuc/1.001193/")


def submit_online(page: Any) -> str:
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    assert page.input_value("#f-nguoi_yeu_cau-so_dinh_danh") == ID_NUMBER  # prefilled
    assert page.input_value("#f-me-so_dinh_danh") == ID_NUMBER  # she is the mother
    page.get_by_role("button", name="Nộp hồ sơ").click()
    assert page.locator(".error-summary").count() == 1  # the place and the child are missing
    shot(page, "citizen-2-form-errors")
    page.select_option("#unit", label="Phường Hoàn Kiếm")
    page.fill("#f-tre-ho_ten", "Trần Minh Khôi")
    page.select_option("#f-tre-gioi_tinh", "Nam")
    page.fill("#f-tre-ngay_sinh", "20/11/2026")
    page.fill("#f-tre-noi_sinh", "Bệnh viện Phụ sản Hà Nội")
    item = page.locator("li.checklist-item", has_text="Giấy chứng sinh").first
    item.locator("input[type=file]").set_input_files(
        files=[{"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot(page, "citizen-3-filled")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ho-so-cua-toi/*/")
    assert "Đã nộp, đang chờ tiếp nhận" in page.content()
    assert "giay-chung-sinh.pdf" in page.content()
    shot(page, "citizen-5-submitted")
    return str(page.url)


def officer_dossier_url(page: Any, live_app: str) -> str:
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/ho-so/?q=" + ID_NUMBER)
    page.get_by_role("link", name=re.compile("Trần Thị Mai|HS")).first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    return str(page.url)


def attach_result(page: Any) -> None:
    page.select_option("#doc-kind", "result")
    page.fill("#doc-name", "Giấy khai sinh (bản điện tử)")
    page.set_input_files(
        "#doc-file",
        files=[{"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Đính kèm").click()


def test_online_birth_registration_from_sign_up_to_rating(page: Any, live_app: str) -> None:
    register(page, live_app, MAI)
    find_birth_registration(page, live_app)
    citizen_url = submit_online(page)

    dossier_url = officer_dossier_url(page, live_app)
    act(page, "receive")
    code = re.search(r"H26\.\d+-\d{6}-\d{4}", page.locator("h1").inner_text()).group(0)
    act(page, "request_supplement", {"items": "Giấy chứng sinh chụp rõ nét, đủ 4 góc"})
    shot(page, "citizen-6-officer-asks-supplement")

    citizen_sign_in(page, live_app, MAI)
    page.goto(citizen_url)
    assert "Giấy chứng sinh chụp rõ nét, đủ 4 góc" in page.content()
    assert_accessible(page, "journey-supplement-asked")
    page.get_by_role("link", name="Gửi giấy tờ bổ sung").click()
    assert_accessible(page, "journey-supplement-form")
    page.set_input_files(
        "#item-0", files=[{"name": "ro-net.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    page.wait_for_url(citizen_url)
    assert "Đã gửi giấy tờ bổ sung" in page.content()
    receipt_link = page.get_by_role("link", name=re.compile("Mẫu số 01"))
    receipt = page.request.get(live_app + receipt_link.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "citizen-receipt.pdf").write_bytes(receipt.body())
    shot(page, "citizen-7-supplement-sent")

    # The specialist hands it to the signing step; the leader signs (a result ready at once).
    for who, action, fields in [
        ("hoankiem.chuyenvien", "forward", {}),
        ("hoankiem.lanhdao", "approve", {"reason": "Đồng ý đăng ký khai sinh"}),
    ]:
        sign_in(page, live_app, who)
        page.goto(dossier_url)
        act(page, action, fields)
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(dossier_url)
    attach_result(page)
    act(page, "return_result")
    assert "Đã trả kết quả" in page.content()

    citizen_sign_in(page, live_app, MAI)
    page.goto(citizen_url)
    assert "Đã trả kết quả" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Giấy khai sinh")).click()
    assert download.value.path().read_bytes() == PDF
    shot(page, "citizen-8-result")
    assert_accessible(page, "journey-result")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    assert_accessible(page, "journey-rating-form")
    for fieldset in page.locator("fieldset.rating-question").all():
        fieldset.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name=re.compile("Gửi đánh giá")).click()
    page.wait_for_url(citizen_url)
    assert "Bạn đã đánh giá hồ sơ này" in page.content()
    shot(page, "citizen-9-rated")

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
    assert code in text.replace("\n", "")
    page.context.clear_cookies()
    page.goto(f"{live_app}/tra-cuu/?ma={code}")
    page.fill("#digits", ID_NUMBER[-4:])
    with page.expect_navigation():
        page.get_by_role("button", name="Tra cứu").click()
    assert "Đã trả kết quả" in page.content()
    assert code in page.content()
    shot(page, "citizen-10-public-lookup")
    assert_accessible(page, "journey-lookup-result")
