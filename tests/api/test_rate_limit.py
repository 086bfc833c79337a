"""The API's rate limit (issue 18): per client address (behind a trusted proxy, the forwarded
one), counted by django-ninja's throttle in Django's cache (cleared before each test); past it, 429 in the API's error format with
Retry-After, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"
URL = "/api/v1/procedures/9.999999"  # public; a 404 costs the same as any answer


def test_past_the_limit_a_json_429_per_client_address(settings: Any) -> None:
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = [PROXY], 1
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "api": "3/1"}
    first = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    for _ in range(3):
        assert Client().get(URL, **first).status_code == 404
    refused = Client().get(URL, **first)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert body["message"].startswith("Quá nhiều yêu cầu")
    assert body["message_en"].startswith("Too many requests")
    second = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert Client().get(URL, **second).status_code == 404
    spoofed = {"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "192.0.2.9"}
    assert Client().get(URL, **spoofed).status_code == 429  # the peer is not a proxy
