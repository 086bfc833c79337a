"""On PostgreSQL the server binds the parameters and prepares a statement the second time a
connection sends it (decision 0039); ``MOTCUA_DB_PREPARE_THRESHOLD=0`` goes back to Django's
client-side binding."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, QuerySet

from motcua.common.prepared import ShapedQuery
from motcua.organizations.models import Unit
from motcua.settings_database import database_from_env

pytestmark = pytest.mark.django_db
URL = "postgres://motcua@127.0.0.1:5432/motcua"


def test_postgresql_binds_on_the_server_and_prepares(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_DATABASE_URL", URL)
    monkeypatch.delenv("MOTCUA_DB_PREPARE_THRESHOLD", raising=False)
    options = database_from_env()["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 2
    monkeypatch.setenv("MOTCUA_DB_PREPARE_THRESHOLD", "0")
    options = database_from_env().get("OPTIONS", {})
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_a_repeated_statement_is_prepared_on_the_server() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    codes = list(Unit.objects.values_list("code", flat=True)[:3])
    for code in codes:  # one text, three values: prepared from its second run
        assert Unit.objects.filter(code=code).values_list("code", flat=True).get() == code
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "organizations_unit" WHERE "organizations_unit"."code" = $1%'],
        )
        assert cursor.fetchone()[0] >= 1


def prepared_like(pattern: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [pattern]
        )
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("per_values", [False, True])
def test_a_query_planned_per_values_is_never_prepared(per_values: bool) -> None:
    """A prepared statement may run with a generic plan; the worklist's queries must not (at
    1 M dossiers the generic plan of "Của tôi" cost 518 ms against 24 ms)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")

    def built(extra: object, conditions: list[Q | None]) -> QuerySet[Unit, Any]:
        return Unit.objects.filter(*[c for c in conditions if c is not None]).values("code")

    shaped = ShapedQuery(built, plan_per_values=per_values)
    for pk in Unit.objects.values_list("pk", flat=True)[:6]:
        assert shaped.values("marker-extra", [Q(pk=pk), Q(code__gte="")])
    pattern = '%"organizations_unit"."id" = $1 AND "organizations_unit"."code" >= $2%'
    assert (prepared_like(pattern) == 0) is per_values
    assert connection.connection.prepare_threshold == 2  # restored after each run
