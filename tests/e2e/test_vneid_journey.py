"""VNeID sign-in in real Chromium: a citizen leaves a page that needs an account, signs in on the
sandbox provider's page (authorization code, PKCE, state, nonce) and lands back where they were,
verified; an account made with a password sees no registry data on the submission page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.signin import password_sign_in

from .conftest import ARTIFACTS, PREPARED, copy_prepared, served, server_env
from .officer import PASSWORD

pytestmark = pytest.mark.e2e
CLIENT_ID, CLIENT_SECRET = "motcua-e2e", "e2e-oidc-secret"
FORM = "/thu-tuc/1.001193/"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"vneid-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def provider() -> Iterator[Any]:
    from motcua.integrations.oidc.sandbox import OidcSandbox

    sandbox = OidcSandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[])
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def vneid_app(
    live_app: str, provider: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server on a copy of the demo data, with VNeID sign-in through the sandbox provider."""
    var = tmp_path_factory.mktemp("e2e-vneid")
    copy_prepared(PREPARED["var"], var)
    env = server_env(
        var, MOTCUA_VNEID_ISSUER=provider.url, MOTCUA_VNEID_CLIENT_ID=CLIENT_ID,
        MOTCUA_VNEID_CLIENT_SECRET=CLIENT_SECRET,
    )  # fmt: skip
    with served(env, workers=2) as url:
        provider.redirect_uris.append(f"{url}/dang-nhap/vneid/ve/")
        yield url


def open_form(page: Any, app: str) -> None:
    page.goto(app + FORM)
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()


def test_a_citizen_signs_in_with_vneid_and_lands_back(
    page: Any, vneid_app: str, provider: Any
) -> None:
    page.goto(vneid_app + "/ho-so-cua-toi/")
    assert "/dang-nhap/?next=" in page.url  # the page needs an account
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url(f"{provider.url}/authorize?**")
    assert "code_challenge_method=S256" in page.url
    shot(page, "provider")
    page.get_by_role("button", name="Trần Thị Bình").click()
    page.wait_for_url(f"{vneid_app}/ho-so-cua-toi/")
    assert page.get_by_role("button", name="Đăng xuất").count() == 1  # signed in
    open_form(page, vneid_app)
    panel = page.locator("#registry-data")
    assert "001195006789" in panel.inner_text()
    assert "25/07/1995" in panel.inner_text()
    assert page.locator("#registry-data-unavailable").count() == 0
    shot(page, "verified-form")


def test_an_unverified_account_sees_no_registry_data(page: Any, vneid_app: str) -> None:
    password_sign_in(page, vneid_app, "001090012345", PASSWORD)  # a demo citizen, with a password
    assert "/dang-nhap/" not in page.url
    open_form(page, vneid_app)
    assert page.locator("#registry-data").count() == 0
    notice = page.locator("#registry-data-unavailable")
    assert "chưa được xác thực định danh" in notice.inner_text()
    assert "001090012345" not in page.locator("#registry-data-unavailable").inner_text()
    shot(page, "unverified-form")


def test_a_wrong_state_in_the_browser_gives_a_message(page: Any, vneid_app: str) -> None:
    page.context.clear_cookies()
    page.goto(vneid_app + "/dang-nhap/vneid/ve/?code=forged&state=forged")
    assert "/dang-nhap/" in page.url
    assert "Phiên đăng nhập VNeID không khớp" in page.content()
