"""What the API's prefix answers where no operation does: a path it has no operation for (404)
and a method the operation does not take (405), in the API's error shape rather than the site's
HTML pages or the framework's plain text. An integrator who writes ``/api/v1/dossiers/`` (a
trailing slash) is told the path that exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.views import defaults

API_PREFIX = "/api/"
SHOWN = 80  # characters of an unknown path written back (never the whole of a long one)


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: the API's 404 for its paths, the site's page elsewhere."""
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    from .urls import error_response  # the API's shape (its module imports every router)

    path = request.path_info
    shown = path if len(path) <= SHOWN else f"{path[:SHOWN]}…"
    without = path.rstrip("/")
    if without != path and resolves(without):
        meant = request.path.rstrip("/")  # with the script prefix, as the client writes it
        return error_response(
            request, 404, "not_found", f"Không có đường dẫn API {shown}: bỏ dấu “/” ở cuối ({meant}).",
            f"No API path {shown}: drop the trailing “/” ({meant}).",
        )  # fmt: skip
    docs = reverse("api-v1:openapi-view")
    return error_response(
        request, 404, "not_found", f"Không có đường dẫn API {shown}. Các đường dẫn: {docs}",
        f"No API path {shown}. The paths: {docs}",
    )  # fmt: skip


def resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def method_not_allowed(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """The framework's 405 ("Method not allowed", plain text) in the API's shape, with the
    methods the path takes (``Allow`` kept, HEAD added where GET is: it is answered there)."""
    from .urls import error_response

    allowed = allowed_with_head(refused.get("Allow", ""))
    answer = error_response(
        request, 405, "method_not_allowed",
        f"Đường dẫn này không nhận phương thức {request.method}; phương thức nhận: {allowed}.",
        f"This path does not take {request.method}; it takes: {allowed}.",
    )  # fmt: skip
    answer["Allow"] = allowed
    return answer


def allowed_with_head(allowed: str) -> str:
    """``Allow`` as ninja writes it (GET paths register GET only), with HEAD where GET is."""
    methods = [method.strip() for method in allowed.split(",") if method.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(methods)
