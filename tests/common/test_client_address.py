"""The client's address (issue 18): the peer unless it is a trusted proxy; then the hop before
the configured proxies in X-Forwarded-For, never what a client wrote into the header itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from motcua.common.client import client_address

PROXY = "10.0.0.1"


def address(peer: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, **extra))


def test_by_default_no_proxy_is_trusted(settings: Any) -> None:
    settings.MOTCUA_TRUSTED_PROXIES = []
    assert address("203.0.113.7") == "203.0.113.7"
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert address(PROXY, "198.51.100.1") == PROXY  # not configured: not trusted


@pytest.mark.parametrize(
    "trusted", [["10.0.0.1"], ["10.0.0.0/8"], ["10.0."], ["127.0.0.1", "10.0"]]
)
def test_behind_a_trusted_proxy_the_forwarded_client(settings: Any, trusted: list[str]) -> None:
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = trusted, 1
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"
    assert address(PROXY) == PROXY  # no header: the proxy itself
    assert address(PROXY, "not an address") == PROXY


def test_what_a_client_writes_into_the_header_is_never_taken(settings: Any) -> None:
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = [PROXY], 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    assert address(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"
    assert address(PROXY, "1.2.3.4, 5.6.7.8, 198.51.100.1") == "198.51.100.1"
    # An untrusted peer's header is ignored whatever it says.
    assert address("198.51.100.9", "1.2.3.4") == "198.51.100.9"
    assert address("198.51.100.9", f"1.2.3.4, {PROXY}") == "198.51.100.9"


def test_two_proxies_and_ipv6(settings: Any) -> None:
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = ["10.0.0.0/8"], 2
    # Load balancer (10.1.1.1) then the local proxy (the peer).
    assert address(PROXY, "1.2.3.4, 198.51.100.1, 10.1.1.1") == "198.51.100.1"
    assert address(PROXY, "2001:db8::7, 10.1.1.1") == "2001:db8::7"
    settings.MOTCUA_TRUSTED_PROXIES, settings.MOTCUA_PROXY_COUNT = ["fd00::/8"], 1
    assert address("fd00::1", "[2001:db8::8]:443") == "2001:db8::8"
