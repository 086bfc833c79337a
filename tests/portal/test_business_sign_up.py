"""Businesses create an account with their tax code and then sign in with it."""

from __future__ import annotations

import html5lib
import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import BusinessProfile, User

pytestmark = pytest.mark.django_db
URL = "/dang-ky/doanh-nghiep/"
GOOD = {
    "name": "Công ty TNHH Hoa Sen", "tax_code": "0101 234 567", "representative": "Ngô Văn Bình",
    "phone": "+84 912 000 333", "email": "lienhe@hoasen.vn", "password1": "Sen-Hong-2026!",
    "password2": "Sen-Hong-2026!",
}  # fmt: skip


def sign_in(identifier: str, password: str = GOOD["password1"]) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": identifier, "password": password}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_the_url_and_its_name() -> None:
    assert reverse("portal:sign-up-business") == URL


def test_the_page_renders_valid_html_and_links_to_the_citizen_sign_up() -> None:
    page = Client().get(URL).content.decode()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert reverse("portal:sign-up") in page
    citizen_page = Client().get(reverse("portal:sign-up")).content.decode()
    assert URL in citizen_page
    assert "Đăng ký cho doanh nghiệp" in citizen_page


def test_a_business_signs_up_is_signed_in_and_can_sign_in_with_its_tax_code() -> None:
    client = Client()
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:account")
    profile = BusinessProfile.objects.select_related("user").get(tax_code="0101234567")
    assert profile.name == "Công ty TNHH Hoa Sen"
    assert profile.representative == "Ngô Văn Bình"
    assert profile.user.phone == "0912000333"
    assert profile.user.email == "lienhe@hoasen.vn"
    assert profile.user.username == "mst-0101234567"
    assert client.get(reverse("web:account")).status_code == 200  # already signed in
    account = sign_in("0101234567").get(reverse("web:account")).content.decode()
    assert "Công ty TNHH Hoa Sen" in account
    assert "0101234567" in account


def test_a_branch_signs_up_with_13_digits_and_signs_in_however_it_types_them() -> None:
    assert Client().post(URL, {**GOOD, "tax_code": "0101234567001"}).status_code == 302
    assert BusinessProfile.objects.filter(tax_code="0101234567-001").exists()
    sign_in("0101234567-001")
    sign_in("0101 234 567 001")


def test_a_tax_code_with_an_account_is_sent_to_sign_in() -> None:
    Client().post(URL, GOOD)
    again = Client().post(URL, {**GOOD, "tax_code": "0101.234.567", "email": "khac@hoasen.vn"})
    assert again.status_code == 200
    page = again.content.decode()
    assert "Mã số thuế này đã có tài khoản" in page
    assert reverse("login") in page
    assert User.objects.filter(username__startswith="mst-").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tax_code", "12345", "Mã số thuế gồm 10 chữ số"),
        ("tax_code", "0101234567-01", "Mã số thuế gồm 10 chữ số"),
        ("tax_code", "01012345AB", "Mã số thuế gồm 10 chữ số"),
        ("phone", "12", "Số điện thoại gồm 10 chữ số"),
        ("email", "khong-phai-thu", ""),
        ("name", "", ""),
        ("password2", "Khac-Nhau-2026!", "Hai mật khẩu không khớp"),
        ("password1", "12345678", ""),
    ],
)
def test_bad_input_is_explained_never_a_500(field: str, value: str, message: str) -> None:
    data = {**GOOD, field: value}
    if field == "password1":
        data["password2"] = value
    response = Client().post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert 'class="error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert not BusinessProfile.objects.exists()


def test_a_password_like_the_business_email_is_refused() -> None:
    data = {**GOOD, "password1": "lienhe@hoasen.vn", "password2": "lienhe@hoasen.vn"}
    response = Client().post(URL, data)
    assert response.status_code == 200
    assert not BusinessProfile.objects.exists()
