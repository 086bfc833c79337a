"""The API's rate limit: requests per client address (``common.client``, behind trusted proxies
the forwarded one), counted by django-ninja's own throttle in Django's cache; past it, 429
``rate_limited`` with ``Retry-After``.

Why the cache and not the shared database counters of the other limits (decision 0035): the API
is the hot path of issue 12, and a database write on every read would cost each request a
statement and make every request from one address update the same row. With the default
in-process cache each web process counts for itself (three processes: three times the budget);
a shared cache (``MOTCUA_CACHE_URL``-style settings, memcached or Redis) makes it exact. This
limit is against floods, not guessing: what guards secrets (sign-in, codes, lookups) is counted in
the database."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from motcua.common import throttle
from motcua.common.client import client_address

SCOPE = "api"


class AddressRateThrottle(SimpleRateThrottle):
    scope = SCOPE

    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced by the configured limit at every request

    def allow_request(self, request: HttpRequest) -> bool:
        configured = throttle.rate(SCOPE)  # read each time: settings may change (tests, ops)
        if configured.count == 0:
            return True
        self.num_requests, self.duration = configured.count, configured.minutes * 60
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": SCOPE, "ident": client_address(request)}
