from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language

from motcua.api import unknown
from motcua.common.storage import store_unreachable

logger = logging.getLogger(__name__)

# Shown by the browser's own viewer, which a strict policy breaks: Chromium renders a PDF in a
# synthetic page with an <embed> and inline styles, both refused under object-src/style-src.
VIEWER_TYPES = ("application/pdf",)


class NulRefusingMiddleware:
    """A path, query string or form holding the NUL character is refused with 400 before any
    view runs: PostgreSQL's text cannot hold NUL, and a value carrying one failed in the
    database with a server error wherever it reached a query (a ``%00`` in a dossier's
    reference in the URL, in the public lookup's code). The API answers in its own error shape
    (its JSON bodies: ``api.parsing``); pages with the 400 page."""

    FORM = "application/x-www-form-urlencoded"
    # After the session, language and user middleware: the 400 page is the person's own.

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.holds_nul(request):
            if unknown.is_api(request):
                return JsonResponse(NUL_REFUSED, status=400)
            # The 400 page saying why (reloading would send the same again), without the
            # traceback a BadRequest writes to the log for every such request.
            english = (get_language() or "").startswith("en")
            reason = {"reason": NUL_REFUSED["message_en" if english else "message"],
                      "reason_en": NUL_REFUSED["message_en"]}  # fmt: skip
            return render(request, "400.html", reason, status=400)
        return self.get_response(request)

    def holds_nul(self, request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        if request.method != "POST":
            return False
        if request.content_type == self.FORM:
            return b"%00" in request.body or b"\x00" in request.body
        if request.content_type == "multipart/form-data":  # its fields; files may hold NUL
            return any(
                "\x00" in value for _name, values in request.POST.lists() for value in values
            )
        return False


NUL_REFUSED = {
    "code": "nul_refused",
    "message": "Đường dẫn, tham số hoặc biểu mẫu không được chứa ký tự NUL (\\u0000).",
    "message_en": "The path, parameters or form cannot contain the NUL character (\\u0000).",
}


class HeadWithoutBodyMiddleware:
    """HEAD's answer is GET's without its body (RFC 9110), with the length GET's would have.
    The server drops a body sent anyway, and gunicorn logs a warning for each one (a helper
    counted 20 a run: an uptime monitor that asks HEAD would fill the log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD" and not getattr(response, "streaming", False):
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response


class MethodNotAllowedPageMiddleware:
    """A page address that takes only a form's POST, opened in the browser (a bookmark, a link
    copied from the address bar), answered 405 with Django's empty body: the browser showed its
    own English error. It gets our 405 page instead, in the person's language; the API answers
    in its own error shape (``api.unknown``), and answers HEAD where it takes GET."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        if unknown.is_api(request):
            if request.method == "HEAD" and "GET" in allowed_methods(response):
                return self.head_as_get(request)
            json = response.get("Content-Type", "").startswith("application/json")
            return response if json else unknown.method_not_allowed(request, response)
        if response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page

    def head_as_get(self, request: HttpRequest) -> HttpResponse:
        """HEAD where the API takes GET (HTTP's rule; uptime monitors ask it): the GET's answer,
        whose body the server leaves out (gunicorn, and Django's test client, do)."""
        request.method = "GET"
        try:
            return self.get_response(request)
        finally:
            request.method = "HEAD"


def allowed_methods(response: HttpResponse) -> set[str]:
    return {method.strip() for method in response.get("Allow", "").split(",")}


class ObjectStoreDownMiddleware:
    """A file that cannot be written or read because the object store does not answer gets a
    503 saying so, in the person's language (the API in its error shape), instead of the 500
    page: the upload's row is written only after its file (``document_prepare``), so nothing was
    saved, and sending again later works. Logged as an error for the operators."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if not store_unreachable(error):
            return None
        logger.error(
            "object store unreachable: %s %s", request.method, request.path, exc_info=error
        )
        if unknown.is_api(request):
            response: HttpResponse = JsonResponse(STORE_DOWN, status=503)
        else:
            response = render(request, "503_store.html", status=503)
        response["Retry-After"] = "60"
        return response


STORE_DOWN = {
    "code": "storage_unavailable",
    "message": "Kho lưu trữ tệp đang không phản hồi: chưa lưu hay mở được tệp. Vui lòng thử lại "
    "sau ít phút; tệp vừa gửi (nếu có) chưa được lưu, hãy gửi lại.",
    "message_en": "The file store is not answering: files cannot be saved or opened now. Please "
    "try again in a few minutes; a file just sent (if any) was not saved, send it again.",
}


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


# What a view can ask of django-csp for its own response (its decorators).
OWN_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
    "_csp_replace_ro",
)  # fmt: skip


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header on every response (decision 0036) but the PDFs the browser shows
    itself: they carry no script of ours, and nosniff keeps them from being read as HTML.

    A response that asks for nothing of its own (no decorator, no nonce: we have no inline
    script) gets the settings' policy, built once per process: django-csp builds the policy
    and the report-only one again for every response, a fifth of a cached catalog answer's
    CPU (issue 12). Anything else, and a setting this shortcut does not follow, goes to
    django-csp."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith(VIEWER_TYPES):
            response._csp_exempt = True  # type: ignore[attr-defined]
        if not self.settings_policy_only(request, response):
            return super().process_response(request, response)
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = settings_policy()
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

    @staticmethod
    def settings_policy_only(request: HttpRequest, response: HttpResponseBase) -> bool:
        policy: dict[str, Any] = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        return not (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in OWN_POLICY)
        )


@functools.cache
def settings_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def settings_policy_forget(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_policy.cache_clear()
