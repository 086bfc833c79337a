"""Rate limits for every process on every machine, kept in the database (issue 18).

Each limit counts, per name (``"<scope>:<key>"``: an address, an account, an address and a
dossier…), the requests or failures of the last ``minutes`` whole minutes plus the current one.
One row per name and minute, counted by one upsert for all the names of a request
(``INSERT … ON CONFLICT DO UPDATE``, atomic on SQLite and PostgreSQL alike), read by one query.
Rows no window reads any more are deleted by a task the scheduler enqueues (``prune``), never
in a request, so that a request's statements are always the same.

In the database rather than in Django's cache: the cache is per process unless a shared one
(memcached, Redis) is configured, which the embedded installation does not have, and per-process
counters would multiply every limit by the number of processes (decision 0035).

Limits come from ``settings.MOTCUA_RATE_LIMITS`` (``{"scope": "COUNT/MINUTES"}``, each one
overridable by ``MOTCUA_RATE_<SCOPE>``); a count of 0 turns a limit off. A refusal is
``Throttled``, with the seconds until the oldest counted minute leaves the window, shown as an
HTTP 429 with ``Retry-After`` (``too_many_response``).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .client import client_address
from .clock import now
from .errors import DomainError
from .models import RateCount

TABLE = RateCount._meta.db_table
LONGEST_KEPT_MINUTES = 24 * 60  # counters kept at least this long, whatever the limits


@dataclass(frozen=True)
class Rate:
    count: int  # refused once this many are counted in the window (0: no limit)
    minutes: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _slash, minutes = str(text).partition("/")
        return cls(int(count), max(1, int(minutes or 1)))


class Throttled(DomainError):
    """Too many requests: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int, message: str | Promise | None = None) -> None:
        super().__init__(
            message or _("Bạn đã thao tác quá nhiều lần. Vui lòng chờ một lát rồi thử lại.")
        )
        self.retry_after = max(1, retry_after)


def rate(scope: str) -> Rate:
    """The configured limit of ``scope``; unknown scopes are unlimited."""
    return Rate.parse(getattr(settings, "MOTCUA_RATE_LIMITS", {}).get(scope, "0/1"))


def minute_of(at: datetime.datetime) -> int:
    return int(at.timestamp() // 60)


def window_start(at: datetime.datetime, minutes: int) -> int:
    return minute_of(at) - minutes


def name_of(scope: str, *parts: object) -> str:
    """``scope:part|part``; long keys (e-mail addresses…) by their hash, never cut."""
    key = "|".join(str(part or "") for part in parts)
    if len(key) > 150:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{scope}:{key}"


def totals(names: Iterable[str], at: datetime.datetime, minutes: int) -> dict[str, int]:
    """Per name, what its window counts (names never counted are left out)."""
    rows = (
        RateCount.objects.filter(name__in=list(names), minute__gte=window_start(at, minutes))
        .order_by()
        .values("name")
        .annotate(total=Sum("hits"))
        .values_list("name", "total")
    )
    return dict(rows)


def wait_for(
    minutes_hits: list[tuple[int, int]], limit: int, window: int, at: datetime.datetime
) -> int:
    """Seconds until fewer than ``limit`` remain counted: the oldest minutes leave the window
    one by one (a minute ``m`` stops counting when minute ``m + window + 1`` begins)."""
    total = sum(hits for _minute, hits in minutes_hits)
    for minute, hits in minutes_hits:
        total -= hits
        if total < limit:
            return math.ceil((minute + window + 1) * 60 - at.timestamp())
    return window * 60


def check(limits: dict[str, Rate], at: datetime.datetime) -> None:
    """Throttled if any name already has its limit's count in its window."""
    active = {name: limit for name, limit in limits.items() if limit.count > 0}
    if not active:
        return
    longest = max(limit.minutes for limit in active.values())
    rows = (
        RateCount.objects.filter(name__in=list(active), minute__gte=window_start(at, longest))
        .order_by("minute")
        .values_list("name", "minute", "hits")
    )
    per_name: dict[str, list[tuple[int, int]]] = {}
    for name, minute, hits in rows:
        if minute >= window_start(at, active[name].minutes):
            per_name.setdefault(name, []).append((minute, hits))
    waits = [
        wait_for(per_name[name], limit.count, limit.minutes, at)
        for name, limit in active.items()
        if sum(hits for _m, hits in per_name.get(name, [])) >= limit.count
    ]
    if waits:
        raise Throttled(max(waits))


def upsert_sql(rows: int) -> str:
    table = connection.ops.quote_name(TABLE)
    values = ", ".join(["(%s, %s, 1)"] * rows)
    return (
        f"INSERT INTO {table} (name, minute, hits) VALUES {values} "  # noqa: S608 (no input)
        f"ON CONFLICT (name, minute) DO UPDATE SET hits = {table}.hits + 1"
    )


def hit(names: Iterable[str], at: datetime.datetime) -> None:
    """One more for each name, in one statement."""
    unique = list(dict.fromkeys(names))
    if not unique:
        return
    minute = minute_of(at)
    with connection.cursor() as cursor:
        cursor.execute(upsert_sql(len(unique)), [v for name in unique for v in (name, minute)])


def longest_window() -> int:
    limits = getattr(settings, "MOTCUA_RATE_LIMITS", {}).values()
    return max([LONGEST_KEPT_MINUTES, *(Rate.parse(text).minutes for text in limits)])


def prune(at: datetime.datetime) -> int:
    """Delete the counters no window reads any more (the scheduler's ``rate_counts_prune_task``)."""
    deleted, _kinds = RateCount.objects.filter(
        minute__lt=window_start(at, longest_window())
    ).delete()
    return deleted


def attempt(limits: dict[str, Rate], at: datetime.datetime) -> None:
    """Count one attempt against every limit, unless one of them is already reached."""
    check(limits, at)
    hit([name for name, limit in limits.items() if limit.count > 0], at)


def too_many_response(
    request: HttpRequest, error: Throttled, template: str = "too_many.html"
) -> HttpResponse:
    """The 429 page: the message, and ``Retry-After`` in seconds."""
    response = render(
        request,
        template,
        {"message": error.message, "minutes": math.ceil(error.retry_after / 60)},
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


KeyOf = Callable[[HttpRequest], object]
View = Callable[..., HttpResponseBase]


def by_address(request: HttpRequest) -> str | None:
    return client_address(request)


def by_account(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else None


def by_account_and_address(request: HttpRequest) -> str | None:
    account = by_account(request)
    return f"{account}|{client_address(request)}" if account else None


def by_field(field: str) -> KeyOf:
    def key(request: HttpRequest) -> str | None:
        return str(request.POST.get(field, "")).strip().lower()[:254] or None

    return key


def rate_limited(
    *rules: tuple[str, KeyOf], methods: tuple[str, ...] = ("POST",)
) -> Callable[[View], View]:
    """Each request of ``methods`` counts once against every ``(scope, key)`` rule whose key
    the request has (no account: no per-account count); past a limit, the 429 page instead of
    the view."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if request.method in methods:
                limits = {
                    name_of(scope, key): rate(scope)
                    for scope, key_of in rules
                    if (key := key_of(request)) is not None
                }
                try:
                    attempt(limits, now())
                except Throttled as error:
                    return too_many_response(request, error)
            return view(request, *args, **kwargs)

        return limited

    return decorate
