"""The API's rate limit: requests per client address (``common.client``, behind trusted proxies
the forwarded one), counted in Django's cache; past it, 429 ``rate_limited`` with
``Retry-After`` (django-ninja's throttle interface and error).

Why the cache and not the shared database counters of the other limits (decision 0035): the API
is the hot path of issue 12, and a database write on every read would cost each request a
statement and make every request from one address update the same row. With the default
in-process cache each web process counts for itself (three processes: three times the budget);
a shared cache (``MOTCUA_CACHE_URL``-style settings, memcached or Redis) makes it exact. This
limit is against floods, not guessing: what guards secrets (sign-in, codes, lookups) is counted in
the database.

Counted in two fixed windows, the current one and the one before it weighted by how much of it
still overlaps the last ``duration`` seconds (a sliding window, estimated): each request costs
the same two small cache entries whatever the limit. django-ninja's own throttle keeps the time
of every request of the window in one cache entry, read and written whole on each request: at a
high limit (an integrator's) or under a flood, every request paid for all the others."""

from __future__ import annotations

import math
import time

from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from motcua.common import throttle
from motcua.common.client import client_address

SCOPE = "api"


class AddressRateThrottle(SimpleRateThrottle):
    scope = SCOPE

    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced by the configured limit at every request
        self.retry_after = 1.0

    def allow_request(self, request: HttpRequest) -> bool:
        configured = throttle.rate(SCOPE)  # read each time: settings may change (tests, ops)
        if configured.count == 0:
            return True
        limit, window = configured.count, configured.minutes * 60
        key = self.get_cache_key(request)
        now = time.time()
        index = int(now // window)
        current, previous = f"{key}:{index}", f"{key}:{index - 1}"
        counts = self.cache.get_many([current, previous])
        overlap = 1 - (now % window) / window  # of the previous window, still within `window`
        used = math.ceil(counts.get(previous, 0) * overlap) + counts.get(current, 0)
        if used >= limit:
            self.retry_after = max(1.0, math.ceil(window - now % window))
            return False
        if not self.cache.add(current, 1, timeout=2 * window):
            try:
                self.cache.incr(current)
            except ValueError:  # expired between the two calls: counted afresh
                self.cache.add(current, 1, timeout=2 * window)
        return True

    def wait(self) -> float:
        """Seconds until the current window ends (``Retry-After``)."""
        return self.retry_after

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": SCOPE, "ident": client_address(request)}
