"""Indicators 5.1–5.3 of Decision 766/QĐ-TTg (DOMAIN.md §3) computed from the feedback, through
the same report as the other indicators; hand-computed values."""

from __future__ import annotations

import datetime

from motcua.accounts.models import User
from motcua.feedback.services import (
    feedback_answer,
    feedback_publish,
    feedback_reject,
    feedback_request_more,
)
from motcua.organizations.models import Unit
from motcua.supervision.compute import Period, Scope, report
from tests.dossiers.conftest import Staff

from .conftest import POLICE, at, sent

MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
AFTER = at("2026-06-01 00:00")


def values(scope: Scope | None = None) -> dict[str, tuple[object, object, object]]:
    answer = report(MARCH, scope or Scope(), at=AFTER)["indicators"]
    return {
        c: (answer[c]["num"], answer[c]["den"], answer[c]["value"]) for c in ("5.1", "5.2", "5.3")
    }


def test_no_feedback_is_na_not_zero(db: None) -> None:
    assert values() == dict.fromkeys(("5.1", "5.2", "5.3"), (0, 0, None))


def test_hand_computed_feedback_indicators(staff: Staff, applicant: User) -> None:
    # A refused on Tuesday (due Wednesday 17:00): on time. B refused the next Monday: late.
    a = sent(staff, applicant, "2026-03-02 09:00")
    feedback_reject(feedback=a, actor=staff.leader, reason="Trùng", at=at("2026-03-03 09:00"))
    b = sent(staff, applicant, "2026-03-02 09:05")
    feedback_reject(feedback=b, actor=staff.leader, reason="Trùng", at=at("2026-03-09 09:00"))
    # C answered in 3 days and published the next day: on time twice.
    c = sent(staff, applicant, "2026-03-02 09:10")
    c = feedback_answer(
        feedback=c, actor=staff.leader, answer="Đã xử lý", at=at("2026-03-05 09:00")
    )
    feedback_publish(feedback=c, actor=staff.leader, at=at("2026-03-06 09:00"))
    # D asked for more after 6 working days (late), then answered: late; answered, never
    # published by the end of March: the publication is late at the period's end.
    d = sent(staff, applicant, "2026-03-02 09:15")
    d = feedback_request_more(feedback=d, actor=staff.leader, text="?", at=at("2026-03-10 09:00"))
    d.refresh_from_db()
    from motcua.feedback.services import feedback_supply_more

    d = feedback_supply_more(feedback=d, user=applicant, text="Đây", at=at("2026-03-11 09:00"))
    feedback_answer(feedback=d, actor=staff.leader, answer="Đã xử lý", at=at("2026-03-12 09:00"))
    # E received 02/03, never answered: the answer was due 23/03, late at the end of March.
    sent(staff, applicant, "2026-03-02 09:20")
    # F received 30/03, unanswered: still within its time at the end of March.
    sent(staff, applicant, "2026-03-30 09:00")
    assert values() == {
        "5.1": (1, 2, 50.0),
        "5.2": (2, 4, 50.0),  # C and F on time; D and E late (A, B refused: not counted)
        "5.3": (1, 2, 50.0),  # C published in time; D never
    }
    # The scope of the other indicators applies: another unit has none of them.
    justice = Unit.objects.get(code="hn-so-tu-phap").pk
    assert values(Scope(unit_ids=frozenset({justice})))["5.2"] == (0, 0, None)
    police = Unit.objects.get(code=POLICE).pk
    assert values(Scope(unit_ids=frozenset({police})))["5.1"] == (1, 2, 50.0)
    # In April only what was still open or answered-unpublished carries over.
    april = report(
        Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)), Scope(), at=AFTER
    )["indicators"]
    assert (april["5.2"]["num"], april["5.2"]["den"]) == (0, 2)  # E and F, unanswered, late
    assert (april["5.3"]["num"], april["5.3"]["den"]) == (0, 1)  # D, still unpublished
