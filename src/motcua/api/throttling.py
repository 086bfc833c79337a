"""The API's rate limit: every request counts per client address in the shared database counters
(``motcua.common.throttle``, scope ``api``, one upsert a request, counted per clock minute);
past it, 429 ``rate_limited`` with ``Retry-After`` (django-ninja's throttle hook, our counters
instead of its per-process cache)."""

from __future__ import annotations

import threading

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from motcua.common import throttle
from motcua.common.client import client_address
from motcua.common.clock import now

SCOPE = "api"


class DatabaseThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.local = threading.local()  # the wait of this thread's last refusal

    def allow_request(self, request: HttpRequest) -> bool:
        name = throttle.name_of(SCOPE, client_address(request))
        try:
            throttle.attempt_this_minute(name, throttle.rate(SCOPE), now())
        except throttle.Throttled as error:
            self.local.wait = error.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self.local, "wait", None)
