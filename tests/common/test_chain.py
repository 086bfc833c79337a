"""The shared event chain keeps the hashes the bundles' and feedback's recorders wrote before
they shared it: chains recorded then must still verify."""

from __future__ import annotations

import datetime
import hashlib
import json

from motcua.bundles.models import BundleEvent
from motcua.common.chain import chain_problems, event_hash
from motcua.feedback.models import FeedbackEvent

AT = datetime.datetime(2026, 11, 30, 8, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def sha(facts: list[object]) -> str:
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_bundle_event_hashes_its_facts_in_the_recorded_order() -> None:
    event = BundleEvent(
        seq=3, at=AT, actor_name="cb.tp", action="advance", service="KS", from_status="open",
        to_status="done", reason="Đủ", payload={"a": 1}, prev_hash="ab" * 32,
    )  # fmt: skip
    old = sha(["ab" * 32, 3, "2026-11-30T01:15:00+00:00", "cb.tp", "advance", "KS", "open",
               "done", "Đủ", {"a": 1}])  # fmt: skip
    assert event_hash(event) == old


def test_a_feedback_event_hashes_its_facts_in_the_recorded_order() -> None:
    event = FeedbackEvent(
        seq=2, at=AT, actor_name="system", unit_id=7, action="alert", from_status="received",
        to_status="received", reason="Sắp hết hạn", payload={}, prev_hash="",
    )  # fmt: skip
    old = sha(["", 2, "2026-11-30T01:15:00+00:00", "system", 7, "alert", "received", "received",
               "Sắp hết hạn", {}])  # fmt: skip
    assert event_hash(event) == old


def test_an_edited_or_unlinked_event_shows() -> None:
    first = FeedbackEvent(seq=1, at=AT, action="submit", to_status="received", prev_hash="")
    first.hash = event_hash(first)
    second = FeedbackEvent(seq=2, at=AT, action="answer", to_status="answered", prev_hash="x")
    second.hash = event_hash(second)
    assert chain_problems([first]) == []
    assert chain_problems([first, second]) == ["#2: not linked to the event before it"]
    first.reason = "sửa"
    assert chain_problems([first]) == ["#1: its facts changed since it was recorded"]
