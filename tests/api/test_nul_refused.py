"""The NUL character (which PostgreSQL's text cannot hold) in any part of an API request is
refused with the API's error shape, never a server error: the fuzz test found a unit code with
one answered 500 on PostgreSQL."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.tokens import api_token_issue
from motcua.dossiers.models import Dossier
from tests import factories

pytestmark = pytest.mark.django_db

WARD = "hn-phuong-hoan-kiem"


@pytest.fixture
def bearer() -> dict[str, str]:
    officer = factories.officer(WARD, Role.RECEPTION)
    _token, secret = api_token_issue(actor=None, owner=officer, name="nul", scope="act")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "body",
    [
        {"unit": "\x00", "procedure": "1.000001", "channel": "counter",
         "applicant": {"name": "Lê Văn A"}},
        {"unit": WARD, "procedure": "1.00\x000", "channel": "counter",
         "applicant": {"name": "Lê Văn A"}},
        {"unit": WARD, "procedure": "1.000001", "channel": "counter",
         "applicant": {"name": "Lê Văn A", "address": "ngõ \x00"}},
        {"unit": WARD, "procedure": "1.000001", "channel": "counter",
         "applicant": {"name": "Lê Văn A"}, "eform": {"key\x00": "value"}},
    ],
)  # fmt: skip
def test_a_body_with_nul_is_refused_as_unreadable(
    client: Client, bearer: dict[str, str], body: dict[str, object]
) -> None:
    for path in ("/api/v1/dossiers", "/api/v1/bundles"):
        response = client.post(path, body, content_type="application/json", **bearer)
        assert response.status_code == 400, (path, response.content)
        answer = response.json()
        assert answer["code"] == "body_unreadable"
        assert "NUL" in answer["message"]
        assert "NUL" in answer["message_en"]


@pytest.mark.parametrize(
    "body",
    [
        {"unit": "\ud800", "procedure": "1.004222", "channel": "counter",
         "applicant": {"name": "Lê Văn A"}},
        {"unit": WARD, "procedure": "1.004222", "channel": "counter",
         "applicant": {"name": "Lê Văn A"}, "checklist": ["Tờ khai \udfff"]},
        {"unit": WARD, "procedure": "1.004222", "channel": "counter",
         "applicant": {"name": "Lê Văn A", "address": "ngõ \ud83d"}},
        {"unit": WARD, "kind": "birth", "services": ["birth"], "channel": "counter",
         "applicant": {"name": "Lê Văn A"}, "subject": {"child_name": "Bé \ud800"}},
    ],
)  # fmt: skip
def test_a_body_with_a_lone_surrogate_is_refused_and_nothing_is_stored(
    client: Client, bearer: dict[str, str], body: dict[str, object]
) -> None:
    """JSON's ``"\\ud800"`` is no UTF-8 text: the database driver failed on it (a 500), and one
    stored in a checklist broke the dossier's receipt for good."""
    for path in ("/api/v1/dossiers", "/api/v1/bundles"):
        response = client.post(path, body, content_type="application/json", **bearer)
        assert response.status_code == 400, (path, response.content)
        assert response.json()["code"] == "body_unreadable"
        assert "ud800" in response.json()["message_en"]
    assert not Dossier.objects.exists()


def test_an_action_with_a_lone_surrogate_is_refused(client: Client, bearer: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/dossiers",
        {"unit": WARD, "procedure": "1.004222", "channel": "counter", "applicant": {"name": "An"}},
        content_type="application/json", **bearer,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    ref, version = created.json()["ref"], created.json()["version"]
    for body in ({"assignee": "\ud800x"}, {"to_unit": "\ud800"}, {"items": ["\ud800"]}):
        response = client.post(
            f"/api/v1/dossiers/{ref}/actions/request_supplement", {"version": version, **body},
            content_type="application/json", **bearer,
        )  # fmt: skip
        assert response.status_code == 400, (body, response.content)
    assert Dossier.objects.get(ref=ref).version == version


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/procedures?q=%00",
        "/api/v1/procedures?q=gi%E1%BA%A5y%00",
        "/api/v1/dossiers?q=%00",
        "/api/v1/dossiers?procedure=%00",
        "/api/v1/dossiers?tab=all&q=a&%00=1",
    ],
)
def test_a_query_with_nul_is_refused(client: Client, bearer: dict[str, str], path: str) -> None:
    response = client.get(path, **bearer)
    assert response.status_code == 400, (path, response.content)
    assert response.json()["code"] == "nul_refused"
    assert "NUL" in response.json()["message"]
    assert "NUL" in response.json()["message_en"]


@pytest.mark.parametrize(
    "path", ["/api/v1/dossiers/%00", "/api/v1/procedures/%00", "/api/v1/dossiers/HS%00/documents"]
)
def test_a_path_with_nul_is_refused(client: Client, bearer: dict[str, str], path: str) -> None:
    response = client.get(path, **bearer)
    assert response.status_code == 400, (path, response.content)
    assert response.json()["code"] == "nul_refused"


@pytest.mark.parametrize("path", ["/thu-tuc/%00/", "/tra-cuu/?ma=%00", "/can-bo/ho-so/HS%00/"])
def test_a_page_with_nul_in_its_address_is_the_bad_request_page(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, (path, response.content)
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page
    # It says why (reloading would send the same), in Vietnamese with the English below.
    assert "không được chứa ký tự NUL" in page
    assert "cannot contain the NUL character" in page


def test_the_bad_request_page_for_nul_is_english_for_who_chose_english(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/tra-cuu/?ma=%00").content.decode()
    assert "cannot contain the NUL character" in page
    assert "không được chứa ký tự NUL" not in page


def test_the_public_lookup_with_nul_in_its_form_is_refused(client: Client) -> None:
    response = client.post("/tra-cuu/", {"code": "HS\x00", "digits": "1234"})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    response = client.post("/tra-cuu/", {"code": "HS0001", "digits": "1234"})
    assert response.status_code == 200  # the same form without NUL is read
