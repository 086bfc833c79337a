"""Our PostgreSQL engine: Django's backend, times read by psycopg's compiled loader, the same
values as Django's own loader reads."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
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


def long_statement(pad: int, named: bool = False) -> str:
    """A statement longer than psycopg keeps the scan of: ``pad`` bytes of a comment, then
    three parameters, one of them twice (named placeholders reuse their ``$n``)."""
    marks = ("%(a)s", "%(b)s", "%(a)s") if named else ("%s", "%s", "%s")
    return f"/* {'x' * pad} */ SELECT {marks[0]}::int + {marks[1]}::int, {marks[2]}::text"


def test_long_statements_have_their_scan_kept_and_answer_the_same() -> None:
    postgresql_only()
    from psycopg import _queries

    from motcua.common.postgresql.base import KEPT_STATEMENT_BYTES, KeptQuery, scan_kept

    connection.ensure_connection()
    assert connection.connection.cursor_factory._query_cls is KeptQuery
    sql = long_statement(_queries.MAX_CACHED_STATEMENT_LENGTH + 1000)
    before = scan_kept.cache_info()
    answers = []
    for a, b in ((1, 2), (40, 2), (-5, 5)):
        with connection.cursor() as cursor:
            cursor.execute(sql, [a, b, "chữ"])
            answers.append(cursor.fetchone())
    assert answers == [(3, "chữ"), (42, "chữ"), (0, "chữ")]
    after = scan_kept.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
    named = long_statement(_queries.MAX_CACHED_STATEMENT_LENGTH + 1000, named=True)
    with connection.cursor() as cursor:
        cursor.execute(named, {"a": 7, "b": 1})
        assert cursor.fetchone() == (8, "7")
        cursor.execute(named, {"a": 2, "b": 2})
        assert cursor.fetchone() == (4, "2")
    too_long = long_statement(KEPT_STATEMENT_BYTES + 10)
    kept = scan_kept.cache_info().currsize
    with connection.cursor() as cursor:
        cursor.execute(too_long, [1, 1, "a"])
        assert cursor.fetchone() == (2, "a")
    assert scan_kept.cache_info().currsize == kept  # a bulk statement is scanned, not kept


def test_sessions_start_without_parallel_workers_or_jit() -> None:
    """A parallel plan forks workers for a count of a few milliseconds and takes the cores the
    other requests wait for; JIT compiles plans that run in milliseconds (docs/production.md):
    our sessions start with neither, whatever the server's settings."""
    postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_parallel_setting_keeps_the_urls_options(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgres://u@127.0.0.1:5432/motcua?options=-c%20statement_timeout%3D5000"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.delenv("MOTCUA_DB_PARALLEL_WORKERS", raising=False)
    monkeypatch.delenv("MOTCUA_DB_JIT", raising=False)
    options = database_from_env()["OPTIONS"]["options"]
    assert options == ("-c statement_timeout=5000 -c max_parallel_workers_per_gather=0 -c jit=off")
    monkeypatch.setenv("MOTCUA_DB_PARALLEL_WORKERS", "2")
    monkeypatch.setenv("MOTCUA_DB_JIT", "on")
    options = database_from_env()["OPTIONS"]["options"]
    assert options.endswith("max_parallel_workers_per_gather=2 -c jit=on")
    # Empty: the server's (or the role's) setting, for a pooler that refuses startup options.
    monkeypatch.setenv("MOTCUA_DB_PARALLEL_WORKERS", "")
    monkeypatch.setenv("MOTCUA_DB_JIT", "")
    assert database_from_env()["OPTIONS"]["options"] == "-c statement_timeout=5000"
    monkeypatch.setenv("MOTCUA_DB_JIT", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_DB_JIT"):
        database_from_env()
