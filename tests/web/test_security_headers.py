"""Security headers (decision 0036): a strict Content-Security-Policy on every kind of page, in
every mode; none on the PDFs the browser shows itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings

from motcua.accounts.models import User
from motcua.web.middleware import VIEWER_TYPES
from tests import factories

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
}


def directives(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return dict(parts)


def assert_strict(response: object) -> None:
    found = directives(response)
    for name, value in STRICT.items():
        assert found.get(name) == value, (name, found)
    assert "unsafe" not in response["Content-Security-Policy"]  # type: ignore[index]


def officer_client() -> Client:
    client = Client()
    client.force_login(factories.officer("hn-phuong-hoan-kiem", "reception"))
    return client


def test_public_pages_carry_the_strict_policy() -> None:
    client = Client()
    for path in ("/", "/thu-tuc/", "/thu-tuc/?q=khai+sinh", "/tra-cuu/", "/dang-nhap/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)


def test_officer_admin_and_api_pages_carry_the_strict_policy() -> None:
    assert_strict(officer_client().get("/can-bo/ho-so/"))
    admin = Client()
    admin.force_login(User.objects.create_superuser("sieuquantri", "a@ex.vn", factories.PASSWORD))
    assert_strict(admin.get("/quan-tri/"))
    assert_strict(admin.get("/quan-tri/accounts/user/"))
    api = Client().get("/api/v1/procedures")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("application/json")
    assert_strict(api)
    assert_strict(Client().get("/api/v1/docs"))
    assert_strict(Client().get("/khong-co-trang-nay/"))  # errors too


def test_the_api_docs_use_our_static_swagger_ui_not_a_cdn() -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-init.js" in page
    assert "https://" not in page


def test_forms_post_here_and_to_the_payment_gateway_only() -> None:
    from motcua import settings as motcua_settings

    form_action = motcua_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    assert form_action[0] == "'self'"
    assert motcua_settings.origins(["https://pay.example.vn/api/v1?x=1", "", "bad"]) == [
        "https://pay.example.vn"
    ]


def test_html_has_no_inline_script_handler_or_style() -> None:
    client = officer_client()
    for path in ("/", "/thu-tuc/", "/can-bo/ho-so/", "/can-bo/tiep-nhan/"):
        page = client.get(path).content.decode()
        assert "<script>" not in page
        assert " style=" not in page
        assert " onclick=" not in page
        assert '"includeIndicatorStyles": false' in page  # htmx adds no <style> of its own


@override_settings(DEBUG=False)
def test_a_pdf_shown_by_the_browser_has_no_policy() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from motcua.web.middleware import ContentSecurityPolicyMiddleware

    request = RequestFactory().get("/x.pdf")
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse(b"%PDF-1.7"))
    pdf = HttpResponse(b"%PDF-1.7", content_type=VIEWER_TYPES[0])
    assert "Content-Security-Policy" not in middleware.process_response(request, pdf)
    html = HttpResponse(b"<p>x</p>")
    assert "Content-Security-Policy" in middleware.process_response(request, html)


def policy_pair(request_nonce: bool = False, **own: object) -> tuple[str | None, str | None]:
    """The header ours writes and the one django-csp itself writes, for one response."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from motcua.web.middleware import ContentSecurityPolicyMiddleware

    found = []
    for middleware_class in (ContentSecurityPolicyMiddleware, CSPMiddleware):
        request = RequestFactory().get("/")
        middleware = middleware_class(lambda r: HttpResponse(b""))
        middleware.process_request(request)
        if request_nonce:
            str(request.csp_nonce)  # type: ignore[attr-defined]
        response = HttpResponse(b"<p>x</p>")
        for name, value in own.items():
            setattr(response, name, value)
        found.append(middleware.process_response(request, response).get("Content-Security-Policy"))
    return found[0], found[1]


def test_the_policy_built_once_is_the_one_django_csp_builds() -> None:
    ours, theirs = policy_pair()
    assert ours == theirs
    assert ours is not None
    assert "default-src 'self'" in ours
    ours, theirs = policy_pair(_csp_update={"img-src": ["https://maps.example"]})
    assert ours == theirs
    assert "https://maps.example" in (ours or "")
    assert policy_pair(request_nonce=True) == policy_pair()  # a nonce used: django-csp's path
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}
    ):  # a changed setting is followed, not the policy built before it
        ours, theirs = policy_pair()
        assert ours == theirs == "default-src 'none'"
    assert policy_pair()[0] == policy_pair()[1] != "default-src 'none'"


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=31536000,
)
def test_production_redirects_to_https_but_not_the_probes() -> None:
    client = Client()
    plain = client.get("/thu-tuc/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/thu-tuc/"
    for probe in ("/healthz", "/readyz", "/statusz"):  # probed over plain HTTP
        # answered, not redirected (/statusz may say 503 here: no worker beats in this test)
        assert client.get(probe).status_code in (200, 503), probe
    proxied = client.get("/thu-tuc/", headers={"x-forwarded-proto": "https"})
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
