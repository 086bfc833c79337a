"""On PostgreSQL the server binds the parameters and prepares a statement the second time a
connection sends it (decision 0039); ``MOTCUA_DB_PREPARE_THRESHOLD=0`` goes back to Django's
client-side binding."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.organizations.models import Unit
from motcua.settings import database_from_env

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
