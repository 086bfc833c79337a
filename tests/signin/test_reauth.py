"""Sensitive changes (contact details, roles, two-factor, admin accounts) need the password again
once the last password check is more than five minutes old."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.models import OfficerRole, User
from motcua.common.clock import today
from motcua.signin.constants import SignInEventKind
from motcua.signin.models import SignInEvent
from motcua.signin.policy import SESSION_AUTH_AT
from tests import factories

from .helpers import BRANCH, enrolled_officer, recovery_codes, signed_in, verified

pytestmark = pytest.mark.django_db
NEW_CONTACT = {"phone": "0988 777 666", "email": "moi@example.com", "address": "Số 1 Tràng Tiền"}


def six_minutes_later(client: Client) -> Client:
    session = client.session
    session[SESSION_AUTH_AT] = session[SESSION_AUTH_AT] - 6 * 60
    session.save()
    return client


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_an_email_change_without_the_password_is_refused() -> None:
    citizen = factories.citizen()
    client = six_minutes_later(signed_in(citizen))
    response = client.post(reverse("web:account"), NEW_CONTACT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cần nhập lại mật khẩu hiện tại" in page
    assert "Chưa có gì được lưu" in page
    citizen.refresh_from_db()
    assert (citizen.email, citizen.phone) == ("dung@example.com", "0911222333")


def test_the_confirmation_page_carries_what_was_typed() -> None:
    client = six_minutes_later(signed_in(factories.citizen()))
    page = client.post(reverse("web:account"), NEW_CONTACT).content.decode()
    carried = hidden_fields(page)
    assert carried["email"] == "moi@example.com"
    assert carried["address"] == "Số 1 Tràng Tiền"
    assert 'name="current_password"' in page


def test_an_email_change_with_the_password_is_saved() -> None:
    citizen = factories.citizen()
    client = six_minutes_later(signed_in(citizen))
    response = client.post(
        reverse("web:account"), {**NEW_CONTACT, "current_password": factories.PASSWORD}
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.email, citizen.phone) == ("moi@example.com", "0988777666")
    assert SignInEvent.objects.filter(user=citizen, kind=SignInEventKind.REAUTH_OK).exists()


def test_a_wrong_password_changes_nothing_and_is_recorded() -> None:
    citizen = factories.citizen()
    client = six_minutes_later(signed_in(citizen))
    response = client.post(reverse("web:account"), {**NEW_CONTACT, "current_password": "sai"})
    assert response.status_code == 200
    assert "Mật khẩu không đúng" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "dung@example.com"
    assert SignInEvent.objects.filter(user=citizen, kind=SignInEventKind.REAUTH_FAILED).exists()


def test_after_confirming_the_next_changes_need_no_password_for_five_minutes() -> None:
    citizen = factories.citizen()
    client = six_minutes_later(signed_in(citizen))
    client.post(reverse("web:account"), {**NEW_CONTACT, "current_password": factories.PASSWORD})
    response = client.post(reverse("web:account"), {**NEW_CONTACT, "email": "khac@example.com"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "khac@example.com"


def test_just_after_signing_in_no_password_is_asked() -> None:
    citizen = factories.citizen()
    response = signed_in(citizen).post(reverse("web:account"), NEW_CONTACT)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "moi@example.com"


def test_wrong_passwords_at_confirmation_count_towards_the_sign_in_lock() -> None:
    client = six_minutes_later(signed_in(factories.citizen()))
    for _ in range(5):
        client.post(reverse("web:account"), {**NEW_CONTACT, "current_password": "sai"})
    locked = client.post(
        reverse("web:account"), {**NEW_CONTACT, "current_password": factories.PASSWORD}
    )
    assert locked.status_code == 429


def test_granting_a_role_needs_the_password_once_the_sign_in_is_old() -> None:
    admin = factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR)
    # An officer of the branch (its home unit) with no role yet: the administrator may grant.
    newcomer = User.objects.create_user(
        username="moi-vao", password=factories.PASSWORD, home_unit=factories.unit(BRANCH)
    )
    client = six_minutes_later(signed_in(admin))
    grant = {"username": newcomer.username, "role": OfficerRoleName.RECEPTION}
    response = client.post(reverse("web:role-grant", args=[BRANCH]), grant)
    assert response.status_code == 200
    assert not OfficerRole.objects.filter(user=newcomer, unit__code=BRANCH).exists()
    carried = hidden_fields(response.content.decode())
    confirmed = client.post(
        reverse("web:role-grant", args=[BRANCH]),
        {**carried, "current_password": factories.PASSWORD},
    )
    assert confirmed.status_code == 302
    assert OfficerRole.objects.filter(user=newcomer, unit__code=BRANCH).exists()


def test_revoking_a_role_needs_the_password_once_the_sign_in_is_old() -> None:
    admin = factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR)
    target = factories.role_of(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    client = six_minutes_later(signed_in(admin))
    url = reverse("web:role-revoke", args=[BRANCH, target.pk])
    assert client.post(url).status_code == 200
    assert OfficerRole.objects.get(pk=target.pk).valid_until is None
    assert client.post(url, {"current_password": factories.PASSWORD}).status_code == 302
    assert OfficerRole.objects.get(pk=target.pk).valid_until is not None  # ended, kept


def test_a_role_change_in_the_admin_needs_the_password_too() -> None:
    superuser = User.objects.create_superuser("sieuquantri", "a@example.com", factories.PASSWORD)
    target = factories.role_of(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    client = six_minutes_later(signed_in(superuser))
    url = f"/quan-tri/accounts/officerrole/{target.pk}/change/"
    end = {"title": "", "valid_until": today().strftime("%d/%m/%Y"),
           "change_document_number": "", "change_document_date": ""}  # fmt: skip
    assert client.get(url).status_code == 200  # looking needs no password
    assert client.post(url, end).status_code == 200
    assert OfficerRole.objects.get(pk=target.pk).valid_until is None
    done = client.post(url, {**end, "current_password": factories.PASSWORD})
    assert done.status_code == 302
    assert OfficerRole.objects.get(pk=target.pk).valid_until == today()


def test_new_recovery_codes_need_the_password_once_the_sign_in_is_old(settings: object) -> None:
    user, device = enrolled_officer()
    old = set(recovery_codes(user))
    client = six_minutes_later(verified(user, device))
    response = client.post(reverse("signin:codes-regenerate"))
    assert response.status_code == 200
    assert set(recovery_codes(user)) == old
    confirmed = client.post(
        reverse("signin:codes-regenerate"), {"current_password": factories.PASSWORD}
    )
    assert confirmed["Location"].startswith(reverse("signin:recovery-codes"))
    assert not set(recovery_codes(user)) & old
