"""Two-factor pages: verify at sign-in, enrol an authenticator, recovery codes, security page."""

from __future__ import annotations

from base64 import b32encode
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.common.throttle import by_account_and_address, rate_limited

from .decorators import require_recent_auth
from .forms import CodeForm, EnrolCodeForm
from .policy import otp_verified, two_factor_applies
from .requests import client_ip
from .services import (
    otp_verify,
    recovery_code_display,
    recovery_codes_left,
    recovery_codes_regenerate,
    totp_device_confirmed,
    totp_device_pending,
    totp_device_reset_start,
    totp_enrolment_confirm,
    totp_enrolment_start,
    user_has_second_factor,
)

RECOVERY_CODES_SESSION_KEY = "motcua_recovery_codes_once"
FEW_RECOVERY_CODES = 3


def next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def with_next(name: str, request: HttpRequest) -> str:
    target = reverse(name)
    chosen = request.POST.get("next") or request.GET.get("next")
    return f"{target}?{urlencode({'next': chosen})}" if chosen else target


def signed_in_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not two_factor_applies(user):
        raise PermissionDenied(_("Xác thực hai bước dành cho cán bộ và quản trị viên."))
    return user


def is_verified(request: HttpRequest) -> bool:
    return otp_verified(request.user)


def verified_session_start(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    # A new session key once the second factor is in: a key seen before verification is useless.
    request.session.cycle_key()
    otp_login(request, device)


@login_required
@rate_limited(("otp", by_account_and_address))
def verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not two_factor_applies(user) or is_verified(request):
        return redirect(next_url(request))
    if not user_has_second_factor(user):
        return redirect(with_next("signin:enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_verify_for(request, user, form.cleaned_data["otp_token"])
        except DomainError as error:
            form.add_error("otp_token", str(error.message))
        else:
            verified_session_start(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã dự phòng; còn lại %(left)s mã.") % {"left": left},
                )
                if totp_device_confirmed(user) is None:
                    return redirect(with_next("signin:enrol", request))
            return redirect(next_url(request))
    return render(
        request,
        "signin/verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def otp_verify_for(request: HttpRequest, user: User, token: str) -> TOTPDevice | StaticDevice:
    device = otp_verify(user=user, token=token, at=now(), ip_address=client_ip(request))
    return cast(TOTPDevice | StaticDevice, device)


def secret_text(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@rate_limited(("otp", by_account_and_address))
def enrol(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user_has_second_factor(user) and not is_verified(request):
        # Adding an authenticator needs the one already there: a password alone is not enough.
        return redirect(with_next("signin:verify", request))
    pending = totp_device_pending(user)
    if pending is None:
        if totp_device_confirmed(user) is not None:
            return redirect("signin:security")
        pending = totp_enrolment_start(user=user)
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrolment_confirm(
                user=user,
                device_id=pending.pk,
                token=form.cleaned_data["otp_token"],
                at=now(),
                ip_address=client_ip(request),
            )
        except DomainError as error:
            form.add_error("otp_token", str(error.message))
        else:
            verified_session_start(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = [
                recovery_code_display(code) for code in codes
            ]
            return redirect(with_next("signin:recovery-codes", request))
    import segno  # the QR code of a new authenticator only: not loaded by every worker

    qr = segno.make(pending.config_url, error="m")
    return render(
        request,
        "signin/enrol.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, border=2, title=_("Mã QR để thêm tài khoản")),
            "secret": secret_text(pending),
            "issuer": settings.OTP_TOTP_ISSUER,
            "replacing": totp_device_confirmed(user) is not None,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once: the page reads them out of the session and forgets them."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, _("Mã dự phòng chỉ hiện một lần. Có thể tạo bộ mã mới tại đây."))
        return redirect("signin:security")
    response = render(
        request,
        "signin/recovery_codes.html",
        {"codes": codes, "next": next_url(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "signin/security.html",
        {
            "device": totp_device_confirmed(user),
            "codes_left": recovery_codes_left(user),
            "few_codes": FEW_RECOVERY_CODES,
            "required": bool(settings.MOTCUA_REQUIRE_OFFICER_2FA),
            "reauth_minutes": settings.MOTCUA_REAUTH_MINUTES,
        },
    )


@login_required
@require_POST
@require_recent_auth
def codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if totp_device_confirmed(user) is None:
        return redirect("signin:enrol")
    codes = recovery_codes_regenerate(user=user, at=now(), ip_address=client_ip(request))
    request.session[RECOVERY_CODES_SESSION_KEY] = [recovery_code_display(c) for c in codes]
    back = urlencode({"next": reverse("signin:security")})
    return redirect(f"{reverse('signin:recovery-codes')}?{back}")


@login_required
@require_POST
@require_recent_auth
def device_reset(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    totp_device_reset_start(user=user, at=now(), ip_address=client_ip(request))
    return redirect("signin:enrol")
