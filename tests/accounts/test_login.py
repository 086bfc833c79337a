"""Signing in: by username, ID number or tax code; wrong passwords; throttling; reset by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.services import business_create
from tests import factories

pytestmark = pytest.mark.django_db


def login(client: Client, identifier: str, password: str = factories.PASSWORD, **extra: str):
    return client.post(
        reverse("login"), {"username": identifier, "password": password}, REMOTE_ADDR="10.0.0.7",
        **extra,
    )  # fmt: skip


def test_an_officer_signs_in_with_a_username_and_lands_on_the_workspace() -> None:
    factories.officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST, username="stp.cv")
    response = login(Client(), "stp.cv")
    assert response.status_code == 302
    assert Client().get(response["Location"]).status_code in (302, 200)
    follow = Client()
    login(follow, "stp.cv")
    assert follow.get(reverse("web:after-login"))["Location"] == reverse("web:workspace")


def test_a_citizen_signs_in_with_the_id_number_even_typed_with_spaces() -> None:
    factories.citizen(id_number="001090099999")
    client = Client()
    response = login(client, "001 090 099 999")
    assert response.status_code == 302
    assert client.get(reverse("web:after-login"))["Location"] == reverse("web:account")


def test_a_business_signs_in_with_its_tax_code() -> None:
    business_create(
        name="Công ty A", tax_code="0101234567", representative="Ngô B", password=factories.PASSWORD
    )
    assert login(Client(), "0101234567").status_code == 302


def test_a_wrong_password_gets_a_vietnamese_message_and_no_error_page() -> None:
    factories.citizen()
    response = login(Client(), "001090099999", password="sai-mat-khau")
    assert response.status_code == 200
    assert "mật khẩu không đúng" in response.content.decode()


@pytest.mark.parametrize("vneid", ["", "http://127.0.0.1:9"])
def test_a_wrong_password_points_to_vneid_where_it_is_offered(settings: Any, vneid: str) -> None:
    """A citizen verified through VNeID has no password any more (decision 0032): where VNeID
    is offered, every wrong-password answer says so, for every account alike."""
    settings.MOTCUA_VNEID_ISSUER = vneid
    factories.citizen()
    page = login(Client(), "001090099999", password="sai-mat-khau").content.decode()
    assert "mật khẩu không đúng" in page
    assert ("Đăng nhập bằng VNeID" in page) == bool(vneid)


def test_the_same_message_in_english_when_english_is_chosen() -> None:
    factories.citizen()
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = login(client, "001090099999", password="wrong")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    assert "password" in page.lower()
    assert "mật khẩu không đúng" not in page


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password() -> None:
    response = login(Client(), "khong-ton-tai", password="x")
    assert response.status_code == 200
    assert "mật khẩu không đúng" in response.content.decode()


def test_repeated_failures_lock_the_login_with_a_clear_message() -> None:
    factories.citizen()
    client = Client()
    for _ in range(5):
        login(client, "001090099999", password="sai")
    locked = login(client, "001090099999")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()


def test_a_lockout_does_not_affect_another_address() -> None:
    factories.citizen()
    for _ in range(5):
        login(Client(), "001090099999", password="sai")
    other = Client().post(
        reverse("login"),
        {"username": "001090099999", "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert other.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_password_reset_mail_is_sent_by_the_worker_not_the_request() -> None:
    # Transactional: the worker commits and checks its connection like a real process does.
    factories.citizen()
    response = Client().post(reverse("password_reset"), {"email": "dung@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
    call_command(
        "db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, verbosity=0
    )  # the outbox row, then its delivery on the "outbound" queue
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dung@example.com"]
    link = re.search(r"https?://[^/]+(/dat-lai-mat-khau/\S+/)", message.body)
    assert link is not None
    form = Client().get(link.group(1), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()


def test_logout_is_a_post() -> None:
    client = Client()
    client.force_login(factories.citizen())
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("web:account")).status_code == 302


@pytest.mark.parametrize("variant", ["001 090 099 999", "001.090.099.999", "001-090-099-999"])
def test_the_lock_holds_however_the_identifier_is_typed(variant: str) -> None:
    factories.citizen(id_number="001090099999")
    client = Client()
    for _ in range(5):
        login(client, "001090099999", password="sai")
    assert login(client, variant).status_code == 429


def test_the_lock_holds_whatever_the_case_of_a_username() -> None:
    factories.officer("hn-so-tu-phap", OfficerRoleName.SUPERVISOR, username="stp.gs")
    client = Client()
    for _ in range(5):
        login(client, "STP.GS", password="sai")
    assert login(client, "stp.gs").status_code == 429
