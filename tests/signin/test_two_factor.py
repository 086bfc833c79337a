"""Two-factor sign-in for officers and administrators (django-otp TOTP + recovery codes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.models import ApiToken, User
from motcua.signin.constants import SignInEventKind
from motcua.signin.models import SignInEvent
from tests import factories

from .helpers import (
    BRANCH,
    enrolled,
    enrolled_officer,
    recovery_codes,
    signed_in,
    totp_code,
    verified,
    wrong_code,
)

pytestmark = pytest.mark.django_db


def location(response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return str(response["Location"])


# --- who is asked -------------------------------------------------------------------------


def test_an_officer_without_a_device_is_sent_to_enrol(required: None) -> None:
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    target = location(client.get(reverse("web:workspace")))
    assert target.startswith(reverse("signin:enrol"))
    assert "next=%2Fcan-bo%2F" in target


def test_every_officer_page_is_closed_until_verified(required: None) -> None:
    user, _device = enrolled_officer()
    client = signed_in(user)
    for url in (reverse("web:workspace"), reverse("web:unit", args=[BRANCH]), "/ho-so-cua-toi/"):
        assert location(client.get(url)).startswith(reverse("signin:verify")), url


def test_a_post_before_verification_changes_nothing(required: None) -> None:
    admin = factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR)
    newcomer = factories.officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST)
    client = signed_in(admin)
    response = client.post(
        reverse("web:role-grant", args=[BRANCH]),
        {"username": newcomer.username, "role": OfficerRoleName.RECEPTION},
    )
    assert location(response) == reverse("signin:enrol")
    assert not newcomer.officer_roles.filter(unit__code=BRANCH).exists()


def test_a_citizen_is_never_asked(required: None) -> None:
    client = signed_in(factories.citizen())
    assert client.get(reverse("web:account")).status_code == 200
    assert client.get(reverse("portal:my-dossiers")).status_code == 200


def test_a_citizen_cannot_open_enrolment(required: None) -> None:
    response = signed_in(factories.citizen()).get(reverse("signin:enrol"))
    assert response.status_code == 403
    assert not TOTPDevice.objects.exists()


def test_the_demo_mode_does_not_ask(settings: Any) -> None:
    assert settings.MOTCUA_REQUIRE_OFFICER_2FA is False  # the embedded default the tests run in
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    assert client.get(reverse("web:workspace")).status_code == 200


def test_the_demo_mode_asks_once_the_setting_is_on(settings: Any) -> None:
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    assert client.get(reverse("web:workspace")).status_code == 200
    settings.MOTCUA_REQUIRE_OFFICER_2FA = True
    assert location(client.get(reverse("web:workspace"))).startswith(reverse("signin:enrol"))


def test_an_officer_who_enrolled_voluntarily_in_demo_mode_is_not_forced(settings: Any) -> None:
    user, _device = enrolled_officer()
    assert signed_in(user).get(reverse("web:workspace")).status_code == 200


# --- enrolment ----------------------------------------------------------------------------


def test_the_enrolment_page_shows_a_qr_code_and_the_secret_as_text(required: None) -> None:
    user = factories.officer(BRANCH, OfficerRoleName.LEADER)
    page = signed_in(user).get(reverse("signin:enrol")).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    assert secret.group(1).replace(" ", "") in device.config_url
    assert "<svg" in page
    assert "Mã QR để thêm tài khoản" in page


def test_reloading_the_enrolment_page_keeps_the_same_secret(required: None) -> None:
    user = factories.officer(BRANCH, OfficerRoleName.LEADER)
    client = signed_in(user)
    client.get(reverse("signin:enrol"))
    client.get(reverse("signin:enrol"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_wrong_code_at_enrolment_turns_nothing_on(required: None) -> None:
    user = factories.officer(BRANCH, OfficerRoleName.LEADER)
    client = signed_in(user)
    client.get(reverse("signin:enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("signin:enrol"), {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert location(client.get(reverse("web:workspace"))).startswith(reverse("signin:enrol"))


def test_enrolment_verifies_the_session_and_shows_ten_recovery_codes_once(required: None) -> None:
    user = factories.officer(BRANCH, OfficerRoleName.LEADER)
    client = signed_in(user)
    enrolled(client, user)
    page = client.get(reverse("signin:recovery-codes")).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", page)
    assert sorted(code.replace("-", "") for code in shown) == sorted(recovery_codes(user))
    assert len(shown) == 10
    again = client.get(reverse("signin:recovery-codes"))
    assert location(again) == reverse("signin:security")
    assert client.get(reverse("web:workspace")).status_code == 200
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.ENROLLED).count() == 1


def test_a_password_alone_cannot_add_an_authenticator_to_an_enrolled_account(
    required: None,
) -> None:
    user, _device = enrolled_officer()
    client = signed_in(user)
    assert location(client.get(reverse("signin:enrol"))).startswith(reverse("signin:verify"))
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 0


# --- verification -------------------------------------------------------------------------


def test_an_enrolled_officer_is_asked_for_a_code_after_the_password(required: None) -> None:
    user, _device = enrolled_officer()
    client = signed_in(user)
    target = location(client.get(reverse("web:after-login")))
    assert target.startswith(reverse("signin:verify"))
    page = client.get(target).content.decode()
    assert "Xác thực hai bước" in page
    assert "mã dự phòng" in page


def test_a_wrong_code_is_refused_and_recorded(required: None) -> None:
    user, device = enrolled_officer()
    client = signed_in(user)
    response = client.post(reverse("signin:verify"), {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert location(client.get(reverse("web:workspace"))).startswith(reverse("signin:verify"))
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.OTP_FAILED).exists()


def test_the_right_code_opens_the_page_asked_for(required: None) -> None:
    user, device = enrolled_officer()
    client = signed_in(user)
    unit_page = reverse("web:unit", args=[BRANCH])
    response = client.post(
        reverse("signin:verify"), {"otp_token": totp_code(device, 1), "next": unit_page}
    )
    assert location(response) == unit_page
    assert client.get(unit_page).status_code == 200
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.OTP_VERIFIED).exists()


def test_verification_gives_the_session_a_new_key(required: None) -> None:
    user, device = enrolled_officer()
    client = signed_in(user)
    before = client.cookies["sessionid"].value
    client.post(reverse("signin:verify"), {"otp_token": totp_code(device, 1)})
    assert client.cookies["sessionid"].value != before


def test_a_code_is_accepted_only_once(required: None) -> None:
    user, device = enrolled_officer()
    code = totp_code(device, 1)
    first = signed_in(user)
    assert first.post(reverse("signin:verify"), {"otp_token": code}).status_code == 302
    replay = signed_in(user)
    assert replay.post(reverse("signin:verify"), {"otp_token": code}).status_code == 200


def test_an_outside_redirect_is_not_followed(required: None) -> None:
    user, device = enrolled_officer()
    response = signed_in(user).post(
        reverse("signin:verify"),
        {"otp_token": totp_code(device, 1), "next": "https://example.com/"},
    )
    assert location(response) == reverse("web:after-login")


def test_repeated_wrong_codes_are_throttled_even_before_the_right_one(
    required: None, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # a wait no test run comes near
    user, device = enrolled_officer()
    client = signed_in(user)
    client.post(reverse("signin:verify"), {"otp_token": wrong_code(device)})
    response = client.post(reverse("signin:verify"), {"otp_token": totp_code(device, 1)})
    assert response.status_code == 200
    assert "Bạn đã nhập sai mã nhiều lần liên tiếp" in response.content.decode()
    assert location(client.get(reverse("web:workspace"))).startswith(reverse("signin:verify"))
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.OTP_THROTTLED).exists()


def test_a_recovery_code_works_once(required: None) -> None:
    user, _device = enrolled_officer()
    code = recovery_codes(user)[0]
    typed = f"{code[:4].upper()}-{code[4:]}"  # as printed, in capitals
    first = signed_in(user)
    response = first.post(reverse("signin:verify"), {"otp_token": typed})
    assert location(response) == reverse("web:after-login")
    assert first.get(reverse("web:workspace")).status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()
    assert len(recovery_codes(user)) == 9
    second = signed_in(user)
    assert second.post(reverse("signin:verify"), {"otp_token": code}).status_code == 200
    assert location(second.get(reverse("web:workspace"))).startswith(reverse("signin:verify"))
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.RECOVERY_USED).count() == 1


def test_the_admin_requires_the_second_factor(required: None) -> None:
    admin = User.objects.create_superuser("sieuquantri", "a@example.com", factories.PASSWORD)
    client = signed_in(admin)
    assert location(client.get("/quan-tri/")).startswith(reverse("signin:enrol"))
    enrolled(client, admin)
    assert client.get("/quan-tri/").status_code == 200
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 200


def test_the_admin_of_an_enrolled_superuser_waits_for_the_code(required: None) -> None:
    admin = User.objects.create_superuser("sieuquantri", "a@example.com", factories.PASSWORD)
    enrolled(signed_in(admin), admin)
    client = signed_in(admin)
    assert location(client.get("/quan-tri/accounts/user/")).startswith(reverse("signin:verify"))


def test_the_api_ignores_an_unverified_session_but_not_a_token(required: None) -> None:
    user = factories.officer(BRANCH, OfficerRoleName.RECEPTION)
    client = signed_in(user)
    assert client.get("/api/v1/dossiers").status_code == 401
    token = ApiToken.issue(user, "tích hợp")
    bearer = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.status_code == 200


def test_the_api_accepts_a_verified_session(required: None) -> None:
    user, device = enrolled_officer(OfficerRoleName.RECEPTION)
    assert verified(user, device).get("/api/v1/dossiers").status_code == 200


def test_an_htmx_request_is_told_where_to_go(required: None) -> None:
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    response = client.get(reverse("web:workspace"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("signin:enrol")


def test_the_verify_page_is_vietnamese_first_and_english_on_request(required: None) -> None:
    user, _device = enrolled_officer()
    client = signed_in(user)
    assert "Mã xác thực" in client.get(reverse("signin:verify")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("signin:verify")).content.decode()
    assert "Two-step verification" in page
    assert "Mã xác thực" not in page


# --- managing the second factor -----------------------------------------------------------


def test_the_security_page_counts_recovery_codes_left(required: None) -> None:
    user, device = enrolled_officer()
    page = verified(user, device).get(reverse("signin:security")).content.decode()
    assert "Đã bật" in page
    assert "<dd>10</dd>" in page


def test_regenerating_recovery_codes_replaces_the_old_set(required: None) -> None:
    user, device = enrolled_officer()
    old = set(recovery_codes(user))
    client = verified(user, device)
    response = client.post(reverse("signin:codes-regenerate"))
    assert location(response).startswith(reverse("signin:recovery-codes"))
    new = set(recovery_codes(user))
    assert len(new) == 10
    assert not old & new
    assert client.get(reverse("signin:recovery-codes")).status_code == 200
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.CODES_REGENERATED).exists()


def test_a_new_authenticator_replaces_the_old_one_only_once_confirmed(required: None) -> None:
    user, old = enrolled_officer()
    client = verified(user, old)
    assert location(client.post(reverse("signin:device-reset"))) == reverse("signin:enrol")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).get() == old
    page = client.get(reverse("signin:enrol")).content.decode()
    assert "Ứng dụng cũ vẫn dùng được" in page
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("signin:enrol"), {"otp_token": totp_code(new)})
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_an_administrator_cannot_read_an_officers_secret_in_the_admin(required: None) -> None:
    user, device = enrolled_officer()
    admin = User.objects.create_superuser("sieuquantri", "a@example.com", factories.PASSWORD)
    client = signed_in(admin)
    enrolled(client, admin)
    page = client.get(f"/quan-tri/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert client.get(f"/quan-tri/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    codes = client.get(
        f"/quan-tri/otp_static/staticdevice/{user.staticdevice_set.get().pk}/change/"
    )
    assert not any(code in codes.content.decode() for code in recovery_codes(user))
