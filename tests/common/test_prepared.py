"""Queries compiled once (``common.prepared``): the same rows and instances as the queryset
itself, for any values; a query whose SQL depends on a value is refused when learned."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Count, QuerySet

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import OfficerRole
from motcua.common.clock import now
from motcua.common.prepared import PreparedInsert, PreparedQuery, ShapeChanged
from motcua.dossiers.models import DossierAccess
from motcua.organizations.models import Unit
from tests import factories
from tests.dossiers.conftest import Staff, submitted

pytestmark = pytest.mark.django_db
DAYS = (datetime.date(2001, 1, 1), datetime.date(2001, 1, 2))


def roles(user_id: int, day: datetime.date) -> QuerySet[OfficerRole]:
    return (
        OfficerRole.objects.effective_on(day)
        .filter(user_id=user_id)
        .select_related("unit", "unit__parent")
        .annotate(unit_children=Count("unit__children"))
        .order_by("pk")
    )


def test_a_prepared_query_gives_what_the_queryset_gives() -> None:
    builds: list[dict[str, Any]] = []

    def counted(**values: Any) -> QuerySet[OfficerRole]:
        builds.append(values)
        return roles(**values)

    prepared = PreparedQuery(counted, user_id=(1, 2), day=DAYS)
    people = [factories.officer("hn-cong-an-phuong-hoan-kiem", role) for role in Role.values]
    OfficerRole.objects.filter(user=people[0]).update(valid_until=datetime.date(2026, 1, 31))
    for user in people:
        for day in (datetime.date(2026, 1, 31), datetime.date(2026, 2, 1)):
            expected = list(roles(user.pk, day))
            found = prepared(user_id=user.pk, day=day)
            assert [r.pk for r in found] == [r.pk for r in expected]
            for one, other in zip(found, expected, strict=True):
                assert one.unit == other.unit
                assert one.unit.parent == other.unit.parent
                assert one.unit_children == other.unit_children  # type: ignore[attr-defined]
                assert one.valid_until == other.valid_until
    assert not prepared(user_id=people[0].pk, day=datetime.date(2026, 2, 1))
    assert len(builds) == 3  # the first sample, then one per name: never again


def test_a_query_whose_sql_depends_on_a_value_is_refused() -> None:
    def maybe_empty(until: datetime.date | None) -> QuerySet[OfficerRole]:
        return OfficerRole.objects.filter(valid_until=until)

    with pytest.raises(ShapeChanged):
        PreparedQuery(maybe_empty, until=(None, DAYS[0]))(until=DAYS[1])

    def listed(codes: list[str]) -> QuerySet[Unit]:
        return Unit.objects.filter(code__in=codes)

    with pytest.raises(ShapeChanged):
        PreparedQuery(listed, codes=(["a"], ["a", "b"]))(codes=["c"])


def test_one_or_none_gives_the_row_or_none_and_refuses_several() -> None:
    by_code = PreparedQuery(lambda code: Unit.objects.filter(code=code), code=("a", "b"))
    by_kind = PreparedQuery(lambda kind: Unit.objects.filter(kind=kind), kind=("a", "b"))
    ward = Unit.objects.get(code="hn-phuong-hoan-kiem")
    assert by_code.one_or_none(code=ward.code) == ward
    assert by_code.one_or_none(code="no-such-unit") is None
    with pytest.raises(ShapeChanged):
        by_kind.one_or_none(kind=ward.kind)


def test_a_prepared_insert_writes_the_row_that_create_writes() -> None:
    staff = Staff()
    dossier, officer = submitted(staff), staff.leader
    values = {
        "dossier": dossier, "user": officer, "user_name": "Nguyễn Thị Ánh", "unit_name": "Phường",
        "at": now(), "what": DossierAccess.What.FILE, "item": "giấy tờ", "basis": "thụ lý",
    }  # fmt: skip
    PreparedInsert(DossierAccess)(**values)
    PreparedInsert(DossierAccess)(**{**values, "user": None, "item": ""})  # learned again: same
    DossierAccess.objects.create(**values)
    rows = list(DossierAccess.objects.order_by("pk").values())
    for row in rows:
        row.pop("id")
    assert rows[0] == rows[2]  # the via field's default included
    assert rows[0]["via"] == "web"
    assert (rows[1]["user_id"], rows[1]["item"]) == (None, "")


def test_a_prepared_insert_refuses_a_model_with_save_receivers() -> None:
    with pytest.raises(ShapeChanged):
        PreparedInsert(Unit)(code="x", name="x", kind="ward")
