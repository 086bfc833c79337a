"""The impostor scenario, in Chromium: someone signs up with another person's ID number.

The counter receives a dossier for Lê Thị Hoa, recording her phone. An impostor registers her ID
number first: the portal lists none of her dossiers, serves none of her files and sends the code
only to her phone. Hoa then signs up, finds her ID number taken, proves it with the code, and
sees her dossier; the impostor's account is closed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .citizen import enter_code, send_code_to, sms_code
from .conftest import ARTIFACTS
from .officer import sign_in

pytestmark = pytest.mark.e2e

HOA_ID = "001301004567"
HOA_PHONE = "0977000111"
PASSWORD = "Hoa-MotCua-2026"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"proof-{name}.png"), full_page=True)


def counter_receives_hoas_dossier(page: Any, live_app: str) -> tuple[str, str]:
    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/tiep-nhan/?procedure=1.004222")
    page.fill("#name", "Lê Thị Hoa")
    page.fill("#id_number", HOA_ID)
    page.fill("#phone", HOA_PHONE)
    page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    found = re.search(r"H26\.\S+-\d{6}-\d{4}", page.locator("h1").inner_text())
    assert found, "the counter did not issue a dossier code"
    ref = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.context.clear_cookies()
    return found.group(0), ref


def sign_up(page: Any, live_app: str, phone: str) -> None:
    page.goto(live_app + "/dang-ky/")
    page.fill("#id_full_name", "Lê Thị Hoa")
    page.fill("#id_id_number", HOA_ID)
    page.fill("#id_phone", phone)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo tài khoản").click()


def test_an_impostor_sees_nothing_and_the_applicant_proves_with_the_code(
    browser: Any, live_app: str, live_var: Path
) -> None:
    officer = browser.new_context(locale="vi-VN").new_page()
    code, ref = counter_receives_hoas_dossier(officer, live_app)

    impostor = browser.new_context(locale="vi-VN").new_page()
    sign_up(impostor, live_app, phone="0911999888")
    impostor.goto(live_app + "/ho-so-cua-toi/")
    assert code not in impostor.content()
    shot(impostor, "1-impostor-sees-nothing")
    for path in (f"/ho-so-cua-toi/{ref}/", f"/ho-so-cua-toi/{ref}/mau/tiep-nhan.pdf"):
        assert impostor.request.get(live_app + path).status == 404, path
    impostor.get_by_role("link", name="Thêm hồ sơ nộp tại quầy").click()
    assert HOA_PHONE not in impostor.content()  # only masked
    sent_after = send_code_to(impostor, HOA_PHONE)
    sms_code(live_var, HOA_PHONE, sent_after)  # the code went to Hoa's phone, not the impostor
    enter_code(impostor, "000000")
    assert "Mã xác nhận không đúng" in impostor.content()
    shot(impostor, "2-impostor-wrong-code")

    hoa = browser.new_context(locale="vi-VN").new_page()
    sign_up(hoa, live_app, phone=HOA_PHONE)
    assert "Số định danh này đã có tài khoản" in hoa.content()
    shot(hoa, "3-id-number-taken")
    sent_after = send_code_to(hoa, HOA_PHONE)
    enter_code(hoa, sms_code(live_var, HOA_PHONE, sent_after))
    assert hoa.url.endswith("/ho-so-cua-toi/"), hoa.url
    assert code in hoa.content()
    shot(hoa, "4-applicant-sees-her-dossier")
    receipt = hoa.request.get(live_app + f"/ho-so-cua-toi/{ref}/mau/tiep-nhan.pdf")
    assert receipt.status == 200
    assert receipt.body().startswith(b"%PDF")

    impostor.goto(live_app + "/ho-so-cua-toi/")
    assert "/dang-nhap/" in impostor.url  # the impostor's account was closed
