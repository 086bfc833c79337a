"""The strict Content-Security-Policy (decision 0036) in real Chromium: a citizen's and an
officer's main pages load with no violation at all, htmx still searches as one types, and the
receipt's print button (once an inline handler) still prints.

Chromium reports each refusal both as a console message and as a ``securitypolicyviolation``
event; both are collected. A positive control at the end proves the collection works: an inline
script added to the page is refused, reported and never runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PREPARED, copy_prepared, served, server_env
from .officer import sign_in
from .signin import password_sign_in

pytestmark = pytest.mark.e2e
CITIZEN = "001090012345"  # demo citizen Nguyễn Văn An
REPORT = """document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});"""


@pytest.fixture(scope="module")
def csp_app(live_app: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a copy of the demo data: the bundle received here stays out of the others'."""
    var: Path = tmp_path_factory.mktemp("e2e-csp")
    copy_prepared(PREPARED["var"], var)
    with served(server_env(var), workers=2) as url:
        yield url


def watched(page: Any) -> list[str]:
    """Every CSP refusal on ``page`` from now on, as text."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(f"console: {message.text}")
        ),
    )
    page.expose_function("reportViolation", lambda text: violations.append(f"event: {text}"))
    page.add_init_script(REPORT)
    return violations


def visit(page: Any, url: str, violations: list[str], seen: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    seen.append(url)
    assert not violations, (url, violations)


def test_main_pages_load_with_no_violation_and_print_still_works(page: Any, csp_app: str) -> None:
    app, seen = csp_app, []
    violations = watched(page)
    visit(page, app + "/", violations, seen)
    policy = page.request.get(app + "/").headers["content-security-policy"]
    directives = {part.strip() for part in policy.split(";")}  # in no fixed order
    assert "script-src 'self'" in directives
    visit(page, app + "/api/v1/docs", violations, seen)
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI ran, from our static files

    # The citizen: search as one types (htmx), the procedure, the online form.
    password_sign_in(page, app, CITIZEN)
    visit(page, app + "/thu-tuc/", violations, seen)
    page.fill("#q", "dang ky khai sinh")
    page.locator("#results a", has_text=re.compile("khai sinh", re.I)).first.wait_for()
    page.locator("#results a", has_text=re.compile("Thủ tục đăng ký khai sinh$")).first.click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#f-nguoi_yeu_cau-so_dinh_danh").count() == 1
    assert not violations, violations

    # The officer: worklist, a linked bundle received at the counter, its receipt, a dossier.
    sign_in(page, app, "hoankiem.tiepnhan")
    visit(page, app + "/can-bo/ho-so/", violations, seen)
    receipt_url, dossier_url = receive_death_bundle(page, app)
    visit(page, dossier_url, violations, seen)
    visit(page, receipt_url, violations, seen)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.locator("#print-receipt").click()
    assert page.evaluate("window.printed") == 1
    assert not violations, violations

    # The control: an inline script is refused, reported, and never runs.
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.inlineRan = true"; document.head.append(s); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.inlineRan") is None
    assert any("script-src" in v for v in violations), violations


def receive_death_bundle(page: Any, app: str) -> tuple[str, str]:
    """The ward's counter receives a death bundle (as test_bundle_journey does): the receipt's
    and the death registration's addresses."""
    page.goto(app + "/can-bo/tiep-nhan/lien-thong/death/")
    page.fill("#name", "Lê Thị Hoa")
    page.fill("#id_number", "001180004321")
    page.fill("#phone", "0904000111")
    page.fill("#subject-deceased_name", "Lê Văn Tư")
    page.fill("#subject-deceased_id_number", "001045001234")
    page.fill("#subject-death_date", "01/11/2026")
    page.fill("#subject-death_place", "Bệnh viện Bạch Mai")
    page.fill("#subject-relationship", "con")
    page.select_option("#subject-funeral_payer", "social_insurance")
    page.get_by_role("button", name="Tiếp nhận hồ sơ liên thông").click()
    page.wait_for_url("**/can-bo/lien-thong/*/")
    receipt = page.get_by_role("link", name="Giấy tiếp nhận hồ sơ liên thông")
    receipt_url = app + str(receipt.get_attribute("href"))
    page.locator("#member-death_registration a").first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    return receipt_url, str(page.url)
