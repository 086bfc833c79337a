"""The one place the system asks what time it is, so tests and replays can set the clock.

Services take ``at=`` explicitly; code that needs "now" without one asks here.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_frozen = threading.local()


def now() -> datetime.datetime:
    frozen: datetime.datetime | None = getattr(_frozen, "at", None)
    return frozen if frozen is not None else timezone.now()


def today() -> datetime.date:
    """Today's date in Hà Nội."""
    return now().astimezone(VIETNAM).date()


@contextmanager
def clock_set_to(at: datetime.datetime) -> Iterator[None]:
    """Run a block (in this thread) as if it were ``at``: used by event replays and tests."""
    if timezone.is_naive(at):
        raise ValueError("clock_set_to needs an aware datetime")
    previous = getattr(_frozen, "at", None)
    _frozen.at = at
    try:
        yield
    finally:
        _frozen.at = previous


def history_since() -> datetime.datetime | None:
    """Before this moment of the wall clock, what happened is history, not news
    (``MOTCUA_NOTIFY_MAX_AGE_HOURS``; None: nothing is): no message is sent for it and its PDFs
    wait for their first download. The wall clock on purpose: replays set the application's."""
    from django.conf import settings

    hours = settings.MOTCUA_NOTIFY_MAX_AGE_HOURS
    return timezone.now() - datetime.timedelta(hours=hours) if hours else None
