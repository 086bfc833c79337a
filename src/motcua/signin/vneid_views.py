"""The two pages of the VNeID sign-in: leave for the provider, come back from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.common.clock import now

from . import vneid
from .requests import client_ip

NEXT_SESSION_KEY = "motcua_vneid_next"
BACKEND = "motcua.accounts.backends.IdentifierBackend"


def safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def back_to_login(request: HttpRequest, error: vneid.VneidRefused) -> HttpResponse:
    messages.error(request, str(error.message))
    chosen = request.session.pop(NEXT_SESSION_KEY, "")
    target = reverse("login")
    return redirect(f"{target}?{urlencode({'next': chosen})}" if chosen else target)


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    if not vneid.enabled():
        raise Http404
    request.session[NEXT_SESSION_KEY] = safe_next(request, request.GET.get("next", ""))
    try:
        return vneid.authorize_redirect(
            request, request.build_absolute_uri(reverse("signin:vneid-callback"))
        )
    except vneid.VneidRefused as error:
        return back_to_login(request, error)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    if not vneid.enabled():
        raise Http404
    try:
        identity = vneid.identity_from_callback(request)
        bound = vneid.identity_bind(identity, now(), client_ip(request))
    except vneid.VneidRefused as error:
        return back_to_login(request, error)
    chosen = request.session.pop(NEXT_SESSION_KEY, "")
    login(request, bound.user, backend=BACKEND)  # a new session key: the old one is worthless
    if bound.unproven_ended:
        messages.warning(request, str(vneid.MESSAGES["ended"]))
    return redirect(chosen or reverse("web:after-login"))
