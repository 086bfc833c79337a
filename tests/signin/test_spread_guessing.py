"""Password guesses spread over many addresses: slowed per account, the owner still gets in
(issue 18's attacker pass: 32 guesses from 8 addresses, 4 each, were never slowed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
OFFICER = "hk.chuyenvien"


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {
        **settings.MOTCUA_RATE_LIMITS, "signin-account": "6/15", "signin-account-backoff": "1/15",
    }  # fmt: skip


def sign_in(address: str, password: str, username: str = OFFICER) -> Any:
    return Client().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_guesses_from_many_addresses_are_slowed_and_the_owner_still_signs_in() -> None:
    factories.officer("hn-phuong-hoan-kiem", "specialist", username=OFFICER)
    for n in range(3):  # 6 failures from 3 addresses, 2 each: under axes' 5 per address
        for _ in range(2):
            assert sign_in(f"10.1.0.{n}", "sai").status_code == 200
    # The account is under backoff: an address that already failed on it waits…
    again = sign_in("10.1.0.0", "sai")
    assert again.status_code == 429
    assert "đang bị dò từ nhiều nơi" in again.content.decode()
    assert int(again["Retry-After"]) > 0
    # …a new address gets one try, then waits too…
    assert sign_in("10.1.0.9", "sai").status_code == 200
    assert sign_in("10.1.0.9", "sai").status_code == 429
    # …and the owner, from where they never failed, signs in.
    assert sign_in("10.2.0.1", factories.PASSWORD).status_code == 302


def test_another_accounts_guesses_do_not_slow_this_one() -> None:
    factories.officer("hn-phuong-hoan-kiem", "specialist", username=OFFICER)
    factories.officer("hn-phuong-hoan-kiem", "reception", username="hk.tiepnhan")
    for n in range(6):
        sign_in(f"10.3.0.{n}", "sai", username="hk.tiepnhan")
    assert sign_in("10.3.0.0", "sai").status_code == 200  # this account: a first failure here
    assert sign_in("10.3.0.0", factories.PASSWORD).status_code == 302
