"""What the officer journeys share: signing in as a demo officer, reading the offered actions and
submitting one."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .signin import PASSWORD, password_sign_in

__all__ = ["PASSWORD", "act", "offered", "sign_in"]

# A link clicked just before may still be loading the dossier page: the form is waited for.
FORM_WAIT_MS = 10_000


def sign_in(page: Any, live_app: str, username: str) -> None:
    password_sign_in(page, live_app, username)
    page.wait_for_url("**/can-bo/")


def offered(page: Any) -> list[str]:
    """The ids of the action forms the dossier page offers (``action-<name>``)."""
    return [form.get_attribute("id") for form in page.locator("form.action-form").all()]


def act(page: Any, action: str, fields: dict[str, str] | None = None, *, select: dict[str, str] | None = None) -> None:  # fmt: skip
    """Submit the action's form as the registry renders it (``#action-<name>``), ticking its
    confirmation when it has one, and expect no error message on the page it leads to."""
    form = page.locator(f"#action-{action}")
    try:
        expect(form).to_have_count(1, timeout=FORM_WAIT_MS)
    except AssertionError:
        raise AssertionError(f"{action} not offered; offered: {offered(page)}") from None
    assert form.locator("h3").inner_text().strip()  # each action form has its title
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(value)
    for name, label in (select or {}).items():
        form.locator(f"select[name={name}]").select_option(label=label)
    if form.locator("input[name=confirm]").count():
        form.locator("input[name=confirm]").check()
    # Waiting for the navigation itself: the load state alone is the old page's, already loaded.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    errors = page.locator(".message-error").all_inner_texts()
    assert not errors, errors
