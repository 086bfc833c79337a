"""Public catalog pages and the catalog API: content, errors, valid HTML, the committed OpenAPI."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from django.conf import settings
from django.test import Client

from motcua.api.management.commands.openapi import schema_text

pytestmark = pytest.mark.django_db


def page(url: str, **headers: str) -> str:
    response = Client().get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/thu-tuc/?q=nhap+ho+khau", "/thu-tuc/1.004222/", "/thu-tuc/1.001612/", "/thu-tuc/linh-vuc/",
     "/thu-tuc/thong-ke/", "/lich-lam-viec/2026/", "/dang-nhap/"],
)  # fmt: skip
def test_pages_are_valid_html(url: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page(url))


def test_detail_of_1004222_shows_its_residence_cases_and_documents() -> None:
    """Six situations and the vehicle group the record names like the owner's, kept apart."""
    html = page("/thu-tuc/1.004222/")
    document = html5lib.parse(html, namespaceHTMLElements=False)
    cases = [h.text for h in document.iter("h3") if h.text != "Giấy tờ chung"]
    assert len(cases) == len(set(cases)) == 7
    assert "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in cases
    assert "Tờ khai thay đổi thông tin cư trú" in html
    assert "7 ngày làm việc" in html
    assert "20.000 đ" in html
    assert "10.000 đ" in html
    assert "Nộp hồ sơ" in html


def test_detail_says_when_it_would_be_due() -> None:
    assert "nếu được tiếp nhận bây giờ, hạn trả là 17:00 ngày" in page("/thu-tuc/1.004222/")


def test_a_catalog_only_procedure_is_honest_about_missing_documents() -> None:
    assert "chưa cung cấp thành phần hồ sơ" in page("/thu-tuc/1.001612/")


def test_search_page_answers_htmx_with_the_results_only() -> None:
    partial = page("/thu-tuc/?q=dang+ky+khai+sinh", HTTP_HX_REQUEST="true")
    assert "<html" not in partial
    assert "Thủ tục đăng ký khai sinh" in partial


def test_bad_page_numbers_and_unknown_codes_do_not_break_pages() -> None:
    assert Client().get("/thu-tuc/?q=x&page=abc").status_code == 200
    assert Client().get("/thu-tuc/?q=" + "a" * 5000).status_code == 200
    assert Client().get("/thu-tuc/khong-co-ma-nay/").status_code == 404


def test_stats_page_counts_by_online_level() -> None:
    html = page("/thu-tuc/thong-ke/")
    assert "Toàn trình" in html
    assert "Một phần" in html
    assert "Sở Tư pháp thành phố Hà Nội" in html


def test_api_search() -> None:
    body = Client().get("/api/v1/procedures", {"q": "dang ky khai sinh", "page_size": 2}).json()
    assert body["items"][0]["code"] == "1.001193"
    assert body["page_size"] == 2
    assert body["total"] >= body["pages"] >= 2


def test_api_detail() -> None:
    body = Client().get("/api/v1/procedures/1.004222").json()
    assert len([g for g in body["requirement_groups"] if g["name"]]) == 7
    assert len(body["receiving_units"]) == 126  # every ward's and commune's police
    assert body["cases"][0]["time_limit_text"] == "7 ngày làm việc"
    assert body["process"]["status"] == "active"
    assert body["eform_schema"]["title"].startswith("Tờ khai")


def test_api_stats_for_the_city_and_a_unit() -> None:
    city = Client().get("/api/v1/catalog/stats").json()
    assert city["total"] == sum(city["online"].values())
    unit = Client().get("/api/v1/catalog/stats", {"unit": "hn-so-tu-phap"}).json()
    assert 0 < unit["total"] < city["total"]


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/procedures/9.999999", 404, "Không có thủ tục"),
        ("/api/v1/procedures?level=quan", 422, "Tham số không hợp lệ"),
        ("/api/v1/procedures?page_size=1000", 422, "page_size"),
        ("/api/v1/procedures?unit=khong-co", 404, "Không có đơn vị"),
        ("/api/v1/procedures?page=-1", 422, "page"),
        ("/api/v1/catalog/stats?unit=x", 404, "Không có đơn vị"),
    ],
)
def test_api_errors_are_clear_in_both_languages(url: str, status: int, message: str) -> None:
    response = Client().get(url)
    assert response.status_code == status
    body = response.json()
    assert message in body["message"]
    assert body["message_en"]


def test_openapi_docs_are_published() -> None:
    assert Client().get("/api/docs").status_code == 302
    assert Client().get("/api/v1/docs").status_code == 200
    assert "/api/v1/procedures" in Client().get("/api/v1/openapi.json").json()["paths"]


def test_committed_openapi_schema_matches_the_code() -> None:
    committed = Path(settings.PROJECT_DIR, "docs", "openapi.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run `motcua openapi --write docs/openapi.json`"
