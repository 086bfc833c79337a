"""Two-factor enrolment and verification, recovery codes, the sign-in audit trail.

The one-time passwords themselves are django-otp's: RFC 6238 TOTP devices with its replay guard
(a code is accepted once: ``last_t``) and its exponential throttling after failures, and static
devices for recovery codes (each code deleted when used). These services add what the library
leaves to the project: one authenticator per account, recovery codes replaced as a set, and an
audit row for every change and every verification, written in the same transaction.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.common.clock import VIETNAM
from motcua.common.errors import DomainError

from .constants import SignInEventKind
from .models import SignInEvent

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã dự phòng"
TOTP_SHAPE = re.compile(r"[0-9]{6}")


class CodeRefused(DomainError):
    """The code does not match (or was already used)."""


class CodeThrottled(DomainError):
    """Too many wrong codes in a row: django-otp refuses to check any code until ``until``."""

    def __init__(self, until: datetime.datetime | None) -> None:
        message: str | Promise
        if until is None:
            message = _("Bạn đã nhập sai mã nhiều lần liên tiếp. Hãy chờ một lát rồi thử lại.")
        else:
            shown = formats.time_format(until.astimezone(VIETNAM), "H:i:s")
            message = _("Bạn đã nhập sai mã nhiều lần liên tiếp. Hãy thử lại sau %(time)s.") % {
                "time": shown
            }
        super().__init__(message)
        self.until = until


def code_normalise(token: str) -> str:
    """Codes are typed with spaces or dashes ("123 456", "abcd-efgh"); recovery codes any case."""
    return re.sub(r"[\s\-]", "", token or "").lower()


def recovery_code_display(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


def signin_event_record(
    *,
    user: User,
    kind: str,
    at: datetime.datetime,
    ip_address: str | None = None,
    detail: str = "",
) -> SignInEvent:
    return SignInEvent.objects.create(
        user=user, kind=kind, at=at, ip_address=ip_address or None, detail=detail[:255]
    )


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_device_pending(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def user_has_second_factor(user: User) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator waiting to be confirmed, created once (reloading shows the same secret)."""
    with transaction.atomic():
        pending = totp_device_pending(user)
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
        return pending


def totp_device_reset_start(
    *, user: User, at: datetime.datetime, ip_address: str | None = None
) -> TOTPDevice:
    """Start replacing the authenticator: a fresh secret; the old one works until confirmed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        pending = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
        signin_event_record(
            user=user, kind=SignInEventKind.DEVICE_RESET, at=at, ip_address=ip_address
        )
    return pending


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def _throttle_check(device: TOTPDevice | StaticDevice) -> None:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        raise CodeThrottled((info or {}).get("locked_until"))


def totp_enrolment_confirm(
    *,
    user: User,
    device_id: int,
    token: str,
    at: datetime.datetime,
    ip_address: str | None = None,
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; returns the new recovery codes.

    The confirmed device replaces any earlier one, and the recovery codes are replaced as a set:
    the old ones stop working.
    """
    code = code_normalise(token)
    refused: DomainError | None = None
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        if device is None:
            raise CodeRefused(_("Phiên đăng ký đã hết hiệu lực. Hãy bắt đầu lại."))
        try:
            _throttle_check(device)
        except CodeThrottled as error:
            refused = error
        else:
            if device.verify_token(code):
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _recovery_codes_replace(user)
                signin_event_record(
                    user=user, kind=SignInEventKind.ENROLLED, at=at, ip_address=ip_address
                )
                return device, codes
            refused = CodeRefused(_("Mã xác thực không đúng. Hãy nhập mã 6 chữ số đang hiện."))
        signin_event_record(
            user=user,
            kind=SignInEventKind.OTP_FAILED,
            at=at,
            ip_address=ip_address,
            detail="enrolment",
        )
    raise refused


def recovery_codes_regenerate(
    *, user: User, at: datetime.datetime, ip_address: str | None = None
) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        signin_event_record(
            user=user, kind=SignInEventKind.CODES_REGENERATED, at=at, ip_address=ip_address
        )
    return codes


def otp_verify(
    *, user: User, token: str, at: datetime.datetime, ip_address: str | None = None
) -> Device:
    """Check a second-factor code: six digits go to the authenticator, anything else is tried as
    a recovery code (which is then used up). Failures count towards django-otp's throttle of the
    device tried, and are recorded."""
    code = code_normalise(token)
    device: TOTPDevice | StaticDevice | None
    refused: DomainError
    with transaction.atomic():
        if TOTP_SHAPE.fullmatch(code):
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-pk")
                .first()
            )
        else:
            device = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
        if device is None:
            refused = CodeRefused(_("Mã xác thực không đúng."))
            kind = SignInEventKind.OTP_FAILED
        else:
            try:
                _throttle_check(device)
            except CodeThrottled as error:
                refused = error
                kind = SignInEventKind.OTP_THROTTLED
            else:
                if device.verify_token(code):
                    if isinstance(device, StaticDevice):
                        left = device.token_set.count()
                        signin_event_record(
                            user=user,
                            kind=SignInEventKind.RECOVERY_USED,
                            at=at,
                            ip_address=ip_address,
                            detail=f"left={left}",
                        )
                    else:
                        signin_event_record(
                            user=user,
                            kind=SignInEventKind.OTP_VERIFIED,
                            at=at,
                            ip_address=ip_address,
                        )
                    return device
                refused = CodeRefused(_("Mã xác thực không đúng."))
                kind = SignInEventKind.OTP_FAILED
        signin_event_record(
            user=user,
            kind=kind,
            at=at,
            ip_address=ip_address,
            detail=type(device).__name__ if device is not None else "",
        )
    raise refused
