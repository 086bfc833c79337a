"""Sign-in lock and password limits behind a reverse proxy (issue 18): the lock is per account
and client address, so someone else's wrong guesses never lock the owner out; a spoofed
X-Forwarded-For gives no new budget; password reset and change answer 429 past their limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from tests import factories
from tests.proxy import ATTACKER, OWNER, PROXY, behind_a_proxy, via_proxy

__all__ = ["behind_a_proxy"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("behind_a_proxy")]


def login(username: str, password: str, **meta: str) -> HttpResponse:
    response: HttpResponse = Client().post(
        reverse("login"), {"username": username, "password": password}, **meta
    )
    return response


def test_the_owner_is_not_locked_out_by_someone_elses_wrong_guesses() -> None:
    factories.officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST, username="stp.cv")
    for _ in range(6):
        login("stp.cv", "sai-mat-khau", **via_proxy(ATTACKER))
    locked = login("stp.cv", factories.PASSWORD, **via_proxy(ATTACKER))
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert login("stp.cv", factories.PASSWORD, **via_proxy(OWNER)).status_code == 302


def test_a_spoofed_header_does_not_unlock_the_attacker() -> None:
    factories.officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST, username="stp.cv")
    for n in range(5):  # directly to the application, a new invented address each time
        spoofed = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        login("stp.cv", "sai-mat-khau", **spoofed)
    spoofed = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert login("stp.cv", factories.PASSWORD, **spoofed).status_code == 429
    behind = "203.0.113.50"  # an attacker behind the proxy, prepending invented addresses
    for n in range(5):
        chain = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}, {behind}"}
        login("stp.cv", "sai-mat-khau", **chain)
    assert login("stp.cv", factories.PASSWORD, **via_proxy(behind)).status_code == 429
    assert login("stp.cv", factories.PASSWORD, **via_proxy(OWNER)).status_code == 302


def test_password_reset_requests_are_limited_per_address_and_per_email(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {
        **settings.MOTCUA_RATE_LIMITS, "password-reset": "3/60", "password-reset-email": "2/60",
    }  # fmt: skip
    url = reverse("password_reset")
    for _ in range(2):
        sent = Client().post(url, {"email": "dung@example.com"}, **via_proxy(OWNER))
        assert sent.status_code == 302
    refused = Client().post(url, {"email": "Dung@Example.com"}, **via_proxy(ATTACKER))
    assert refused.status_code == 429  # the same e-mail address from anywhere
    assert int(refused["Retry-After"]) > 0
    assert Client().post(url, {"email": "an@example.com"}, **via_proxy(OWNER)).status_code == 302
    refused = Client().post(url, {"email": "binh@example.com"}, **via_proxy(OWNER))
    assert refused.status_code == 429  # three from this address
    assert Client().get(url, **via_proxy(OWNER)).status_code == 200


def test_password_changes_are_limited_per_account(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "password-change": "3/15"}
    user = factories.citizen()
    client = Client()
    client.force_login(user)
    url = reverse("password_change")
    wrong = {"old_password": "sai", "new_password1": "Hoa-Sen-2026!", "new_password2": "Hoa-Sen-2026!"}  # fmt: skip
    for n in range(3):
        assert client.post(url, wrong, **via_proxy(f"192.0.2.{n}")).status_code == 200
    refused = client.post(url, {**wrong, "old_password": factories.PASSWORD}, **via_proxy(OWNER))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    other = Client()
    other.force_login(factories.citizen(id_number="001090088888", phone="0911222444"))
    assert other.post(url, wrong, **via_proxy(OWNER)).status_code == 200
