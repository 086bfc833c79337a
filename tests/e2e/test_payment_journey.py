"""Paying a fee online, in Chromium (issue 16 acceptance): the office asks the fee of 1.004222
(10.000 đ online); the citizen pays it in the sandbox gateway, comes back to a paid dossier and
downloads the e-receipt; a payment declined at the gateway leaves the dossier waiting, with a
clear message. The sandbox is a real HTTP server; its signed callback reaches our server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTIFACTS, PREPARED, copy_prepared, served, server_env
from .test_bundle_journey import citizen_sign_in

pytestmark = pytest.mark.e2e
TOKEN, SECRET = "e2e-merchant-token", "e2e-callback-secret"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"payment-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def gateway() -> Iterator[Any]:
    from motcua.integrations.payment.sandbox import PaymentSandbox

    sandbox = PaymentSandbox(token=TOKEN, secret=SECRET).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def paying_app(
    live_app: str, gateway: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[str]]]:
    """A server on a copy of the demo data, taking payments through the sandbox gateway, and
    two dossiers waiting for their fee."""
    var = tmp_path_factory.mktemp("e2e-payments")
    copy_prepared(PREPARED["var"], var)
    env = server_env(
        var, MOTCUA_PAYMENT_URL=gateway.url, MOTCUA_PAYMENT_TOKEN=TOKEN,
        MOTCUA_PAYMENT_SECRET=SECRET,
    )  # fmt: skip
    script = Path(__file__).with_name("prepare_payment.py")
    made = subprocess.run(
        [sys.executable, str(script)], env=env, check=True, capture_output=True, text=True
    )
    refs = made.stdout.split()
    assert len(refs) == 2, made.stderr
    with served(env, workers=2) as url:
        yield url, refs


def test_a_citizen_pays_the_fee_online_and_downloads_the_receipt(
    page: Any, paying_app: tuple[str, list[str]], gateway: Any
) -> None:
    app, (ref, _other) = paying_app
    citizen_sign_in(page, app)
    page.goto(f"{app}/ho-so-cua-toi/{ref}/")
    assert "10.000 đ" in page.locator("#payment-panel").inner_text()
    page.locator("#pay-online").click()
    page.wait_for_url(f"{gateway.url}/pay/**")
    assert page.locator("#gateway-amount").inner_text() == "10.000 đ"
    shot(page, "gateway")
    page.get_by_role("button", name="Thanh toán").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{ref}/")
    assert "Biên lai điện tử số" in page.content()
    assert any(c["answer"] == 200 for c in gateway.callbacks), gateway.callbacks
    link = page.locator("#payment-panel a.receipt-link")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    path = download.path()
    assert path is not None
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert download.suggested_filename.startswith("bien-lai-")
    assert "Chờ thực hiện nghĩa vụ tài chính" not in page.locator("#next-title").inner_text()
    shot(page, "paid")


def test_a_declined_payment_leaves_the_dossier_waiting_with_a_clear_message(
    page: Any, paying_app: tuple[str, list[str]], gateway: Any
) -> None:
    app, (_paid, ref) = paying_app
    citizen_sign_in(page, app)
    page.goto(f"{app}/ho-so-cua-toi/{ref}/")
    page.locator("#pay-online").click()
    page.wait_for_url(f"{gateway.url}/pay/**")
    page.get_by_role("button", name="Từ chối").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{ref}/")
    text = page.content()
    assert "Thanh toán không thành công" in text
    assert "Hồ sơ vẫn chờ bạn nộp phí" in text
    assert page.locator("#pay-online").count() == 1  # it can be paid again
    shot(page, "declined")
