"""Citizens create an account with their ID number; bad input is explained, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import CitizenProfile

pytestmark = pytest.mark.django_db
GOOD = {
    "full_name": "Phạm Minh Đức", "id_number": "001 092 012 777", "phone": "+84 912 000 111",
    "email": "duc@example.com", "password1": "Hoa-Sen-2026!", "password2": "Hoa-Sen-2026!",
}  # fmt: skip


def test_a_citizen_signs_up_and_can_sign_in_with_the_id_number() -> None:
    client = Client()
    response = client.post(reverse("portal:sign-up"), GOOD)
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(id_number="001092012777")
    assert profile.user.phone == "0912000111"
    other = Client()
    signed_in = other.post(
        reverse("login"),
        {"username": "001092012777", "password": GOOD["password1"]},
        REMOTE_ADDR="10.2.2.2",
    )
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "12345", "12 chữ số"),
        ("phone", "12", "Số điện thoại gồm 10 chữ số"),
        ("password2", "khac-nhau-9", "Hai mật khẩu không khớp"),
        ("password1", "123", ""),
    ],
)
def test_bad_input_is_explained(field: str, value: str, message: str) -> None:
    data = {**GOOD, field: value}
    if field == "password1":
        data["password2"] = value
    response = Client().post(reverse("portal:sign-up"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert message in page
    assert not CitizenProfile.objects.filter(id_number="001092012777").exists()


def test_an_id_number_with_an_account_is_sent_to_sign_in_or_to_prove_it() -> None:
    Client().post(reverse("portal:sign-up"), GOOD)
    again = Client().post(reverse("portal:sign-up"), {**GOOD, "phone": "0912000222"}, follow=True)
    page = again.content.decode()
    assert "Số định danh này đã có tài khoản" in page
    assert reverse("password_reset") in page


def test_password_rules_are_explained_in_vietnamese() -> None:
    short = {**GOOD, "password1": "a1", "password2": "a1"}
    page = Client().post(reverse("portal:sign-up"), short).content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in page
    assert "too short" not in page
