"""Stamp every password sign-in, however it happened (login page, admin login, sign-up)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .policy import session_start


@receiver(user_logged_in, dispatch_uid="motcua-signin-session-start")
def stamp_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request, user)
