from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the sign-in lock sees it (same proxy settings)."""
    return get_client_ip_address(request) or None
