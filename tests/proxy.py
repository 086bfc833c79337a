"""Requests as they arrive behind the trusted reverse proxy (decision 0035): the proxy's own
address, and the client's in ``X-Forwarded-For``."""

from __future__ import annotations

from typing import Any

import pytest

PROXY = "10.0.0.1"
ATTACKER, OWNER = "198.51.100.66", "203.0.113.7"


@pytest.fixture
def behind_a_proxy(settings: Any) -> None:
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = [PROXY], 1


def via_proxy(client_ip: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}
