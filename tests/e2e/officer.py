"""What the officer journeys share: signing in as a demo officer and reading the offered actions."""

from __future__ import annotations

from typing import Any

PASSWORD = "MotCua@2026"  # the demo accounts' password (MOTCUA_DEMO_PASSWORD's default)


def sign_in(page: Any, live_app: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_app + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/can-bo/")


def offered(page: Any) -> list[str]:
    """The ids of the action forms the dossier page offers (``action-<name>``)."""
    return [form.get_attribute("id") for form in page.locator("form.action-form").all()]
