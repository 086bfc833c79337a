"""The page django-axes shows to a locked sign-in (``AXES_LOCKOUT_CALLABLE``): HTTP 429 with
``Retry-After``. The lock is per account and client address (``AXES_LOCKOUT_PARAMETERS``, the
address from ``motcua.common.client``): someone else's wrong guesses from another address never
lock the account's owner out."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    response = render(request, "registration/locked_out.html", status=429)
    seconds = cool_off.total_seconds() if cool_off else 15 * 60
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response
