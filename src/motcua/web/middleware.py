from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
