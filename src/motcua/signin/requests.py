from __future__ import annotations

from django.http import HttpRequest

from motcua.common.client import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the sign-in lock sees it (``AXES_CLIENT_IP_CALLABLE``)."""
    return client_address(request)
