"""The API's prefix answers in the API's error shape where no operation does (session 43, a
helper's finding): an unknown path, a trailing slash, a path of thousands of characters. The
site's own unknown pages keep the HTML page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

JSON = "application/json; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        ("/api/v1/dossiers/", "/api/v1/dossiers"),
        ("/api/v1/procedures/1.004222/", "/api/v1/procedures/1.004222"),
    ],
)
def test_a_trailing_slash_is_told_the_path_that_exists(path: str, meant: str) -> None:
    answer = Client().get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == JSON
    body = answer.json()
    assert body["code"] == "not_found"
    assert f"({meant})" in body["message"]
    assert body["message_en"].endswith(f"drop the trailing “/” ({meant}).")


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/dossiers", "/api/v1/nothing/", "/api"]
)
def test_an_unknown_path_points_to_the_list_of_paths(path: str) -> None:
    answer = Client().get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == JSON
    body = answer.json()
    assert body["code"] == "not_found"
    assert body["message_en"] == f"No API path {path}. The paths: /api/v1/docs"


def test_a_long_path_is_not_written_back_whole() -> None:
    path = "/api/v1/" + "a" * 5000
    body = Client().get(path).json()
    assert body["code"] == "not_found"
    assert len(body["message"]) < 200
    assert path[:80] + "…" in body["message"]


def test_the_site_keeps_its_page() -> None:
    answer = Client().get("/khong-co-trang-nay/")
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("text/html")
    assert "<html" in answer.content.decode()
