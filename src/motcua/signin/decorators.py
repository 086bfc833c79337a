"""``require_recent_auth``: a sensitive change needs the password, unless it was typed lately.

Sign-in and each confirmation stamp the session; within ``MOTCUA_REAUTH_MINUTES`` (5) of that
stamp the change goes through. Otherwise the request is answered with a page that asks for the
current password and posts the same fields again, so nothing typed is lost and no change is made
until the password is right. Wrong passwords count towards the sign-in lock (django-axes).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.common.clock import now

from .constants import SignInEventKind
from .forms import PasswordConfirmForm
from .policy import password_confirmed, recently_authenticated
from .requests import client_ip
from .services import signin_event_record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REAUTH_FIELD = "current_password"
NOT_CARRIED = frozenset({REAUTH_FIELD, "csrfmiddlewaretoken"})

View = Callable[..., HttpResponse]


def password_reconfirm(request: HttpRequest, password: str) -> bool:
    """Check the signed-in person's password again, through the sign-in backends (and their
    lock), and stamp the session when it is right."""
    user = request.user
    found = authenticate(request, username=user.get_username(), password=password)
    ok = found is not None and found.pk == user.pk
    signin_event_record(
        user=user,  # type: ignore[arg-type]
        kind=SignInEventKind.REAUTH_OK if ok else SignInEventKind.REAUTH_FAILED,
        at=now(),
        ip_address=client_ip(request),
        detail=request.path[:255],
    )
    if ok:
        password_confirmed(request)
    return ok


def without_password(request: HttpRequest) -> None:
    if REAUTH_FIELD in request.POST:
        data = request.POST.copy()
        data.pop(REAUTH_FIELD)
        request.POST = data  # type: ignore[assignment]


def require_recent_auth(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if recently_authenticated(request):
            without_password(request)
            return view(request, *args, **kwargs)
        form = PasswordConfirmForm(request.POST if REAUTH_FIELD in request.POST else None)
        if form.is_bound and form.is_valid():
            if password_reconfirm(request, form.cleaned_data[REAUTH_FIELD]):
                without_password(request)
                return view(request, *args, **kwargs)
            form.add_error(REAUTH_FIELD, _("Mật khẩu không đúng."))
        carried = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in NOT_CARRIED
            for value in values
        ]
        return render(
            request,
            "signin/confirm_password.html",
            {"form": form, "carried": carried, "action": request.get_full_path()},
        )

    return wrapped
