"""A paper dossier for 1.004222 from the counter to the returned result, officer by officer."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from .axe import assert_accessible, missing_reason
from .conftest import ARTIFACTS
from .officer import act, offered, sign_in

pytestmark = pytest.mark.e2e


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


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
    if missing_reason() is None:  # the action forms rendered from the registry are labelled
        assert_accessible(page, "officer-dossier-actions")

    # The receipt is an issued record (Mẫu 01), listed with its number.
    receipt_link = page.get_by_role("link", name=re.compile("Giấy tiếp nhận hồ sơ")).first
    assert re.search(r"số \d+/TNHS", receipt_link.inner_text())
    receipt = page.request.get(live_app + receipt_link.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    (ARTIFACTS / "journey-receipt.pdf").write_bytes(receipt.body())

    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    act(page, "request_supplement", {"items": "Giấy tờ chứng minh chỗ ở hợp pháp"})
    assert "Chờ bổ sung hồ sơ" in page.content()
    shot(page, "2-supplement-requested")

    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(dossier_url)
    form = page.locator("#action-submit_supplement")
    assert not form.locator("input[name=received]").is_checked()  # nothing counts as come unticked
    form.locator("input[name=received]").check()  # the item comes: the officer ticks it
    act(page, "submit_supplement")
    assert "Chờ bổ sung hồ sơ" not in page.locator("#dossier-summary").inner_text()
    shot(page, "3-supplement-arrived")

    sign_in(page, live_app, "ca-hoankiem.chuyenvien")
    page.goto(dossier_url)
    assert "approve" not in " ".join(offered(page))  # only the leader, at the signing step
    act(page, "forward")
    assert "forward" not in " ".join(offered(page))  # the signing step is the leader's

    sign_in(page, live_app, "ca-hoankiem.lanhdao")
    page.goto(dossier_url)
    assert "action-forward" not in offered(page)  # never past the signing step
    act(page, "approve", {"reason": "Đồng ý đăng ký thường trú"})
    assert "Đã có kết quả" in page.content()  # a paper result is ready once signed
    shot(page, "4-approved")

    sign_in(page, live_app, "ca-hoankiem.tiepnhan")
    page.goto(dossier_url)
    act(page, "return_result")
    assert "Đã trả kết quả" in page.content()
    assert code in page.content()
    # Mẫu 06, the control slip, lists every hand-over between the steps.
    slip_link = page.get_by_role("link", name=re.compile("Mẫu số 06")).get_attribute("href")
    slip = page.request.get(live_app + slip_link)
    assert slip.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "journey-control-slip.pdf").write_bytes(slip.body())
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(slip.body())).pages
    )
    for step in ("Thẩm định hồ sơ", "Lãnh đạo ký, phê duyệt kết quả", "Trả kết quả"):
        assert step in text, step
    shot(page, "5-returned")
