"""Rate limits behind a reverse proxy (issue 18), through real requests: the public lookup, the
sign-up and the phone recovery. Clients behind a trusted proxy have budgets of their own; a
spoofed X-Forwarded-For gives no new one; an attacker's wrong guesses never lock the dossier's
owner out."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.dossiers.conftest import Staff, received
from tests.proxy import ATTACKER, OWNER, PROXY, behind_a_proxy, via_proxy

__all__ = ["behind_a_proxy"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("behind_a_proxy")]


def look(code: str, digits: str, **meta: str) -> HttpResponse:
    response: HttpResponse = Client().post(
        reverse("portal:lookup"), {"code": code, "digits": digits}, **meta
    )
    return response


def test_two_clients_behind_the_proxy_have_budgets_of_their_own(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(20):
        assert look(f"NO-{guess}", "0000", **via_proxy(ATTACKER)).status_code == 200
    refused = look(dossier.code, "2345", **via_proxy(ATTACKER))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Đã tiếp nhận" in look(dossier.code, "2345", **via_proxy(OWNER)).content.decode()


def test_a_spoofed_header_gives_no_new_budget(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(5):  # a client reaching the application directly, inventing addresses
        spoofed = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": f"192.0.2.{guess}"}
        assert look(dossier.code, f"{guess:04d}", **spoofed).status_code == 200
    again = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert look(dossier.code, "0099", **again).status_code == 429
    # Through the proxy, what the client prepends to the header is ignored too.
    for guess in range(5):
        chain = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{guess}, {OWNER}"}
        look(dossier.code, f"{guess:04d}", **chain)
    assert look(dossier.code, "2345", **via_proxy(OWNER)).status_code == 429


def test_the_owner_finds_their_dossier_after_an_attackers_wrong_guesses(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(8):
        look(dossier.code if guess % 2 else dossier.ref, f"{guess:04d}", **via_proxy(ATTACKER))
    assert look(dossier.code, "2345", **via_proxy(ATTACKER)).status_code == 429
    found = look(dossier.code, "2345", **via_proxy(OWNER))
    assert found.status_code == 200
    assert "Đã tiếp nhận" in found.content.decode()


def test_a_dossier_guessed_at_from_many_addresses_backs_off_but_the_owner_passes(
    staff: Staff, settings: Any
) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "lookup-dossier": "6/15"}
    dossier = received(staff)
    for n in range(3):  # three addresses, two wrong guesses each: 6, the ceiling
        for guess in range(2):
            assert (
                look(dossier.code, f"{n}{guess}00", **via_proxy(f"192.0.2.{n}")).status_code == 200
            )
    # Under backoff an address that already failed on this dossier is refused...
    assert look(dossier.code, "2345", **via_proxy("192.0.2.0")).status_code == 429
    # ...a new one has a single try: the owner with the right digits finds the dossier.
    assert "Đã tiếp nhận" in look(dossier.code, "2345", **via_proxy(OWNER)).content.decode()
    assert look(dossier.code, "9999", **via_proxy("192.0.2.50")).status_code == 200
    assert look(dossier.code, "9998", **via_proxy("192.0.2.50")).status_code == 429


def test_sign_up_is_limited_per_client_address(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "signup": "3/60"}
    url = reverse("portal:sign-up")
    for _ in range(3):
        assert Client().post(url, {"full_name": "x"}, **via_proxy(ATTACKER)).status_code == 200
    refused = Client().post(url, {"full_name": "x"}, **via_proxy(ATTACKER))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "quá nhiều lần" in refused.content.decode()
    assert Client().get(url, **via_proxy(ATTACKER)).status_code == 200  # reading the form is free
    assert Client().post(url, {"full_name": "x"}, **via_proxy(OWNER)).status_code == 200


def test_the_refusal_page_is_in_english_when_english_is_chosen(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "signup": "1/60"}
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("portal:sign-up"), {}, **via_proxy(ATTACKER))
    refused = client.post(reverse("portal:sign-up"), {}, **via_proxy(ATTACKER))
    assert refused.status_code == 429
    assert 'lang="en"' in refused.content.decode()
