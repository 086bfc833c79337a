"""Delay attribution: the timeline of who held a dossier, from hand-built histories through the
kernel (residence registration 1.004222 at the ward police: step 2 "Thẩm định hồ sơ" by the
specialist, step 3 the leader's signature, step 4 the one-stop's return of the result)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken, User
from motcua.catalog.models import ProcessStep
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from motcua.supervision.attribution import (
    calendar_of,
    dossier_timeline,
    over_budget,
    over_budget_folded,
)
from motcua.supervision.rollup import catch_up
from motcua.supervision.timeline import Segment, total_working_seconds
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received

pytestmark = pytest.mark.django_db
HOUR = 3600


def perform(
    action: str, dossier: Dossier, actor: User | None, when: str, **given: object
) -> Dossier:
    return s.dossier_perform(
        action, dossier=dossier, actor=actor, at=at(when), expected_version=dossier.version,
        given=s.ActionInput(**given),  # type: ignore[arg-type]
    )  # fmt: skip


def budget(dossier: Dossier, order: int) -> int:
    step = ProcessStep.objects.get(definition_id=dossier.process_id, order=order)
    return int(step.budget_hours * HOUR)


def rows(segments: list[Segment]) -> list[tuple[str, str, str, int, bool]]:
    return [(x.unit, x.step, x.holder, x.working_seconds, x.citizen) for x in segments]


def test_supplement_time_is_the_citizens_and_the_leader_is_over_budget(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = perform(
        Action.ASSIGN, dossier, staff.leader, "2026-03-02 10:00", assignee=staff.specialist
    )
    dossier = perform(Action.REQUEST_SUPPLEMENT, dossier, staff.specialist, "2026-03-03 10:00",
                      items=["Giấy tờ chứng minh chỗ ở hợp pháp"])  # fmt: skip
    dossier = s.dossier_submit_supplement(
        dossier=dossier, actor=staff.reception, at=at("2026-03-05 09:00")
    )
    dossier = perform(Action.FORWARD, dossier, staff.specialist, "2026-03-06 09:00")
    dossier = perform(
        Action.APPROVE, dossier, staff.leader, "2026-03-12 10:00", reason="Đủ điều kiện"
    )
    segments = dossier_timeline(dossier, now=at("2026-03-12 11:00"))
    appraisal, signing = "Thẩm định hồ sơ", "Lãnh đạo ký, phê duyệt kết quả"
    # Office hours 8:00–12:00, 13:00–17:00: 2/3 09–10 is 1 h; 2/3 10 → 3/3 10 is 8 h; the wait
    # 3/3 10 → 5/3 09 is 15 h of the citizen's; 5/3 09 → 6/3 09 is 8 h; 6/3 09 (Fri) → 12/3 10
    # (Thu) is 7 + 24 + 2 = 33 h at the leader's step; then 1 h at the return step.
    assert rows(segments)[:5] == [
        (POLICE, appraisal, staff.leader.username, 1 * HOUR, False),  # waiting to be assigned
        (POLICE, appraisal, staff.specialist.username, 8 * HOUR, False),
        (POLICE, appraisal, "", 15 * HOUR, True),
        (POLICE, appraisal, staff.specialist.username, 8 * HOUR, False),
        (POLICE, signing, staff.leader.username, 33 * HOUR, False),
    ]
    assert segments[2].over_budget_seconds == 0  # the citizen's time is never over anyone's budget
    assert budget(dossier, 2) > 17 * HOUR  # the appraisal stayed within its budget ...
    assert [x.over_budget_seconds for x in segments[:4]] == [0, 0, 0, 0]
    assert segments[4].over_budget_seconds == 33 * HOUR - budget(dossier, 3)  # ... the leader not
    assert (segments[5].end, segments[5].step) == (None, "Trả kết quả")


def test_a_transfer_shows_both_units_and_the_wait_for_acceptance(staff: Staff) -> None:
    city_police = Unit.objects.get(code="hn-cong-an")
    city_reception = factories.officer("hn-cong-an", Role.RECEPTION)
    dossier = received(staff, "2026-03-02 09:00")
    dossier = perform(
        Action.FORWARD, dossier, staff.specialist, "2026-03-02 10:00", to_unit=city_police
    )
    dossier = perform(Action.ACCEPT_TRANSFER, dossier, city_reception, "2026-03-02 11:00")
    segments = dossier_timeline(dossier, now=at("2026-03-02 15:00"))
    assert [(x.unit, x.step, x.working_seconds) for x in segments] == [
        (POLICE, "Thẩm định hồ sơ", 1 * HOUR),
        ("hn-cong-an", "", 1 * HOUR),  # sent, not yet accepted: the receiving unit holds it
        ("hn-cong-an", "Thẩm định hồ sơ", 3 * HOUR),  # 11–12, 13–15
    ]
    assert segments[0].holder == staff.specialist.username
    assert segments[1].holder == city_reception.username


def test_over_budget_per_unit_and_officer(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = perform(Action.FORWARD, dossier, staff.specialist, "2026-03-02 10:00")
    dossier = perform(
        Action.APPROVE, dossier, staff.leader, "2026-03-12 10:00", reason="Đủ điều kiện"
    )
    catch_up()  # the held time is folded with the rollup
    found = over_budget(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31),
                        now=at("2026-03-12 10:00"))  # fmt: skip
    leader = next(h for h in found["officers"] if h.key == staff.leader.username)
    expected = dossier_timeline(dossier, now=at("2026-03-12 10:00"))[1].over_budget_seconds
    assert leader.over_budget_seconds == expected > 0
    assert found["units"][0].key == POLICE
    assert found["units"][0].over_budget_seconds == expected


def held_table(found: dict) -> dict[str, list[tuple]]:
    return {key: [(h.key, h.working_seconds, h.over_budget_seconds, h.segments, h.over_segments)
                  for h in rows] for key, rows in found.items()}  # fmt: skip


def test_the_kept_held_time_equals_every_timeline_folded(staff: Staff) -> None:
    """The report sums the rows the rollup keeps (attacker QA: folding every timeline in the
    request held a worker for 14 s at 3,000 dossiers); at any instant after the events they
    give what folding each dossier's timeline gives, open stays included."""
    open_one = received(staff, "2026-03-02 09:00")
    forwarded = perform(Action.FORWARD, received(staff, "2026-03-03 09:00"), staff.specialist,
                        "2026-03-04 10:00")  # fmt: skip
    signed = perform(Action.FORWARD, received(staff, "2026-03-05 09:00"), staff.specialist,
                     "2026-03-05 10:00")  # fmt: skip
    perform(Action.APPROVE, signed, staff.leader, "2026-03-16 10:00", reason="Đủ điều kiện")
    waiting = received(staff, "2026-03-06 09:00")
    perform(Action.REQUEST_SUPPLEMENT, waiting, staff.specialist, "2026-03-09 09:00",
            items=["Giấy tờ chứng minh chỗ ở"])  # fmt: skip
    assert {open_one.ref, forwarded.ref} <= set(Dossier.objects.values_list("ref", flat=True))
    catch_up()
    for instant in ("2026-03-20 10:00", "2026-04-02 15:30", "2026-12-01 08:00"):
        kept = over_budget(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31),
                           now=at(instant))  # fmt: skip
        folded = over_budget_folded(start=datetime.date(2026, 3, 1),
                                    end=datetime.date(2026, 3, 31), now=at(instant))  # fmt: skip
        assert held_table(kept) == held_table(folded), instant
        assert any(h.over_budget_seconds for h in kept["units"])
    police = {Unit.objects.get(code=POLICE).pk}
    assert held_table(over_budget(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31),
                                  unit_ids=police, now=at("2026-12-01 08:00"))) == held_table(kept)  # fmt: skip
    assert over_budget(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31),
                       unit_ids={-1}) == {"units": [], "officers": []}  # fmt: skip


def token(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')}"}  # type: ignore[arg-type]


def test_the_api_follows_the_dossier_read_rules(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    url = f"/api/v1/dossiers/{dossier.ref}/timeline"
    assert Client().get(url, **token(staff.outsider)).status_code == 404
    answer = Client().get(url, **token(staff.specialist))
    assert answer.status_code == 200
    segment = answer.json()["segments"][0]
    assert set(segment) == {"unit", "step", "holder", "from", "to", "working_seconds",
                            "over_budget_seconds", "citizen"}  # fmt: skip
    assert (segment["unit"], segment["to"], segment["citizen"]) == (POLICE, None, False)
    assert (
        Client().get("/api/v1/dossiers/NOPE/timeline", **token(staff.specialist)).status_code == 404
    )


def test_the_whole_working_time_is_the_sum_of_the_segments(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = perform(Action.FORWARD, dossier, staff.specialist, "2026-03-04 16:30")
    now = at("2026-03-09 10:15")
    segments = dossier_timeline(dossier, now=now)
    whole = total_working_seconds(segments, calendar_of(dossier), now)
    assert (
        sum(x.working_seconds for x in segments) == whole == (7 + 8 * 4 + 2) * HOUR + 15 * 60
    )  # Mon 9:00 → next Mon 10:15
