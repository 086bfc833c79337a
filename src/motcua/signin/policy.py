"""Who must use two-factor sign-in, and how long a session lives (decision 0012).

Times in the session are whole seconds since the epoch, read from ``common.clock`` so that tests
move them by editing the session, never by waiting.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from motcua.accounts.models import OfficerRole
from motcua.accounts.permissions import is_officer
from motcua.common.clock import now, today

# When the password was last checked: at sign-in, then at each re-authentication.
SESSION_AUTH_AT = "motcua_auth_at"
# When this session signed in (the absolute lifetime counts from here; re-authentication does
# not extend it).
SESSION_SIGNED_IN_AT = "motcua_signed_in_at"
# The last request seen, at a one-minute grain so that not every request writes the session.
SESSION_SEEN_AT = "motcua_seen_at"
# The idle limit chosen at sign-in (officers and administrators get the shorter one).
SESSION_IDLE_MINUTES = "motcua_idle_minutes"
SEEN_GRAIN_SECONDS = 60

UserLike = AbstractBaseUser | AnonymousUser


def epoch(at: datetime.datetime | None = None) -> int:
    return int((at or now()).timestamp())


def two_factor_applies(user: UserLike) -> bool:
    """Officers (an active role in any unit) and Django staff or superusers; never citizens."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return is_officer(user)  # type: ignore[arg-type]


def otp_verified(user: UserLike) -> bool:
    """Whether this request's session has passed a second-factor check (django-otp's
    ``OTPMiddleware`` puts ``is_verified`` on the user)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def two_factor_required(user: UserLike) -> bool:
    return bool(settings.MOTCUA_REQUIRE_OFFICER_2FA) and two_factor_applies(user)


def idle_minutes_for(user: UserLike) -> int:
    """Officers' and administrators' limit, or everyone else's. Asked at sign-in without
    ``is_officer``, whose per-object cache would outlive a role granted later to the same object."""
    pk = user.pk
    staff = getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    if staff or (
        pk is not None and OfficerRole.objects.effective_on(today()).filter(user_id=pk).exists()
    ):
        return int(settings.MOTCUA_IDLE_MINUTES_OFFICER)
    return int(settings.MOTCUA_IDLE_MINUTES_CITIZEN)


def session_start(request: HttpRequest, user: UserLike) -> None:
    """Stamp a session that has just signed in with a password."""
    stamp = epoch()
    request.session[SESSION_SIGNED_IN_AT] = stamp
    request.session[SESSION_AUTH_AT] = stamp
    request.session[SESSION_SEEN_AT] = stamp
    request.session[SESSION_IDLE_MINUTES] = idle_minutes_for(user)


def password_confirmed(request: HttpRequest) -> None:
    request.session[SESSION_AUTH_AT] = epoch()


def recently_authenticated(request: HttpRequest) -> bool:
    """The password was checked within ``MOTCUA_REAUTH_MINUTES`` (at sign-in or re-auth)."""
    checked = request.session.get(SESSION_AUTH_AT)
    if not isinstance(checked, int):
        return False
    age = epoch() - checked
    return 0 <= age <= int(settings.MOTCUA_REAUTH_MINUTES) * 60
