"""The actions offered on a row, remembered by the row's shape (``services.offers``), are those
the plain rules give: ``may`` and the guards of every action of its status, asked afresh.

The dossiers and people are the transition matrix's (two units of a commune section, a
department's, six roles each, an outsider and the applicant). Random sequences of offered
actions take the three dossiers through receptions, forwards, consultations, supplements,
transfers and decisions; after each move every person's offers on every dossier, read as a
worklist reads them (consultations with the row), are compared with the plain rules. The same
user objects serve every move, so what one dossier's shape left remembered is asked again on
the others: a fact missing from the key shows as a wrong offer.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.accounts.models import User
from motcua.common.errors import DomainError
from motcua.common.inline import attach_all
from motcua.dossiers import actions
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.reading import INLINES, dossiers_named
from motcua.dossiers.services import kernel, offers

from .test_transition_matrix import (  # noqa: F401 (fixtures used by name)
    AT,
    MOVE,
    SEQUENCES,
    Playground,
    choose,
    fresh_step_cache,
    people,
    play_inputs,
    playground,
)


def as_listed(pk: int) -> Dossier:
    """The dossier as a worklist row or the API's read has it: its consultations with it."""
    dossier = Dossier.objects.get(pk=pk)
    held = next(d for d in dossiers_named(dossier.ref) if d.pk == pk)
    attach_all(held, *INLINES)
    return held


def plain(dossier: Dossier, user: User, at: datetime.datetime) -> list[str]:
    return [
        spec.action.value
        for spec in s.OFFERED_FROM.get(dossier.status, ())
        if kernel.may(spec, dossier, user, at) and actions.first_refusing_guard(spec, dossier, at) is None
    ]  # fmt: skip


def offers_checked(ground: Playground, at: datetime.datetime) -> None:
    for world, original in ground.dossiers:
        dossier = as_listed(original.pk)
        specs = s.OFFERED_FROM.get(dossier.status, ())
        assert offers.may_key(specs, dossier, world.users["A.ldr"], at, deputy=False)
        for column, user in world.users.items():
            got = [spec.action.value for spec in s.offered_specs(dossier, user, at)]
            assert got == plain(dossier, user, at), f"{column} on a {dossier.status} dossier"


@settings(SEQUENCES, max_examples=20)
@given(moves=st.lists(MOVE, min_size=2, max_size=10))
def test_offers_remembered_by_shape_equal_the_plain_rules(
    playground: Playground,  # noqa: F811 (the matrix's fixture)
    moves: list[tuple[Any, ...]],
) -> None:
    with transaction.atomic():
        moment = AT
        offers_checked(playground, moment)
        for index, column, _action, pick, pause, partial in moves:
            world, original = playground.dossiers[index]
            moment += pause
            dossier = Dossier.objects.get(pk=original.pk)
            chosen = choose(world, dossier, column, pick, moment)
            if chosen is not None:
                column, (action, *_offered) = chosen
                try:
                    with transaction.atomic():
                        s.dossier_perform(
                            action, dossier=dossier, actor=world.users[column], at=moment,
                            expected_version=dossier.version,
                            given=play_inputs(action, world, dossier, partial),
                        )  # fmt: skip
                except DomainError:
                    pass
            offers_checked(playground, moment)
        transaction.set_rollback(True)


def test_rows_of_one_shape_ask_the_rules_once(
    playground: Playground,  # noqa: F811 (the matrix's fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two rows that differ only in what ``may`` does not read (their reference, applicant,
    dates) are answered from what the first left; a row in another unit is asked afresh."""
    asked: list[int] = []
    real_may = offers.may

    def counted(spec: Any, dossier: Dossier, *args: Any, **kwargs: Any) -> bool:
        asked.append(dossier.pk)
        return real_may(spec, dossier, *args, **kwargs)

    monkeypatch.setattr(offers, "may", counted)
    world, first = playground.dossiers[1]  # received, commune
    second = world.received()
    leader = world.users["A.ldr"]
    one, two = as_listed(first.pk), as_listed(second.pk)
    assert [x.action for x in s.offered_specs(one, leader, AT)]
    assert set(asked) == {one.pk}
    asked.clear()
    assert s.offered_specs(two, leader, AT) == s.offered_specs(one, leader, AT)
    assert asked == []
    _other_world, elsewhere = playground.dossiers[2]  # the department's
    s.offered_specs(as_listed(elsewhere.pk), leader, AT)
    assert asked


def test_a_consulted_unit_is_offered_its_answer_on_that_row_only(
    playground: Playground,  # noqa: F811 (the matrix's fixture)
) -> None:
    """Two rows alike but for a consultation still open: the consulted unit's officer may answer
    on that one only, asked one after the other by the same user object."""
    world, first = playground.dossiers[1]  # received by unit A of the commune section
    second = world.received()
    specialist, answering = world.users["A.spe"], world.users["B.spe"]
    for dossier in (first, second):
        s.dossier_consult(
            dossier=dossier, actor=specialist, at=AT, unit=world.units["B"], question="Nơi ở?"
        )
    s.dossier_answer_consultation(
        dossier=Dossier.objects.get(pk=second.pk), actor=answering, at=AT, answer="Đúng"
    )
    consulted, alike = as_listed(first.pk), as_listed(second.pk)
    assert Action.ANSWER_CONSULTATION not in names(alike, answering)
    assert Action.ANSWER_CONSULTATION in names(consulted, answering)
    assert Action.ANSWER_CONSULTATION not in names(alike, answering)


def names(dossier: Dossier, user: User) -> list[str]:
    return [spec.action.value for spec in s.offered_specs(dossier, user, AT)]


def test_every_action_offered_has_a_performer() -> None:
    offered = {spec.action for specs in s.OFFERED_FROM.values() for spec in specs}
    assert offered
    assert offered <= set(s.PERFORMERS)
