from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from motcua.accounts.permissions import is_officer

BRAND_NAME = "Một Cửa Hà Nội"


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {**site_without_request(), "user_is_officer": bool(user and is_officer(user))}


def site_without_request() -> dict[str, Any]:
    """What every page shows of the site, for a page rendered without a request (the error
    pages Django renders itself): the layout needs no more."""
    return {"brand_name": BRAND_NAME, "embedded_mode": settings.EMBEDDED, "user_is_officer": False}
