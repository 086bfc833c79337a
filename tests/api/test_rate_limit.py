"""The API's rate limit (issue 18): per client address (behind a trusted proxy, the forwarded
one), counted in Django's cache (cleared before each test); past it, 429 in the API's error format with
Retry-After, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.api import throttling

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


class Clock:
    """``time.time`` as the throttle sees it, moved by the test."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_the_window_slides_over_the_previous_minute(settings: Any, monkeypatch: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "api": "10/1"}
    clock = Clock(60 * 1_000_000 + 50.0)  # ten seconds before a minute ends
    monkeypatch.setattr(throttling.time, "time", clock)
    client = {"REMOTE_ADDR": "198.51.100.7"}
    assert [Client().get(URL, **client).status_code for _ in range(10)] == [404] * 10
    assert Client().get(URL, **client).status_code == 429
    clock.at += 15  # five seconds into the next minute: 10 × 55/60 of the last still count
    refused = Client().get(URL, **client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 55
    clock.at += 45  # fifty seconds in: 10 × 10/60 → 2 still count, 8 more are allowed
    answers = [Client().get(URL, **client).status_code for _ in range(9)]
    assert answers == [404] * 8 + [429]


def test_each_request_costs_the_same_whatever_the_limit(settings: Any) -> None:
    """The count is one small number per address and minute, not the time of every request."""
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "api": "1000000/1"}
    client = {"REMOTE_ADDR": "198.51.100.8"}
    for _ in range(50):
        assert Client().get(URL, **client).status_code == 404
    entries = [key for key in cache._cache if "198.51.100.8" in key]  # type: ignore[attr-defined]
    assert 1 <= len(entries) <= 2
    values = [cache.get(key.split(":", 2)[-1]) for key in entries]
    assert sum(v for v in values if isinstance(v, int)) == 50
