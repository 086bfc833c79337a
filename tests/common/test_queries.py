"""Hot-path query helpers (``common.queries``): a unique lookup without ORDER BY, and a save of
only the fields that changed (none when nothing did)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Procedure
from motcua.common.queries import save_changed, saved_values, unique_or_none

pytestmark = pytest.mark.django_db


def a_procedure() -> Procedure:
    found = Procedure.objects.order_by("pk").first()
    assert found is not None, "the reference catalog is loaded in every test database"
    return found


def test_a_unique_lookup_sends_no_order_by_and_finds_the_row_or_none() -> None:
    procedure = a_procedure()
    with CaptureQueriesContext(connection) as queries:
        found = unique_or_none(Procedure.objects.filter(code=procedure.code, pk=procedure.pk))
        missing = unique_or_none(Procedure.objects.filter(pk=-1))
    assert found == procedure
    assert missing is None
    assert len(queries.captured_queries) == 2
    assert all("ORDER BY" not in q["sql"] for q in queries.captured_queries)


def test_nothing_changed_writes_nothing() -> None:
    procedure = a_procedure()
    before = saved_values(procedure)
    with CaptureQueriesContext(connection) as queries:
        assert save_changed(procedure, before) == []
    assert queries.captured_queries == []


def test_only_the_changed_fields_are_written_a_json_value_changed_in_place_included() -> None:
    procedure = a_procedure()
    before = saved_values(procedure)
    procedure.name = procedure.name + " (sửa)"
    procedure.executing_bodies.append("Cơ quan thử")  # the same list object, changed in place
    with CaptureQueriesContext(connection) as queries:
        saved = save_changed(procedure, before)
    assert sorted(saved) == ["executing_bodies", "name"]
    (update,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "catalog_procedure"')
    ]
    assert '"name"' in update
    assert '"executing_bodies"' in update
    assert '"legal_basis"' not in update
    stored = Procedure.objects.get(pk=procedure.pk)
    assert stored.name.endswith("(sửa)")
    assert stored.executing_bodies[-1] == "Cơ quan thử"
