"""``selectors.consulted_condition``: the dossiers a unit was consulted on, as their ids inline
(compiled once, ``CONSULTED``) or, past ``CONSULTED_INLINE_MAX``, as a subquery; both select the
same dossiers as the consultations table says."""

from __future__ import annotations

import pytest

from motcua.dossiers import selectors
from motcua.dossiers.models import Consultation, Dossier
from motcua.organizations.models import Unit

from .conftest import POLICE, Staff, at, received

pytestmark = pytest.mark.django_db


def consulted_ids(unit_ids: list[int]) -> set[int]:
    return set(Dossier.objects.filter(selectors.consulted_condition(unit_ids)).values_list("pk", flat=True))  # fmt: skip


@pytest.mark.parametrize("inline_max", [1_000, 1, 0])
def test_inline_or_subquery_the_same_dossiers(
    staff: Staff, inline_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    justice = Unit.objects.get(code="hn-so-tu-phap")
    police = Unit.objects.get(code=POLICE)
    dossiers = [received(staff) for _ in range(3)]
    for dossier in dossiers[:2]:  # the first twice: a dossier is listed once
        for _ in range(2 if dossier is dossiers[0] else 1):
            Consultation.objects.create(
                dossier=dossier, unit=justice, question="Ý kiến?",
                asked_at=at("2026-03-02 10:00"), due_at=at("2026-03-05 17:00"),
            )  # fmt: skip
    monkeypatch.setattr(selectors, "CONSULTED_INLINE_MAX", inline_max)
    expected = set(Consultation.objects.filter(unit=justice).values_list("dossier_id", flat=True))
    assert expected == {dossiers[0].pk, dossiers[1].pk}
    assert consulted_ids([justice.pk]) == expected
    assert consulted_ids([justice.pk, police.pk]) == expected
    assert consulted_ids([police.pk]) == set()
    inline = "IN (SELECT" not in str(Dossier.objects.filter(selectors.consulted_condition([justice.pk])).query)  # fmt: skip
    assert inline == (inline_max >= 2)
