"""Pages everyone sees: home, health probes, errors, language switch, account, admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_system_is_in_vietnamese() -> None:
    page = Client().get("/").content.decode()
    assert '<html lang="vi">' in page
    assert "Một Cửa Hà Nội" in page
    assert "51 phường, 75 xã" in page
    assert 'href="#main"' in page  # skip link for keyboard users


def test_language_switch_shows_english() -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page or "Sign in" in page


def test_healthz_answers_without_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(settings: Any) -> None:
    settings.MOTCUA_READY_WORKER_STALE_SECONDS = 0  # no worker here: tests/web/test_readyz.py
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_page_gets_a_vietnamese_404() -> None:
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_citizen_sees_their_id_number_and_can_update_contact_details() -> None:
    user = factories.citizen()
    client = Client()
    client.force_login(user)
    assert "001090099999" in client.get(reverse("web:account")).content.decode()
    response = client.post(
        reverse("web:account"),
        {"phone": "0988 777 666", "email": "moi@example.com", "address": "Số 1 Tràng Tiền"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.email, user.citizen_profile.address) == (
        "0988777666",
        "moi@example.com",
        "Số 1 Tràng Tiền",
    )


def test_a_bad_phone_number_is_explained_and_nothing_is_saved() -> None:
    user = factories.citizen()
    client = Client()
    client.force_login(user)
    response = client.post(reverse("web:account"), {"phone": "12345", "email": "", "address": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Số điện thoại gồm 10 chữ số" in page
    assert 'class="error-summary"' in page
    user.refresh_from_db()
    assert user.phone == "0911222333"


def test_admin_lists_units_and_accounts_for_a_superuser() -> None:
    admin = User.objects.create_superuser("sieuquantri", "a@example.com", factories.PASSWORD)
    client = Client()
    client.force_login(admin)
    units = client.get("/quan-tri/organizations/unit/?kind__exact=ward")
    assert units.status_code == 200
    assert "Phường Hoàn Kiếm" in units.content.decode()
    assert client.get("/quan-tri/accounts/user/").status_code == 200
    assert client.get("/quan-tri/accounts/officerrole/").status_code == 200


def test_admin_is_closed_to_an_officer_without_staff_status() -> None:
    client = Client()
    client.force_login(factories.officer("hn-bhxh", "leader"))
    response = client.get("/quan-tri/organizations/unit/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_browsers_favicon_request_finds_the_icon() -> None:
    client = Client()
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"].endswith(".svg")


@pytest.mark.django_db
def test_the_admins_own_sign_in_form_leads_to_the_one_sign_in_page() -> None:
    """One door with its throttles and second factor: the admin's login form is not a second one
    (issue 18's attacker pass got 5 guesses per address there instead of 1)."""
    answer = Client().get("/quan-tri/login/?next=/quan-tri/catalog/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/dang-nhap/?next=")
    hops = Client().get("/quan-tri/", follow=True).redirect_chain
    assert hops[-1][0].startswith("/dang-nhap/?next=")
    posted = Client().post("/quan-tri/login/", {"username": "quantri", "password": "x"})
    assert posted.status_code == 302  # never authenticated there
