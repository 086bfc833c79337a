"""Numbers in requests that only look like numbers: "²" (a digit to ``str.isdigit()``, not to
``int()``), Arabic-Indic digits, 20-digit ids that overflow the database, and a sign-in name of
100,000 characters. Each was a server error somewhere (issue 18's attacker pass); now each is
ignored or refused with a message."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.common.numbers import small_int
from motcua.dossiers.models import Dossier
from tests import factories
from tests.counter import counter_post

ODD = ["²", "٣", "99999999999999999999", "-1", "1e3", " 7 ", ""]


@given(st.text(max_size=30))
def test_small_int_reads_ascii_digits_only_and_never_raises(text: str) -> None:
    found = small_int(text)
    stripped = text.strip()
    if found is None:
        assert not (stripped.isascii() and stripped.isdigit() and len(stripped) <= 9)
    else:
        assert stripped.isascii()
        assert found == int(stripped)
        assert found < 10**9


def signed_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_public_and_officer_lists_ignore_odd_numbers(value: str) -> None:
    assert (
        Client(raise_request_exception=False).get("/thu-tuc/", {"field": value}).status_code == 200
    )
    officer = signed_in(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    for name in ("page", "step"):
        assert officer.get("/can-bo/ho-so/", {name: value}).status_code == 200, name


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_supervision_pages_refuse_an_odd_field_without_an_error(value: str) -> None:
    ensure_city_supervisor("mat-khau-thu")
    supervisor = signed_in(User.objects.get(username=CITY_SUPERVISOR))
    for url in ("/giam-sat/", "/giam-sat/tre-han/", "/giam-sat/bao-cao.xlsx"):
        assert supervisor.get(url, {"field": value}).status_code < 500, url


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_the_counter_ignores_an_odd_checklist_item(value: str) -> None:
    client = signed_in(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    form = {"procedure": "1.004222", "name": "Lê Văn Cường", "checked": [value], "reuse": [value]}
    assert counter_post(client, form).status_code == 302
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_a_sign_in_name_of_100000_characters_is_refused_plainly() -> None:
    page = Client(raise_request_exception=False).post(
        "/dang-nhap/", {"username": "a" * 100_000, "password": "x"}
    )
    assert page.status_code == 200
    assert "không đúng" in page.content.decode() or "tối đa" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["31/02/2026", "00/13/2026", "2/9", "01/01/0001", "01/01/2099"])
def test_the_counter_says_a_birth_date_that_does_not_exist(typed: str) -> None:
    client = signed_in(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    form = {"procedure": "1.004222", "name": "Lê Văn Cường", "birth_date": typed}
    page = counter_post(client, form)
    assert page.status_code == 200
    assert "Ngày sinh không hợp lệ" in page.content.decode()
    assert not Dossier.objects.exists()
