"""Signing in with a username and password, as every browser journey does."""

from __future__ import annotations

from typing import Any

PASSWORD = "MotCua@2026"  # the demo accounts' password (MOTCUA_DEMO_PASSWORD's default)


def password_sign_in(page: Any, app: str, username: str, password: str = PASSWORD) -> None:
    """A fresh sign-in (earlier cookies dropped) from the sign-in page; waits for the answer."""
    page.context.clear_cookies()
    page.goto(app + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
