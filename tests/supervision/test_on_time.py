"""The edge cases of Decision 766 indicator 2.1 (DOMAIN.md §3), each with values worked out by
hand. Residence registration (1.004222) at the ward police has 7 working days: received Monday
2/3/2026 09:00, its appointment is Wednesday 11/3/2026 17:00."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.supervision.facts import facts_fold, seconds
from motcua.supervision.rollup import fact_of, facts_store, settle
from tests.dossiers.conftest import Staff

from .helpers import act, hanoi, indicators, replay, submit, value

pytestmark = pytest.mark.django_db
MARCH = ("2026-03-01", "2026-03-31")


def received(ref: str, at: str = "2026-03-02 09:00", channel: str = "counter") -> list[dict]:
    return [submit(ref, at, channel), act(ref, at, "receive")]


def test_the_appointment_is_the_one_of_reception(staff: Staff) -> None:
    replay(received("A"))
    assert Dossier.objects.get(ref="A").due_at == hanoi("2026-03-11 17:00")


def test_finished_before_the_appointment_is_on_time_and_after_it_late(staff: Staff) -> None:
    replay([*received("EARLY"), act("EARLY", "2026-03-11 16:00", "complete")])
    replay([*received("LATE"), act("LATE", "2026-03-12 08:00", "complete")])
    answer = indicators(*MARCH)
    assert value(answer, "2.1") == (1, 2, 50.0)
    # 2.2: (9 d 7 h + 9 d 23 h) / 2 = 9.625 days
    assert value(answer, "2.2") == (19.25, 2, 9.63)


def test_second_supplement_request_makes_the_dossier_late(staff: Staff) -> None:
    """The kernel refuses a second request (NĐ 61 art. 15(3)); legacy histories may hold one.
    Finished well before its appointment, the dossier is still late."""
    replay([
        *received("TWICE"),
        act("TWICE", "2026-03-03 10:00", "request_supplement", items=["Giấy tờ A"]),
        act("TWICE", "2026-03-03 15:00", "submit_supplement"),
        act("TWICE", "2026-03-05 10:00", "complete"),
    ])  # fmt: skip
    dossier = Dossier.objects.get(ref="TWICE")
    assert value(indicators(*MARCH), "2.1") == (1, 1, 100.0)
    events = list(dossier.events.order_by("seq"))
    second = DossierEvent(
        action="request_supplement", at=hanoi("2026-03-04 09:00"), to_status="supplement_requested",
        payload={}, seq=0,
    )  # fmt: skip
    history = [*events[:4], second, *events[4:]]  # asked again on 4/3, answered, finished 5/3
    assert facts_fold(history).sup2 == seconds(hanoi("2026-03-04 09:00"))
    fact = fact_of(dossier, history)
    assert fact is not None
    facts_store([dossier.pk], [settle(fact)])  # the rollup's own write: its buckets follow
    assert value(indicators(*MARCH), "2.1") == (0, 1, 0.0)
    # Before the second request the dossier was on time (judged at the period's end, 3/3 24:00).
    assert value(indicators("2026-03-01", "2026-03-03"), "2.1") == (1, 1, 100.0)


def test_citizen_supplement_time_is_taken_off(staff: Staff) -> None:
    """Waiting 3/3 10:00 → 5/3 09:00 is 15 working hours: the appointment moves to 13/3 16:00;
    finished 12/3 10:00, after the first appointment, the dossier is on time."""
    replay([
        *received("CITIZEN"),
        act("CITIZEN", "2026-03-03 10:00", "request_supplement", items=["Giấy tờ A"]),
        act("CITIZEN", "2026-03-05 09:00", "submit_supplement"),
        act("CITIZEN", "2026-03-12 10:00", "complete"),
    ])  # fmt: skip
    assert Dossier.objects.get(ref="CITIZEN").due_at == hanoi("2026-03-13 16:00")
    answer = indicators(*MARCH)
    assert value(answer, "2.1") == (1, 1, 100.0)
    # 2.2: 10 d 1 h elapsed − 1 d 23 h waiting = 8 d 2 h
    assert value(answer, "2.2") == (8.08, 1, 8.08)


def test_pending_supplement_is_judged_at_the_request(staff: Staff) -> None:
    """Still waiting at the end of March, long after the appointment: judged at the request."""
    replay([
        *received("WAITING"),
        act("WAITING", "2026-03-03 10:00", "request_supplement", items=["Giấy tờ A"]),
        act("WAITING", "2026-04-20 09:00", "submit_supplement"),
    ])  # fmt: skip
    assert value(indicators(*MARCH), "2.1") == (1, 1, 100.0)
    # Answered 20/4: the appointment moves by the wait, and the dossier is not finished by
    # the end of May, long after it: late.
    assert value(indicators("2026-05-01", "2026-05-31"), "2.1") == (0, 1, 0.0)


def test_no_due_date_is_judged_against_the_legal_limit(staff: Staff) -> None:
    """A legacy history without an appointment: the legal limit counted from reception (with
    the citizen's time off the clock), the same instants the kernel gives."""
    replay([
        *received("NODUE"),
        act("NODUE", "2026-03-03 10:00", "request_supplement", items=["Giấy tờ A"]),
        act("NODUE", "2026-03-05 09:00", "submit_supplement"),
    ])  # fmt: skip
    dossier = Dossier.objects.get(ref="NODUE")
    events = list(dossier.events.order_by("seq"))
    for event in events:
        if event.action in ("receive", "submit_supplement"):
            event.payload = {k: v for k, v in event.payload.items() if k != "due_at"}
    fact = fact_of(dossier, events)
    assert fact is not None
    assert fact.due == seconds(hanoi("2026-03-11 17:00"))
    assert fact.sup1_due == seconds(hanoi("2026-03-13 16:00"))


def test_withdrawn_dossier_ends_at_the_withdrawal(staff: Staff) -> None:
    replay([*received("W-EARLY"), act("W-EARLY", "2026-03-05 10:00", "withdraw")])
    replay([*received("W-LATE"), act("W-LATE", "2026-03-13 10:00", "withdraw")])
    replay([
        *received("W-WAITING"),
        act("W-WAITING", "2026-03-03 10:00", "request_supplement", items=["Giấy tờ A"]),
        act("W-WAITING", "2026-03-20 10:00", "withdraw"),  # judged at the request
    ])  # fmt: skip
    answer = indicators(*MARCH)
    assert value(answer, "2.1") == (2, 3, 66.67)
    assert value(answer, "2.2") == (0.0, 0, None)  # no result: withdrawn is not resolved
    assert value(answer, "4.1") == (0, 0, None)


def test_unfinished_at_period_end_is_judged_at_the_period_end(staff: Staff) -> None:
    replay(received("OPEN"))
    replay([*received("APRIL"), act("APRIL", "2026-04-06 10:00", "complete")])
    assert value(indicators("2026-03-01", "2026-03-05"), "2.1") == (2, 2, 100.0)
    assert value(indicators(*MARCH), "2.1") == (0, 2, 0.0)
    # In April: both carried over; APRIL finished (late), OPEN still open (late).
    assert value(indicators("2026-04-01", "2026-04-30"), "2.1") == (0, 2, 0.0)
    # A period not over yet is judged now: on 10/3 both are still within their appointment.
    assert value(indicators(*MARCH, now="2026-03-10 12:00"), "2.1") == (2, 2, 100.0)


def test_zero_denominator_is_null_never_zero(staff: Staff) -> None:
    replay([*received("OLD", "2025-03-03 09:00"), act("OLD", "2025-03-04 09:00", "complete")])
    answer = indicators(*MARCH)
    for code, row in answer["indicators"].items():
        assert row["value"] is None, code
    assert all(group["score"] is None for group in answer["groups"].values())
    assert answer["total"] is None


def test_not_received_dossiers_are_not_counted(staff: Staff) -> None:
    replay([submit("REFUSED", "2026-03-02 09:00", "online"),
            act("REFUSED", "2026-03-02 10:00", "refuse_reception")])  # fmt: skip
    replay(received("ONLINE", channel="online"))
    answer = indicators(*MARCH)
    assert value(answer, "3.3")[:2] == (1, 1)
    assert answer["indicators"]["3.3"]["reason_en"].startswith("Not multiplied by the sync rate")


def test_online_payment_rate_counts_the_dossiers_that_bore_a_fee(staff: Staff) -> None:
    """766 3.6: paid online (national platform or local gateway) / dossiers with a fee."""
    fee = {"amount_vnd": 10000}
    replay([*received("ONLINE"), act("ONLINE", "2026-03-02 09:30", "forward"),
            act("ONLINE", "2026-03-02 10:00", "request_payment", **fee),
            act("ONLINE", "2026-03-02 11:00", "pay", **fee, payment={"flag": 2})])  # fmt: skip
    replay([*received("CASH"), act("CASH", "2026-03-02 09:30", "forward"),
            act("CASH", "2026-03-02 10:00", "request_payment", **fee),
            act("CASH", "2026-03-02 11:00", "pay", **fee)])  # fmt: skip
    replay([*received("ASKED"), act("ASKED", "2026-03-02 09:30", "forward"),
            act("ASKED", "2026-03-03 10:00", "request_payment", **fee)])  # fmt: skip
    replay(received("FREE"))
    assert value(indicators(*MARCH), "3.6") == (1, 3, 33.33)
    assert value(indicators("2026-04-01", "2026-04-30"), "3.6") == (0, 0, None)


def test_an_imported_payment_with_an_unknown_channel_is_refused(staff: Staff) -> None:
    from motcua.dossiers.replay import LineError

    fee = {"amount_vnd": 10000}
    replay([*received("X"), act("X", "2026-03-02 09:30", "forward"),
            act("X", "2026-03-02 10:00", "request_payment", **fee)])  # fmt: skip
    with pytest.raises(LineError, match=r"payment\.flag"):
        replay([act("X", "2026-03-02 11:00", "pay", **fee, payment={"flag": 7})])
