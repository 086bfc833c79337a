"""Queries compiled once per shape (``common.prepared.ShapedQuery``): for any values, the rows
Django's own queryset gives; a shape is compiled once per connection; conditions it cannot see
into, or a builder whose SQL follows the values, are run by Django every time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F, Q, QuerySet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import OfficerRole
from motcua.common.prepared import Among, ShapedQuery, Unpreparable, condition_shape
from motcua.organizations.models import Unit
from tests import factories

pytestmark = pytest.mark.django_db
COLUMNS = ("pk", "code", "parent_id")


def units_built(extra: Any, conditions: list[Q | None]) -> QuerySet[Unit, Any]:
    found = Unit.objects.all()
    for condition in conditions:
        if condition is not None:
            found = found.filter(condition)
    return found.order_by(*extra).values(*COLUMNS)


def django_rows(extra: Any, conditions: list[Q | None]) -> list[dict[str, Any]]:
    return list(units_built(extra, conditions))


class Counting(ShapedQuery):
    """Counts how often a shape is compiled."""

    learned = 0

    def learn(self, *args: Any, **kwargs: Any) -> Any:
        self.learned += 1
        return super().learn(*args, **kwargs)


@pytest.fixture
def unit_ids() -> list[int]:
    return list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:60])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_the_rows_are_django_s_for_any_values(unit_ids: list[int], data: st.DataObject) -> None:
    shaped = ShapedQuery(units_built)
    chosen = data.draw(st.lists(st.sampled_from(unit_ids), min_size=1, max_size=8, unique=True))
    above = data.draw(st.sampled_from(unit_ids))
    code = data.draw(st.sampled_from(["", "phuong-hoan-kiem", "zzz", "a"]))
    conditions: list[Q | None] = [
        Q(pk__in=chosen) | (Q(pk__gt=above) & ~Q(code__lt=code)),
        None,
        Q(parent__isnull=data.draw(st.booleans())) | Q(pk=above),
    ]
    for extra in (("pk",), ("-code",)):
        assert shaped.values(extra, conditions) == django_rows(extra, conditions)
        assert shaped.count(extra, conditions) == len(django_rows(extra, conditions))


def test_a_shape_is_compiled_once_per_connection(unit_ids: list[int]) -> None:
    shaped = Counting(units_built)
    for first, second in ((unit_ids[0], unit_ids[1]), (unit_ids[5], unit_ids[2])):
        conditions: list[Q | None] = [Q(pk__in=[first, second])]
        assert shaped.values(("pk",), conditions) == django_rows(("pk",), conditions)
    assert shaped.learned == 1
    shaped.values(("pk",), [Q(pk__in=unit_ids[:3])])  # three values: another shape
    assert shaped.learned == 2
    assert all(known is not None for known in shaped.known(connection_of(shaped)).values())


def connection_of(shaped: ShapedQuery) -> Any:
    from django.db import connections

    return connections[shaped.using]


def test_a_subquery_written_as_among_is_prepared_and_correct(unit_ids: list[int]) -> None:
    for pk in unit_ids[:3]:
        factories.officer(Unit.objects.get(pk=pk).code, Role.SPECIALIST)
    shaped = Counting(units_built)
    for asked in (unit_ids[:2], [unit_ids[2], unit_ids[9]]):
        among = Among(OfficerRole, "unit_id", Q(unit_id__in=asked, valid_until__isnull=True))
        conditions: list[Q | None] = [Q(pk__in=among)]
        holding = OfficerRole.objects.filter(unit_id__in=asked, valid_until__isnull=True)
        expected = list(
            Unit.objects.filter(pk__in=holding.values("unit_id")).order_by("pk").values(*COLUMNS)
        )
        assert expected  # the officers just made
        assert shaped.values(("pk",), conditions) == expected
    assert shaped.learned == 1
    assert shaped.known(connection_of(shaped))  # learned, not refused
    assert None not in shaped.known(connection_of(shaped)).values()


def test_a_pattern_lookup_is_run_by_django() -> None:
    shaped = Counting(units_built)
    for text in ("hoan", "50%", "_"):
        conditions: list[Q | None] = [Q(code__icontains=text)]
        assert shaped.values(("pk",), conditions) == django_rows(("pk",), conditions)
    assert shaped.learned == 0
    with pytest.raises(Unpreparable):
        condition_shape(Q(code__icontains="x"), [])
    with pytest.raises(Unpreparable):
        condition_shape(Q(pk__in=Unit.objects.values("pk")), [])
    with pytest.raises(Unpreparable):
        condition_shape(Q(pk__in=[1, 1]), [])  # ``in`` would drop the repeated one


def test_constants_shape_the_sql_and_values_do_not() -> None:
    values: list[Any] = []
    one = condition_shape(Q(parent__isnull=True, pk__gt=3) | Q(code=F("name")), values)
    assert values == [3]
    other: list[Any] = []
    assert condition_shape(Q(parent__isnull=True, pk__gt=9) | Q(code=F("name")), other) == one
    assert condition_shape(Q(parent__isnull=False, pk__gt=3) | Q(code=F("name")), []) != one
    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert condition_shape(Q(pk__in=[1, 2]), []) != condition_shape(Q(pk__in=[1, 2, 3]), [])
    assert condition_shape(Q(code=moment), []) != condition_shape(Q(code="x"), [])


def test_a_builder_whose_sql_follows_a_value_is_refused_when_learning_shows_it(
    unit_ids: list[int],
) -> None:
    def cheating(extra: Any, conditions: list[Q | None]) -> QuerySet[Unit, Any]:
        # Makes a different query when the value is even: the stand-ins cannot tell.
        [condition] = conditions
        assert condition is not None
        _lookup, value = condition.children[0]  # type: ignore[misc]
        found = Unit.objects.filter(condition)
        if value % 2 == 0:
            found = found.filter(parent__isnull=False)
        return found.order_by("pk").values(*COLUMNS)

    shaped = ShapedQuery(cheating)
    odd = next(pk for pk in unit_ids if pk % 2)
    even = next(pk for pk in unit_ids if pk % 2 == 0)
    for pk in (odd, even, odd):  # the stand-in (even) and the first value (odd) differ
        conditions: list[Q | None] = [Q(pk__gte=pk)]
        assert shaped.values((), conditions) == list(cheating((), conditions))
    assert list(shaped.known(connection_of(shaped)).values()) == [None]


def test_a_routed_query_reads_where_the_router_sends_its_model(
    unit_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import router

    asked: list[Any] = []

    def db_for_read(model: Any, **hints: Any) -> str:
        asked.append(model)
        return "default"

    monkeypatch.setattr(router, "db_for_read", db_for_read)
    shaped = ShapedQuery(units_built, routed=Unit)
    for pk in unit_ids[:3]:
        shaped.values(("pk",), [Q(pk=pk)])
    assert asked.count(Unit) >= 3  # every run asks the router, learned or not
