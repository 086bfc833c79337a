"""Password guessing spread over many addresses (issue 18's attacker pass).

django-axes locks an account *and* address pair after 5 failures, so nobody else's guesses lock
the owner out; but guesses spread over many addresses (4 from each) were never slowed. Failed
sign-ins are also counted per account from anywhere (``motcua.common.throttle``): past
``signin-account`` failures in its window the account is under backoff, and each address then
gets ``signin-account-backoff`` failure on it per window instead of 5. An address that has not
failed on the account is still answered, so the owner typing the right password gets in
whatever others did; the attacker's rate falls to one guess per address and window.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from motcua.accounts.backends import axes_username
from motcua.common import throttle
from motcua.common.client import client_address
from motcua.common.clock import now

ACCOUNT, BACKOFF = "signin-account", "signin-account-backoff"


class SpreadGuessing(throttle.Throttled):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            retry_after,
            _(
                "Mật khẩu của tài khoản này đang bị dò từ nhiều nơi, nên mỗi nơi chỉ được nhập "
                "sai một lần trong 15 phút. Nếu đây là tài khoản của bạn, hãy thử lại sau hoặc "
                "đặt lại mật khẩu."
            ),
        )


def names(request: HttpRequest, identifier: str) -> tuple[str, str]:
    account = axes_username(request, {"username": identifier})
    address = client_address(request) or "?"
    return throttle.name_of(ACCOUNT, account), throttle.name_of(BACKOFF, f"{account}|{address}")


def refused(request: HttpRequest) -> SpreadGuessing | None:
    """The refusal for this sign-in attempt, if its account is under backoff and this address
    already failed on it in the window."""
    ceiling, backoff = throttle.rate(ACCOUNT), throttle.rate(BACKOFF)
    if not (ceiling.count and backoff.count):
        return None
    identifier = str(request.POST.get("username", ""))
    if not identifier.strip():
        return None
    account, pair = names(request, identifier)
    at = now()
    if throttle.totals([account], at, ceiling.minutes).get(account, 0) < ceiling.count:
        return None
    try:
        throttle.check({pair: backoff}, at)
    except throttle.Throttled as error:
        return SpreadGuessing(error.retry_after)
    return None


def guarded(view: Any) -> Any:
    """The sign-in view, refusing with 429 an address that may not guess again on an account
    under backoff (before the password is even checked)."""

    @functools.wraps(view)
    def sign_in(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and (refusal := refused(request)) is not None:
            return throttle.too_many_response(request, refusal)
        response: HttpResponseBase = view(request, *args, **kwargs)
        return response

    return sign_in


@receiver(user_login_failed, dispatch_uid="motcua-signin-spread-count")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    identifier = str((credentials or {}).get("username") or "")
    if identifier.strip():
        throttle.hit(names(request, identifier), now())
