"""Session limits and the two-factor gate (decision 0012).

``SessionLifetimeMiddleware`` signs a session out after ``MOTCUA_IDLE_MINUTES_*`` without a
request, or ``MOTCUA_SESSION_MAX_HOURS`` after the password sign-in, whichever comes first.
``TwoFactorMiddleware`` sends an officer or administrator who has typed the password but not yet
a second-factor code to the verification (or enrolment) page, for every page but the few that
page needs; API calls from such a session are treated as anonymous, so bearer tokens still work.
``SensitiveAdminMiddleware`` asks for the password again before role and account changes made in
the Django admin, like ``require_recent_auth`` does on our own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from motcua.api import unknown
from motcua.common.clock import now

from .constants import SignInEventKind
from .decorators import SAFE_METHODS, require_recent_auth
from .policy import (
    SEEN_GRAIN_SECONDS,
    SESSION_IDLE_MINUTES,
    SESSION_SEEN_AT,
    SESSION_SIGNED_IN_AT,
    epoch,
    otp_verified,
    two_factor_applies,
)
from .requests import client_ip
from .services import signin_event_record, user_has_second_factor

GetResponse = Callable[[HttpRequest], HttpResponse]

# What a signed-in but not yet verified officer may still open.
OPEN_BEFORE_VERIFICATION = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
        "readyz",
        "statusz",
        "signin:verify",
        "signin:enrol",
        "signin:recovery-codes",
        "admin:logout",
    }
)
# Admin pages whose changes need a fresh password: accounts and roles, groups, OTP devices.
SENSITIVE_ADMIN_PREFIXES = ("accounts_", "auth_", "otp_totp_", "otp_static_")


class SessionLifetimeMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            expired = self.expired_because(session)
            if expired is not None:
                self.sign_out(request, expired)
            else:
                stamp = epoch()
                if stamp - session[SESSION_SEEN_AT] >= SEEN_GRAIN_SECONDS:
                    session[SESSION_SEEN_AT] = stamp
        return self.get_response(request)

    @staticmethod
    def expired_because(session: Any) -> str | None:
        signed_in = session.get(SESSION_SIGNED_IN_AT)
        seen = session.get(SESSION_SEEN_AT)
        idle = session.get(SESSION_IDLE_MINUTES)
        if not all(isinstance(value, int) for value in (signed_in, seen, idle)):
            # A session signed in before these limits existed: it has no stamps to trust.
            return SignInEventKind.MAX_AGE_EXPIRED
        stamp = epoch()
        if stamp - signed_in > float(settings.MOTCUA_SESSION_MAX_HOURS) * 3600:
            return SignInEventKind.MAX_AGE_EXPIRED
        if stamp - seen > idle * 60:
            return SignInEventKind.IDLE_EXPIRED
        return None

    @staticmethod
    def sign_out(request: HttpRequest, reason: str) -> None:
        user = request.user
        idle = request.session.get(SESSION_IDLE_MINUTES)
        if user.is_authenticated:
            signin_event_record(
                user=user,
                kind=reason,
                at=now(),
                ip_address=client_ip(request),
            )
        logout(request)
        if reason == SignInEventKind.IDLE_EXPIRED:
            text = _(
                "Phiên đăng nhập đã kết thúc vì không có thao tác nào trong %(minutes)s phút. "
                "Hãy đăng nhập lại."
            ) % {"minutes": idle}
        else:
            text = _("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.")
        messages.info(request, text)


class TwoFactorMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MOTCUA_REQUIRE_OFFICER_2FA:
            response = self.gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def gate(request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or otp_verified(user) or not two_factor_applies(user):
            return None
        if unknown.is_api(request):
            # The session does not count for the API until verified; a bearer token still does.
            request.user = AnonymousUser()
            return None
        try:
            if resolve(request.path_info).view_name in OPEN_BEFORE_VERIFICATION:
                return None
        except Resolver404:
            pass
        target = reverse("signin:verify" if user_has_second_factor(user) else "signin:enrol")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)


class SensitiveAdminMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            or match is None
            or match.namespace != "admin"
            or not (match.url_name or "").startswith(SENSITIVE_ADMIN_PREFIXES)
        ):
            return None
        return require_recent_auth(view_func)(request, *view_args, **view_kwargs)
