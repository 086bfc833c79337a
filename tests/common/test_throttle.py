"""The shared rate limits (issue 18): per-minute counters counted by one upsert, read over a
window, refused with the seconds to wait; atomic under concurrent requests on PostgreSQL."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from motcua.common import throttle
from motcua.common.models import RateCount
from motcua.common.throttle import Rate, Throttled

AT = datetime.datetime(2026, 3, 2, 3, 0, 30, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_attempts_are_counted_and_refused_past_the_limit_with_the_wait() -> None:
    limit = {"t:a": Rate(3, 15)}
    for seconds in (0, 60, 120):
        throttle.attempt(limit, AT + datetime.timedelta(seconds=seconds))
    with pytest.raises(Throttled) as refused:
        throttle.attempt(limit, AT + datetime.timedelta(seconds=180))
    # The first minute counted stops counting 16 minutes after it began.
    assert refused.value.retry_after == 16 * 60 - 30 - 180
    assert RateCount.objects.get(name="t:a", minute=throttle.minute_of(AT)).hits == 1
    throttle.attempt(limit, AT + datetime.timedelta(minutes=16))  # the oldest one has left
    throttle.attempt({"t:b": Rate(3, 15)}, AT + datetime.timedelta(seconds=180))  # another name


@pytest.mark.django_db
def test_one_upsert_counts_several_names_and_a_zero_limit_is_off() -> None:
    throttle.hit(["t:x", "t:y", "t:x"], AT)
    throttle.hit(["t:x"], AT)
    assert dict(RateCount.objects.values_list("name", "hits")) == {"t:x": 2, "t:y": 1}
    for _ in range(5):
        throttle.attempt({"t:off": Rate(0, 15)}, AT)
    assert not RateCount.objects.filter(name="t:off").exists()


def test_long_keys_are_hashed_never_cut() -> None:
    name = throttle.name_of("password-reset-email", "x" * 300 + "@example.com")
    assert len(name) < 200
    assert name != throttle.name_of("password-reset-email", "x" * 300 + "@example.org")


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_all_counted() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database (SQLite tests share one in-memory database)")
    start = threading.Barrier(8)

    def many() -> None:
        start.wait()
        try:
            for _ in range(25):
                throttle.hit(["t:race"], AT)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert RateCount.objects.get(name="t:race").hits == 200
