"""Rating a dossier: only its applicant, only once the result is returned, only once."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from motcua.accounts.models import User
from motcua.common.errors import DomainError, NotAllowed
from motcua.ratings import services
from motcua.ratings.constants import Criterion
from motcua.ratings.models import Rating
from motcua.ratings.selectors import rating_report, rating_unit_ids, ratings_visible
from motcua.ratings.services import AlreadyRated, InvalidAnswers, NotYetReturned, rating_submit
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received

from .conftest import ALL_SATISFIED, returned

pytestmark = pytest.mark.django_db


def rate(dossier, user, answers=None, comment="", when="2026-03-03 09:00") -> Rating:  # type: ignore[no-untyped-def]
    return rating_submit(
        dossier=dossier, user=user, answers=ALL_SATISFIED if answers is None else answers,
        comment=comment, at=at(when),
    )  # fmt: skip


def test_the_applicant_rates_a_returned_dossier(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    rating = rate(dossier, applicant, {**ALL_SATISFIED, "attitude": 1}, comment="  Nhanh gọn. ")
    assert rating.attitude == 1
    assert rating.time == 2
    assert rating.comment == "Nhanh gọn."
    assert rating.user == applicant
    assert rating.created_at == at("2026-03-03 09:00")
    assert rating.satisfied


def test_one_dislike_makes_the_dossier_not_satisfied(staff: Staff, applicant: User) -> None:
    rating = rate(returned(staff), applicant, {**ALL_SATISFIED, "costs": 0})
    assert not rating.satisfied


def test_the_owner_of_an_online_dossier_may_rate_it(staff: Staff, other_citizen: User) -> None:
    dossier = returned(staff)
    dossier.owner = other_citizen
    dossier.save(update_fields=["owner"])
    assert rate(dossier, other_citizen).pk


def test_someone_else_may_not_rate(staff: Staff, other_citizen: User) -> None:
    with pytest.raises(NotAllowed, match="Chỉ người nộp hồ sơ"):
        rate(returned(staff), other_citizen)
    assert not Rating.objects.exists()


def test_an_officer_may_not_rate(staff: Staff) -> None:
    with pytest.raises(NotAllowed):
        rate(returned(staff), staff.reception)


def test_a_dossier_not_yet_returned_cannot_be_rated(staff: Staff, applicant: User) -> None:
    with pytest.raises(NotYetReturned, match="sau khi đã nhận kết quả"):
        rate(factories.proven(received(staff), applicant), applicant)
    assert not Rating.objects.exists()


def test_a_second_rating_is_refused(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    rate(dossier, applicant)
    with pytest.raises(AlreadyRated, match="chỉ được đánh giá một lần"):
        rate(dossier, applicant, {**ALL_SATISFIED, "time": 0})
    assert Rating.objects.get().time == 2


def test_a_race_lost_at_the_database_gives_the_same_message(
    staff: Staff, applicant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = returned(staff)
    rate(dossier, applicant)
    # Two submissions pass the check at the same moment: the unique column decides.
    monkeypatch.setattr(services, "already_rated", lambda dossier: False)
    with pytest.raises(AlreadyRated):
        rate(dossier, applicant)
    assert Rating.objects.count() == 1


def test_the_database_holds_one_rating_per_dossier(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    Rating.objects.create(
        dossier=dossier, user=applicant, created_at=at("2026-03-03 09:00"), **ALL_SATISFIED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            dossier=dossier, user=applicant, created_at=at("2026-03-03 10:00"), **ALL_SATISFIED
        )


def test_the_database_refuses_a_score_above_two(staff: Staff, applicant: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            dossier=returned(staff), user=applicant, created_at=at("2026-03-03 09:00"),
            **{**ALL_SATISFIED, "online": 3},
        )  # fmt: skip


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {**ALL_SATISFIED, "time": 3},
        {**ALL_SATISFIED, "time": -1},
        {**ALL_SATISFIED, "time": "hai"},
        {**ALL_SATISFIED, "time": None},
        {**ALL_SATISFIED, "time": True},
        {k: v for k, v in ALL_SATISFIED.items() if k != "online"},
    ],
)
def test_missing_or_invalid_answers_are_refused(
    staff: Staff, applicant: User, answers: dict[str, object]
) -> None:
    with pytest.raises(InvalidAnswers) as refused:
        rate(returned(staff), applicant, answers)
    assert set(refused.value.errors) <= set(Criterion.values)
    assert all("Chọn một mức" in message for message in refused.value.errors.values())
    assert not Rating.objects.exists()


def test_answers_may_come_as_digits(staff: Staff, applicant: User) -> None:
    rating = rate(returned(staff), applicant, {k: str(v - 1) for k, v in ALL_SATISFIED.items()})
    assert rating.online == 1


def test_a_comment_over_1000_characters_is_refused(staff: Staff, applicant: User) -> None:
    with pytest.raises(DomainError, match="tối đa 1000 ký tự"):
        rate(returned(staff), applicant, comment="a" * 1001)


def test_report_totals_and_averages(staff: Staff, applicant: User) -> None:
    rate(returned(staff), applicant)
    rate(returned(staff), applicant, {**ALL_SATISFIED, "time": 0, "costs": 1})
    supervisor = factories.officer("hn-cong-an", "supervisor")
    report = rating_report(unit_ids=rating_unit_ids(supervisor))
    assert report.total.count == 2
    assert report.total.satisfied_percent == 50.0
    averages = dict(report.total.averages)
    assert averages[Criterion.TIME.label] == 1.0
    assert averages[Criterion.COSTS.label] == 1.5
    assert averages[Criterion.ATTITUDE.label] == 2.0
    # Received and decided by the same ward police: one row, each rating counted once.
    [row] = report.units
    assert row.unit.code == POLICE
    assert row.tally.count == 2
    assert len(report.latest) == 2


def test_a_period_keeps_only_the_ratings_made_in_it(staff: Staff, applicant: User) -> None:
    rate(returned(staff), applicant, when="2026-03-31 23:30")
    rate(returned(staff), applicant, when="2026-04-01 00:10")
    units = rating_unit_ids(staff.leader)
    march = ratings_visible(units, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    april = ratings_visible(units, datetime.date(2026, 4, 1), None)
    assert (march.count(), april.count()) == (1, 1)


def test_units_elsewhere_see_nothing(staff: Staff, applicant: User) -> None:
    rate(returned(staff), applicant)
    assert rating_report(unit_ids=rating_unit_ids(staff.outsider)).total.count == 0
    assert rating_unit_ids(staff.reception) == set()  # a counter officer has no report capability
