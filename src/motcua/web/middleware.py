from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

# Shown by the browser's own viewer, which a strict policy breaks: Chromium renders a PDF in a
# synthetic page with an <embed> and inline styles, both refused under object-src/style-src.
VIEWER_TYPES = ("application/pdf",)


class VietnameseFirstMiddleware:
    """Serve Vietnamese unless the person chose English with the language switch.

    Many Vietnamese users run browsers set to English; following the browser's Accept-Language
    would show them an English site they did not ask for. The explicit choice (the language cookie)
    still wins, so this runs just before Django's LocaleMiddleware and hides the header from it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header on every response (decision 0036) but the PDFs the browser shows
    itself: they carry no script of ours, and nosniff keeps them from being read as HTML."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith(VIEWER_TYPES):
            response._csp_exempt = True  # type: ignore[attr-defined]
        return super().process_response(request, response)
