"""axe-core finds no serious or critical WCAG 2.1 A/AA problem on the citizen-facing pages, at
1280 px and on a 360 px phone, and no page scrolls sideways on the phone.

To check another page, add a `PortalPage` to PAGES: `prepare` fills in a form or follows a link
first, `signed_in=True` visits as the demo citizen, `needs_dossier=True` first has a dossier
received at the counter for the demo citizen (its code is `visit.dossier_code`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .axe import assert_accessible, assert_no_horizontal_scroll, missing_reason, run_axe
from .citizen import claim_with_code

AXE_MISSING = missing_reason()
if AXE_MISSING:
    print(f"\n!!! ACCESSIBILITY CHECKS SKIPPED: {AXE_MISSING}", file=sys.stderr)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(AXE_MISSING is not None, reason=AXE_MISSING or ""),
]

CITIZEN = ("001090012345", "MotCua@2026")
CITIZEN_PHONE = "0912345678"
COUNTER_OFFICER = "ca-hoankiem.tiepnhan"


@dataclass(frozen=True)
class Visit:
    viewport: str
    dossier_code: str | None = None


def submit(page: Any) -> None:
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def sign_in(page: Any, live_app: str, username: str, password: str) -> None:
    page.goto(live_app + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page)
    assert "/dang-nhap/" not in page.url, f"{username} could not sign in"


def wrong_lookup(page: Any, visit: Visit) -> None:
    # a different code per run: the lookup allows only a few wrong tries per code
    page.fill("#code", f"H26.A11Y-{visit.viewport}-0000")
    page.fill("#digits", "0000")
    submit(page)


def lookup_the_dossier(page: Any, visit: Visit) -> None:
    page.fill("#code", visit.dossier_code or "")
    page.fill("#digits", CITIZEN[0][-4:])
    submit(page)
    assert page.locator(".timeline").count() == 1, "the lookup did not find the dossier"


def wrong_password(page: Any, visit: Visit) -> None:
    # one wrong try on a throwaway name: django-axes locks a name+address after 5
    page.fill("#id_username", f"a11y-khong-co-{visit.viewport}")
    page.fill("#id_password", "sai-mat-khau")
    submit(page)


def empty_form(page: Any, visit: Visit) -> None:
    submit(page)


def open_first_dossier(page: Any, visit: Visit) -> None:
    page.locator(".my-dossiers a").first.click()
    page.wait_for_url("**/ho-so-cua-toi/*/")


def send_empty_submission(page: Any, visit: Visit) -> None:
    """The one-page submission sent with nothing chosen: the place and the child are missing."""
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ").click()


def refused_upload(page: Any, visit: Visit) -> None:
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "giay-to.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu nháp").click()


@dataclass(frozen=True)
class PortalPage:
    name: str
    path: str
    signed_in: bool = False
    needs_dossier: bool = False
    # runs after the page loads, e.g. to submit a form and show its errors
    prepare: Callable[[Any, Visit], None] | None = None
    expect_error: bool = False  # after `prepare`, an error summary must be on the page
    # a page still being built: skip (with this reason) while it answers 404
    skip_if_missing: str | None = None


PAGES = [
    PortalPage("home", "/"),
    PortalPage("search", "/thu-tuc/?q=dang+ky+khai+sinh"),
    PortalPage(
        "search-did-you-mean", "/thu-tuc/?q=%C6%A0+nha+thue+co+nhap+khau+duoc+khong+thuong+chu"
    ),
    PortalPage("procedure", "/thu-tuc/1.001193/"),
    PortalPage("fields", "/thu-tuc/linh-vuc/"),
    PortalPage("lookup", "/tra-cuu/"),
    PortalPage("lookup-error", "/tra-cuu/", prepare=wrong_lookup, expect_error=True),
    PortalPage("lookup-found", "/tra-cuu/", needs_dossier=True, prepare=lookup_the_dossier),
    PortalPage("sign-up", "/dang-ky/"),
    PortalPage("sign-up-errors", "/dang-ky/", prepare=empty_form, expect_error=True),
    PortalPage(
        "business-sign-up",
        "/dang-ky/doanh-nghiep/",
        skip_if_missing="business sign-up (/dang-ky/doanh-nghiep/) is not built yet: 404",
    ),
    PortalPage("login", "/dang-nhap/"),
    PortalPage("login-error", "/dang-nhap/", prepare=wrong_password, expect_error=True),
    PortalPage("my-dossiers", "/ho-so-cua-toi/", signed_in=True, needs_dossier=True),
    PortalPage(
        "my-dossier",
        "/ho-so-cua-toi/",
        signed_in=True,
        needs_dossier=True,
        prepare=open_first_dossier,
    ),
    PortalPage("calendar", "/lich-lam-viec/2026/"),
    PortalPage("online-start", "/nop-truc-tuyen/1.001193/", signed_in=True),
    PortalPage("online-start-visitor", "/nop-truc-tuyen/1.001193/"),
    PortalPage("bundle-form", "/nop-lien-thong/birth/", signed_in=True),
    PortalPage(
        "online-page-errors",
        "/nop-truc-tuyen/1.001193/",
        signed_in=True,
        prepare=send_empty_submission,
        expect_error=True,
    ),
    PortalPage(
        "online-upload-refused",
        "/nop-truc-tuyen/1.001193/",
        signed_in=True,
        prepare=refused_upload,
        expect_error=True,
    ),
]
VIEWPORTS = {"desktop": ("page", 1280), "phone": ("phone", 360)}


@pytest.fixture(scope="module")
def citizen_cookies(browser: Any, live_app: str) -> list[dict[str, Any]]:
    """Sign the demo citizen in once; tests that need it reuse the session cookie."""
    context = browser.new_context(locale="vi-VN")
    try:
        sign_in(context.new_page(), live_app, *CITIZEN)
        cookies: list[dict[str, Any]] = context.cookies()
        return cookies
    finally:
        context.close()


@pytest.fixture(scope="module")
def citizen_dossier(
    browser: Any, live_app: str, live_var: Path, citizen_cookies: list[dict[str, Any]]
) -> str:
    """A dossier received at the counter with the demo citizen's ID number and phone, which the
    citizen then adds to their account with the code sent to that phone; returns its code."""
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        sign_in(page, live_app, COUNTER_OFFICER, CITIZEN[1])
        page.goto(live_app + "/can-bo/tiep-nhan/?procedure=1.004222")
        page.fill("#name", "Nguyễn Văn An")
        page.fill("#id_number", CITIZEN[0])
        page.fill("#phone", CITIZEN_PHONE)
        page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()
        page.wait_for_url("**/can-bo/ho-so/*/")
        found = re.search(r"H26\.\S+-\d{6}-\d{4}", page.locator("h1").inner_text())
        assert found, "the counter did not issue a dossier code"
    finally:
        context.close()
    context = browser.new_context(locale="vi-VN")
    try:
        context.add_cookies(citizen_cookies)
        claim_with_code(context.new_page(), live_app, live_var, CITIZEN_PHONE)
    finally:
        context.close()
    return found.group(0)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_portal_page_is_accessible(
    spec: PortalPage, viewport: str, request: pytest.FixtureRequest, live_app: str
) -> None:
    fixture, width = VIEWPORTS[viewport]
    page = request.getfixturevalue(fixture)
    code = request.getfixturevalue("citizen_dossier") if spec.needs_dossier else None
    visit = Visit(viewport, code)
    if spec.signed_in:
        page.context.add_cookies(request.getfixturevalue("citizen_cookies"))
    response = page.goto(live_app + spec.path)
    if spec.skip_if_missing and response.status == 404:
        pytest.skip(spec.skip_if_missing)
    assert response.ok, f"{spec.path} answered {response.status}"
    if spec.signed_in:
        assert "/dang-nhap/" not in page.url, f"{spec.path} sent the signed-in citizen to log in"
    if spec.prepare:
        spec.prepare(page, visit)
    if spec.expect_error:
        assert page.locator(".error-summary").count() == 1, f"{spec.name}: no error shown"

    assert_accessible(page, f"{spec.name}-{viewport}")
    if width <= 360:
        assert_no_horizontal_scroll(page, width)


BROKEN_PAGE = """<!DOCTYPE html><html lang="vi"><head><title>Hỏng</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><p style="color:#aaa">Chữ mờ</p><img src="data:,">
<div class="too-wide" style="width:900px">Quá rộng</div></main></body></html>"""


def test_the_checks_catch_a_broken_page(phone: Any) -> None:
    """The checks themselves work: faint text, an image without text, a page wider than a phone."""
    phone.set_content(BROKEN_PAGE)
    found = {violation["id"] for violation in run_axe(phone, "self-test")}
    assert {"color-contrast", "image-alt"} <= found
    with pytest.raises(AssertionError, match="too-wide"):
        assert_no_horizontal_scroll(phone, 360)
