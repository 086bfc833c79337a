"""Who calls the API: an officer's token (integrators) or the browser session of a signed-in
officer (the pages' own calls). Every router of officers' endpoints takes both."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from motcua.accounts.models import User
from motcua.accounts.tokens import TokenRefused, api_token_authenticate
from motcua.common.clock import now

from .errors import ApiError


class TokenAuth(HttpBearer):
    openapi_description = (
        "Mã truy cập API của một cán bộ (motcua api-token): phạm vi read/act, giới hạn đơn vị, "
        "có hạn dùng. / An officer's API token: scope read/act, limited to units, expiring."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            found = api_token_authenticate(secret=token, at=now())
        except TokenRefused as refused:
            raise ApiError(401, refused.code, str(refused.message), refused.message_en) from None
        if found is None:
            # A request that shows a token is judged by it alone: never by a session cookie
            # that happens to come with it (whose CSRF check would answer with another error).
            raise ApiError(
                401, "unauthorized", "Mã truy cập API không đúng hoặc không tồn tại.",
                "The API token is not known.",
            )  # fmt: skip
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (CSRF-checked by ninja for unsafe methods)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie: nothing to check CSRF for, and the answer is 401 ("who are you"),
        # not a CSRF refusal of a session the client never had.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
