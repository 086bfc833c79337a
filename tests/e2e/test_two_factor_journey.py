"""An officer turns on two-step verification and signs in with it, in Chromium.

The demo server runs without the two-factor requirement (the embedded default), so this journey
starts a second server on the same prepared data with ``MOTCUA_REQUIRE_OFFICER_2FA=true``. The
officer reads the secret off the enrolment page as a person typing it into an app would; the test
computes the codes from it with django-otp's TOTP, never a fixed code.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import TOTP

from tests.e2e.signin import password_sign_in

from .axe import assert_accessible
from .conftest import ARTIFACTS, PREPARED, served, server_env
from .officer import PASSWORD

pytestmark = pytest.mark.e2e
OFFICER = "stp.lanhdao"  # used by no other journey: enrolling it disturbs nobody


@pytest.fixture(scope="module")
def live_app_2fa(live_app: str) -> Iterator[str]:
    """A second server on the prepared data, with two-step sign-in required."""
    with served(server_env(PREPARED["var"], MOTCUA_REQUIRE_OFFICER_2FA="true"), workers=1) as url:
        yield url


def code_from(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def away_from_step_edge(margin: float = 5.0) -> None:
    """Wait for the next 30-second step when this one ends within ``margin`` seconds. A code
    checked by the server in the step after the one it was made in is accepted with a drift of
    one step, which django-otp then keeps for the device: the code of "a step ahead" asked
    later in the journey would then fall outside the window it accepts (a rare failure in CI)."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.1)


def password_step(page: Any, url: str) -> None:
    password_sign_in(page, url, OFFICER, PASSWORD)


def sign_out(page: Any, url: str) -> None:
    page.get_by_role("button", name="Đăng xuất").first.click()
    page.wait_for_url(url + "/")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"two-factor-{name}.png"), full_page=True)


def test_an_officer_enrols_then_signs_in_with_a_code(page: Any, live_app_2fa: str) -> None:
    # 1. After the password, an officer without an authenticator is sent to set one up.
    password_step(page, live_app_2fa)
    page.wait_for_url("**/xac-thuc-hai-buoc/dang-ky/**")
    assert page.locator("figure.otp-qr svg").is_visible()
    secret = page.locator("#otp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    shot(page, "enrol")
    assert_accessible(page, "two-factor-enrol")

    # 2. The code the app shows turns it on; ten recovery codes are shown once.
    away_from_step_edge()
    page.fill("#id_otp_token", code_from(secret))
    page.get_by_role("button", name="Xác nhận và bật xác thực hai bước").click()
    page.wait_for_url("**/xac-thuc-hai-buoc/ma-du-phong/**")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "recovery-codes")
    assert_accessible(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    page.wait_for_url("**/can-bo/")

    # 3. Next sign-in: password, then a wrong code is refused and a fresh one lets them in.
    sign_out(page, live_app_2fa)
    password_step(page, live_app_2fa)
    page.wait_for_url("**/xac-thuc-hai-buoc/?next=**")
    assert "Xác thực hai bước" in page.locator("h1").inner_text()
    page.goto(live_app_2fa + "/can-bo/")  # the workspace stays closed until the code is in
    page.wait_for_url("**/xac-thuc-hai-buoc/?next=**")
    near = {code_from(secret, offset) for offset in range(-2, 4)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)
    page.fill("#id_otp_token", wrong)
    page.get_by_role("button", name="Xác nhận").click()
    assert "Mã xác thực không đúng" in page.locator("main").inner_text()
    assert_accessible(page, "two-factor-verify-error")
    # django-otp's throttle makes the next try wait 1 s after one wrong code.
    time.sleep(1.5)
    page.fill("#id_otp_token", code_from(secret, 1))  # a step after the enrolment code
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/can-bo/")
    shot(page, "signed-in")

    # 4. Without the phone: a recovery code, once.
    sign_out(page, live_app_2fa)
    password_step(page, live_app_2fa)
    page.wait_for_url("**/xac-thuc-hai-buoc/?next=**")
    page.fill("#id_otp_token", codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/can-bo/")
    assert "còn lại 9 mã" in page.locator(".messages").inner_text()
