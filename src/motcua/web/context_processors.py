from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from motcua.accounts.permissions import is_officer


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "brand_name": "Một Cửa Hà Nội",
        "embedded_mode": settings.EMBEDDED,
        "user_is_officer": bool(user and is_officer(user)),
    }
