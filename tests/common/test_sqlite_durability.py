"""The embedded SQLite mode syncs every commit: a power loss cannot drop an issued code."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.settings_database import database_from_env

pytestmark = pytest.mark.django_db


def test_sqlite_runs_with_synchronous_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    assert "PRAGMA synchronous=FULL" in database_from_env()["OPTIONS"]["init_command"]
    if connection.vendor != "sqlite":
        pytest.skip("the connection's PRAGMA is a SQLite test")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
