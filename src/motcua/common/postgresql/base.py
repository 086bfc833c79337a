"""Django's PostgreSQL backend, with times read by psycopg's compiled loader.

Django loads every ``timestamptz`` value with a loader written in Python, a subclass of psycopg's
that replaces the value's time zone with the connection's: about 4 µs a value, which is 40 % of
``export-dossiers``' CPU and a tenth of a worklist page's. Django sets the session's time zone to
the connection's on connecting (UTC here), so psycopg's compiled loader returns the same aware
datetimes. ``UtcTimestampLoader`` hands each value to it and keeps the ``timezone`` attribute
Django's cursors compare with the connection's (an extension type has none to give).

psycopg turns each statement's ``%s`` placeholders into PostgreSQL's ``$n`` by scanning its text,
and keeps the result only for statements under 4 KB with at most 50 parameters (so that an ORM's
``INSERT … VALUES`` of varying lengths cannot fill the memory). The worklist's counts and page
rows are longer (12–20 KB: a filter per tab, each row's inline JSON) and the same on every
request, and scanning them again was a tenth of a page's CPU. ``KeptStatementCursor`` keeps the
scans of longer statements too, in a small cache of its own bounded by count and size.

The engine is chosen in ``settings_database.database_from_env`` for ``postgres://`` URLs.
"""

from __future__ import annotations

import datetime
from functools import cache, lru_cache
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import _queries
from psycopg.abc import AdaptContext, Params, Query
from psycopg.adapt import AdaptersMap
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
# psycopg's own registry holds the compiled loader when psycopg's C implementation is installed
# (``psycopg[binary]``), else its Python one: the fastest there is, either way.
COMPILED = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class UtcTimestampLoader(TimestamptzLoader):
    """psycopg's loader for a session in UTC, with the attribute Django's check reads."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
        super().__init__(oid, context)
        assert COMPILED is not None
        self.load = COMPILED(oid, context).load  # type: ignore[method-assign]


@cache
def with_compiled_times(template: AdaptersMap) -> AdaptersMap:
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestampLoader)
    return adapters


# Statements longer than psycopg keeps, up to this size, in at most this many entries (a few MB
# at worst): the worklist's few shapes per officer; a bulk INSERT of thousands of rows is longer
# and not kept.
KEPT_STATEMENT_BYTES = 32 * 1024
KEPT_STATEMENTS = 128
scan_kept = lru_cache(maxsize=KEPT_STATEMENTS)(_queries._query2pg_nocache)


class KeptQuery(_queries.PostgresQuery):
    """psycopg's query conversion, with the scan of statements it does not keep kept here."""

    def convert(self, query: Query, vars: Params | None) -> None:
        if vars is None or not isinstance(query, str | bytes):
            return super().convert(query, vars)
        text = self._ensure_bytes(query)
        psycopg_keeps = (
            len(text) <= _queries.MAX_CACHED_STATEMENT_LENGTH
            and len(vars) <= _queries.MAX_CACHED_STATEMENT_PARAMS
        )
        if psycopg_keeps or len(text) > KEPT_STATEMENT_BYTES:
            return super().convert(query, vars)
        self.query, self._want_formats, self._order, self._parts = scan_kept(
            text, self._tx.encoding
        )
        self.dump(vars)
        return None


class KeptStatementCursor(base.ServerBindingCursor):  # type: ignore[name-defined]
    _query_cls = KeptQuery


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:  # type: ignore[attr-defined]
            params["cursor_factory"] = KeptStatementCursor
        # Only where Django's loader would set UTC on values the session writes in UTC.
        if self.timezone is datetime.UTC and self.timezone_name == "UTC":
            params["context"] = with_compiled_times(params["context"])
        return params
