"""The event bus: per-event and batch subscribers, in the transaction and after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from motcua.common import events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard() -> Iterator[list[tuple[str, object]]]:
    log: list[tuple[str, object]] = []

    def each(event: events.Event) -> None:
        log.append(("each", event.data["n"]))

    def batch(batch: list[events.Event]) -> None:
        log.append(("batch", [event.data["n"] for event in batch]))

    def after(event: events.Event) -> None:
        log.append(("after", event.data["n"]))

    events.subscribe("test.a", each)
    events.subscribe_batch("test.a", batch)
    events.subscribe_batch("test.b", batch)
    events.subscribe("test.a", after, phase=events.Phase.AFTER_COMMIT)
    yield log
    events.unsubscribe("test.a", each)
    events.unsubscribe_batch("test.a", batch)
    events.unsubscribe_batch("test.b", batch)
    events.unsubscribe("test.a", after, phase=events.Phase.AFTER_COMMIT)


def test_publish_hands_a_batch_subscriber_a_batch_of_one(heard: list) -> None:
    with transaction.atomic():
        events.publish("test.a", n=1)
        events.publish("test.b", n=2)
        assert heard == [("each", 1), ("batch", [1]), ("batch", [2])]
    assert heard[-1] == ("after", 1)


def test_publish_many_calls_a_batch_subscriber_once_in_order(heard: list) -> None:
    announced = [
        ("test.a", {"n": 1}),
        ("test.c", {"n": 2}),
        ("test.b", {"n": 3}),
        ("test.a", {"n": 4}),
    ]
    with transaction.atomic():
        published = events.publish_many(announced)
        # Per-event subscribers as publish would run them, then the batch once, in order.
        assert heard == [("each", 1), ("each", 4), ("batch", [1, 3, 4])]
    assert [event.data["n"] for event in published] == [1, 2, 3, 4]
    assert heard[-2:] == [("after", 1), ("after", 4)]  # each event after the commit, in order


def test_a_batch_subscriber_failing_refuses_the_transaction(heard: list) -> None:
    def refuse(batch: list[events.Event]) -> None:
        raise RuntimeError("no")

    events.subscribe_batch("test.a", refuse)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish_many([("test.a", {"n": 1})])
    finally:
        events.unsubscribe_batch("test.a", refuse)
    assert ("after", 1) not in heard  # rolled back: nothing after commit
