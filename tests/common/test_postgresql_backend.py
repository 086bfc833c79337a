"""Our PostgreSQL engine: Django's backend, times read by psycopg's compiled loader, the same
values as Django's own loader reads."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.settings_database import database_from_env

pytestmark = pytest.mark.django_db


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the engine is PostgreSQL's")


def test_postgres_urls_get_our_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_DATABASE_URL", "postgres://u@127.0.0.1:5432/motcua")
    assert database_from_env()["ENGINE"] == "motcua.common.postgresql"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", "sqlite:///x.sqlite3")
    assert database_from_env()["ENGINE"] == "django.db.backends.sqlite3"


def test_times_come_from_the_compiled_loader() -> None:
    postgresql_only()
    from psycopg.pq import Format

    from motcua.common.postgresql.base import COMPILED, TIMESTAMPTZ_OID, UtcTimestampLoader

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is UtcTimestampLoader
    assert COMPILED is not None
    assert COMPILED.__module__.startswith("psycopg_binary")  # psycopg[binary] is our dependency


moments = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 12, 31),
    timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=7)),
                               datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))]),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=moments)
def test_a_time_reads_as_djangos_loader_reads_it(moment: datetime.datetime) -> None:
    postgresql_only()
    sql = "SELECT %s::timestamptz, %s::timestamptz AT TIME ZONE 'UTC'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [moment, moment])
        ours, naive = cursor.fetchone()
        raw = connection.connection
        with raw.cursor() as plain:  # with the loader Django's backend would have given
            register_tzloader(datetime.UTC, plain)
            plain.execute("SELECT %s::timestamptz", [moment])
            djangos = plain.fetchone()[0]
    assert ours == djangos == moment
    assert ours.tzinfo is datetime.UTC is djangos.tzinfo
    assert ours.replace(tzinfo=None) == naive
