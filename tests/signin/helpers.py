"""What the sign-in tests share: codes computed from a device's key, clients at each step."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from tests import factories

BRANCH = "hn-pvhcc-cn01"


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show now (or ``steps_ahead`` periods later),
    computed with django-otp's own TOTP from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code that no step near now accepts."""
    near = {totp_code(device, offset) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def signed_in(user: User, password: str = factories.PASSWORD) -> Client:
    """A client that typed the password on the sign-in page (no second factor yet)."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": password},
        REMOTE_ADDR="10.0.0.9",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrolled(client: Client, user: User) -> TOTPDevice:
    """Go through enrolment in ``client``: open the page, type the code the app would show."""
    assert client.get(reverse("signin:enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("signin:enrol"), {"otp_token": totp_code(device)})
    assert response.status_code == 302, response.content.decode()[:500]
    device.refresh_from_db()
    assert device.confirmed
    return device


def enrolled_officer(role: str = "specialist", unit: str = BRANCH) -> tuple[User, TOTPDevice]:
    """An officer who enrolled in an earlier session (that session is gone)."""
    user = factories.officer(unit, role)
    device = enrolled(signed_in(user), user)
    return user, device


def recovery_codes(user: User) -> list[str]:
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def verified(user: User, device: TOTPDevice) -> Client:
    """A client signed in with password and a fresh TOTP code (one step ahead of the last code
    used, which the device accepts and which is not a replay)."""
    client = signed_in(user)
    response = client.post(reverse("signin:verify"), {"otp_token": totp_code(device, 1)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client
