"""The JSON API, version 1. OpenAPI at /api/docs (UI) and /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from . import bundles, catalog, dossiers, indicators, payments, timeline
from .errors import ApiError
from .parsing import NulRefusingParser
from .rendering import FastJSONRenderer
from .throttling import AddressRateThrottle

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_CONTENT = {"application/json": {"schema": ERROR_REF}}


class DocumentedErrorsApi(NinjaAPI):
    """Writes into every operation the answers the framework itself may give, so that the
    document holds every status a client can see: 400 for a body that is not JSON, 422 for a
    parameter or body of the wrong shape, 401 without valid credentials where they are needed."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                add_framework_errors(operation)
        return schema


def add_framework_errors(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    # Every request is refused with a NUL in its path, parameters or form (``nul_refused``);
    # one with a body also when the body is not readable (``body_unreadable``).
    statuses = [(400, "Yêu cầu không đọc được / unreadable request")]
    if "requestBody" in operation or operation.get("parameters"):
        statuses += [(422, "Tham số không hợp lệ / invalid input")]
    if operation.get("security"):
        statuses += [(401, "Chưa xác thực / unauthorized")]
    statuses += [(429, "Quá nhiều yêu cầu / too many requests")]  # every operation is throttled
    for status, description in statuses:
        responses.setdefault(status, {"description": description, "content": ERROR_CONTENT})


api = DocumentedErrorsApi(
    renderer=FastJSONRenderer(),
    title="Một Cửa API",
    version="1.0.0",
    description="API của hệ thống Một Cửa Hà Nội / Một Cửa Hà Nội API. Lỗi trả về "
    "{code, message (tiếng Việt), message_en}. Thao tác bị từ chối / a refused action: 403 "
    "`forbidden` (cán bộ không có quyền / the officer may not), 422 mang tên quy tắc / named "
    "after the rule (`supplement_already_requested`, `transition_not_allowed`, "
    "`missing_input`, `invalid_value`, `no_receiving_competence`, …; `refused` otherwise), "
    "message_en "
    "là câu của quy tắc bằng tiếng Anh / the rule's own sentence in English. 503 "
    "`storage_unavailable`: kho lưu trữ tệp không phản hồi, chưa lưu gì, gửi lại sau / the file "
    "store is not answering, nothing was saved, send again later (`Retry-After`).\n\n"
    "Mã truy cập (Bearer) / API tokens: mỗi mã gắn với một cán bộ, có phạm vi `read` (chỉ đọc) "
    "hoặc `act` (đọc và thao tác), chỉ dùng ở các đơn vị ghi trên mã, có hạn dùng và có thể bị "
    "thu hồi. Each token acts as one officer, with scope `read` or `act`, only in the units it "
    "lists, until it expires or is revoked. 401 `token_expired`, `token_revoked`, "
    "`token_account_locked`; 403 `token_read_only` on actions with a read token; 404 for a "
    "dossier outside the token's units. Events written through a token carry "
    "`payload.via_token` {id, name}. 429 `rate_limited` (với / with `Retry-After`): "
    "quá số yêu cầu cho phép của một địa chỉ / past a client address's request limit. "
    "404 `not_found` cho đường dẫn không có (kể cả dấu “/” thừa ở cuối) / for a path that does "
    "not exist (a trailing “/” included); 405 `method_not_allowed` với / with `Allow`.",
    urls_namespace="api-v1",
    docs_url="/docs",
    throttle=[AddressRateThrottle()],
    parser=NulRefusingParser(),
)
api.add_router("/", catalog.router)
api.add_router("/", dossiers.router)
api.add_router("/", bundles.router)
api.add_router("/", indicators.router)
api.add_router("/", timeline.router)
api.add_router("/", payments.router)


def split_message(text: str) -> tuple[str, str]:
    vi, separator, en = str(text).partition(" / ")
    return vi, en if separator else vi


# The framework's own refusals, in English only, given a code and a Vietnamese message.
FRAMEWORK_ERRORS = {
    "Cannot parse request body": (
        "body_unreadable",
        "Không đọc được nội dung yêu cầu: cần JSON hợp lệ, mã UTF-8, không có ký tự NUL (\\u0000) "
        "hay ký tự thay thế đơn lẻ (\\ud800–\\udfff).",
        "The request body could not be read: send valid JSON in UTF-8, without the NUL character "
        "(\\u0000) or lone surrogates (\\ud800–\\udfff).",
    ),
    "CSRF check Failed": (  # ninja's session-cookie auth on an unsafe method
        "csrf_failed",
        "Yêu cầu dùng phiên đăng nhập của trình duyệt nhưng thiếu mã CSRF. Ứng dụng khác hãy gửi "
        "mã truy cập API (Authorization: Bearer …).",
        "The request uses a browser session but lacks its CSRF token. Other clients send an API "
        "token (Authorization: Bearer …).",
    ),
    "Too many requests.": (  # ninja's Throttled
        "rate_limited",
        "Quá nhiều yêu cầu. Vui lòng thử lại sau.",
        "Too many requests. Please try again later.",
    ),
}


def error_response(
    request: HttpRequest, status: int, code: str, vi: str, en: str, **extra: Any
) -> HttpResponse:
    """The API's one error shape: ``{code, message (Vietnamese), message_en, …}``."""
    body = {"code": code, "message": vi, "message_en": en, **extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(HttpError)  # Throttled (429) too: it is an HttpError
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    known = FRAMEWORK_ERRORS.get(str(error).partition(" (")[0])
    if known is not None:
        code, vi, en = known
    elif isinstance(error, ApiError):
        code, vi, en = error.code, error.message_vi, error.message_en
    else:
        vi, en = split_message(str(error))
        code = getattr(error, "code", f"http_{error.status_code}")
    return error_response(request, error.status_code, code, vi, en)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields = ", ".join(".".join(str(p) for p in item.get("loc", [])[1:]) for item in error.errors)
    return error_response(
        request, 422, "invalid_input", f"Tham số không hợp lệ: {fields}",
        f"Invalid parameters: {fields}", errors=error.errors,
    )  # fmt: skip


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthorized", "Cần đăng nhập hoặc mã truy cập (Bearer) hợp lệ.",
        "Sign in, or send a valid Bearer token.",
    )  # fmt: skip
