"""What the officer journeys share: signing in as a demo officer and reading the offered actions."""

from __future__ import annotations

from typing import Any

from .signin import PASSWORD, password_sign_in

__all__ = ["PASSWORD", "offered", "sign_in"]


def sign_in(page: Any, live_app: str, username: str) -> None:
    password_sign_in(page, live_app, username)
    page.wait_for_url("**/can-bo/")


def offered(page: Any) -> list[str]:
    """The ids of the action forms the dossier page offers (``action-<name>``)."""
    return [form.get_attribute("id") for form in page.locator("form.action-form").all()]
