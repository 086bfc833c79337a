"""The page's chrome (head, header, signed-out links, footer: ``layout.jinja``) keeps what it can
per process and language (translations, URLs, static names): what each visitor sees must still
follow their language and whether they are signed in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def page(client: Client) -> str:
    return client.get(reverse("portal:lookup")).content.decode()


def test_the_chrome_follows_the_language_once_rendered() -> None:
    vietnamese, english = Client(), Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    for _ in range(2):  # the second time from the cache
        first = page(vietnamese)
        assert "Tra cứu hồ sơ" in first
        assert "Đăng nhập" in first
        assert "Log in" not in first
        other = page(english)
        assert "Log in" in other
        assert "Create an account" in other
        assert "Đăng nhập" not in other
        assert 'lang="en"' in other


def test_signed_in_and_signed_out_visitors_see_their_own_links() -> None:
    anonymous, citizen = Client(), Client()
    citizen.force_login(factories.citizen())
    for _ in range(2):
        signed_out = page(anonymous)
        assert "Đăng ký tài khoản" in signed_out
        assert "Đăng xuất" not in signed_out
        signed_in = page(citizen)
        assert "Đăng xuất" in signed_in
        assert "Đăng ký tài khoản" not in signed_in
        assert "Hồ sơ của tôi" in signed_in
        assert "Hồ sơ của tôi" not in signed_out
