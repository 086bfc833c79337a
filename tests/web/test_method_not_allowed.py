"""A form-only address opened in the browser gets our 405 page, in the person's language, not
the browser's own empty-body error (found by a Chromium pass, session 33); the API answers in
its own shape, and HEAD without a body."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from motcua.web.middleware import HeadWithoutBodyMiddleware
from tests.dossiers.conftest import Staff, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(db: None) -> Staff:
    return Staff()


def test_an_action_address_opened_in_the_browser_explains_itself(officers: Staff) -> None:
    dossier = received(officers)
    client = Client()
    client.force_login(officers.reception)
    url = reverse("dossiers:act", kwargs={"ref": dossier.ref, "action": "forward"})
    answer = client.get(url)
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"
    html = answer.content.decode()
    assert "Không mở trực tiếp được địa chỉ này" in html
    assert "only takes what a form on the site sends" in html
    assert '<html lang="vi">' in html


def test_in_english_for_who_chose_english(officers: Staff) -> None:
    dossier = received(officers)
    client = Client()
    client.force_login(officers.reception)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    url = reverse("dossiers:act", kwargs={"ref": dossier.ref, "action": "forward"})
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Không mở trực tiếp" not in html


def test_the_api_answers_in_its_own_shape() -> None:
    answer = Client().delete("/api/v1/procedures")
    assert answer.status_code == 405
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer["Allow"] == "GET, HEAD"  # HEAD is answered where GET is
    body = answer.json()
    assert body["code"] == "method_not_allowed"
    assert "DELETE" in body["message"]
    assert body["message_en"] == "This path does not take DELETE; it takes: GET, HEAD."
    assert Client().options("/api/v1/procedures")["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/api/v1/procedures", "/api/v1/procedures/1.004222"])
def test_the_api_answers_head_where_it_takes_get(path: str) -> None:
    got = Client().get(path)
    head = Client().head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_head_is_refused_where_the_api_does_not_take_get() -> None:
    answer = Client().head("/api/v1/dossiers/HS-X/actions/receive")
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"


def test_head_is_answered_without_the_body_it_would_have() -> None:
    """The app leaves the body out itself (gunicorn logged a warning for each body it dropped),
    and says how long GET's would be."""
    answer = HeadWithoutBodyMiddleware(lambda _request: HttpResponse(b"<p>trang</p>"))
    head = answer(RequestFactory().head("/"))
    assert head.content == b""
    assert head["Content-Length"] == "12"
    assert answer(RequestFactory().get("/")).content == b"<p>trang</p>"
