"""A person finds a procedure with the keyboard only, and reads it on a 360 px phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .officer import sign_in

pytestmark = pytest.mark.e2e


def tab_until(page: Any, predicate: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"keyboard focus never reached: {predicate}")


def test_keyboard_only_search_from_the_home_page(page: Any, live_app: str) -> None:
    page.goto(live_app + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    tab_until(page, "document.activeElement.id === 'home-q'")
    page.keyboard.type("dang ky khai sinh")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=*")
    first = page.locator(".result-title").first
    assert first.inner_text() == "Thủ tục đăng ký khai sinh"
    tab_until(page, "document.activeElement.classList.contains('result-title')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.locator("h1").inner_text() == "Thủ tục đăng ký khai sinh"


def test_live_search_updates_results_as_one_types(page: Any, live_app: str) -> None:
    page.goto(live_app + "/thu-tuc/")
    page.fill("#q", "nhập hộ khẩu")
    # A locator, not a string predicate: the CSP forbids the page to evaluate strings.
    expect(page.locator(".result-title").first).to_have_text("Đăng ký thường trú")
    assert "q=" in page.url


def test_the_language_switch_keeps_a_live_search(page: Any, live_app: str) -> None:
    page.goto(live_app + "/thu-tuc/")
    page.fill("#q", "nhập hộ khẩu")
    expect(page.locator(".result-title").first).to_have_text("Đăng ký thường trú")
    page.select_option("#language-select", "en")
    page.click(".language-switch button[type=submit]")
    page.wait_for_url("**/thu-tuc/?*")
    assert "q=" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#q")).to_have_value("nhập hộ khẩu")


def test_choosing_a_language_does_not_search_but_a_filter_does(page: Any, live_app: str) -> None:
    """The search listens to its own filters' selects, not to every select on the page (the
    header's language select fired a search and pushed its address: a helper's finding)."""
    page.goto(live_app + "/thu-tuc/")
    searches: list[str] = []
    page.on(
        "request",
        lambda request: searches.append(request.url) if "/thu-tuc/?" in request.url else None,
    )
    page.select_option("#language-select", "en")
    page.wait_for_timeout(600)
    assert searches == []
    assert page.url == live_app + "/thu-tuc/"
    page.click(".filters summary")
    with page.expect_request(lambda request: "scope=all" in request.url):
        page.select_option("#f-scope", "all")


def test_procedure_page_fits_a_360px_phone(phone: Any, live_app: str) -> None:
    phone.goto(live_app + "/thu-tuc/1.004222/")
    assert phone.locator("h1").inner_text() == "Đăng ký thường trú"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    apply = phone.get_by_role("link", name="Nộp hồ sơ")
    box = apply.bounding_box()
    assert box["height"] >= 44  # touch target


def test_an_officer_signs_in_with_the_keyboard(page: Any, live_app: str) -> None:
    page.goto(live_app + "/dang-nhap/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type("cn1.quantri")
    page.keyboard.press("Tab")
    page.keyboard.type("MotCua@2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/can-bo/")
    assert "Chi nhánh số 1 (Tây Hồ)" in page.content()


def test_a_refused_due_day_is_explained_when_htmx_sends_the_filters(
    page: Any, live_app: str
) -> None:
    """The filter form goes through htmx, which swaps in only the list: the field's error comes
    with it (a helper found the refused day silently dropped)."""
    sign_in(page, live_app, "hoankiem.tiepnhan")
    page.goto(live_app + "/can-bo/ho-so/?tab=all")
    page.click("#worklist-form .filters summary")
    page.fill("#f-due-from", "01/01/0001")
    page.click("#worklist-form .filters button[type=submit]")
    expect(page.locator("#f-due-from-error")).to_have_text(
        "Ngày phải từ 01/01/1900 đến 31/12/9998."
    )
    expect(page.locator("#f-due-from")).to_have_attribute("aria-invalid", "true")
    page.fill("#f-due-from", "01/12/2026")
    page.click("#worklist-form .filters button[type=submit]")
    expect(page.locator("#f-due-from-error")).to_have_count(0)  # a good day clears it
