"""After a refused form the page opens on its list of what to correct: keyboard and screen-reader
users land on it, not at the top of the page (QA of issue 15, the phone recovery form)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_a_refused_recovery_form_puts_the_focus_on_what_to_correct(
    page: Any, live_app: str
) -> None:
    page.goto(f"{live_app}/quen-mat-khau/dien-thoai/")
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("load")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    focused = page.evaluate("document.activeElement.className")
    assert "error-summary" in focused
