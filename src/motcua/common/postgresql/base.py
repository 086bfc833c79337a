"""Django's PostgreSQL backend, with times read by psycopg's compiled loader.

Django loads every ``timestamptz`` value with a loader written in Python, a subclass of psycopg's
that replaces the value's time zone with the connection's: about 4 µs a value, which is 40 % of
``export-dossiers``' CPU and a tenth of a worklist page's. Django sets the session's time zone to
the connection's on connecting (UTC here), so psycopg's compiled loader returns the same aware
datetimes. ``UtcTimestampLoader`` hands each value to it and keeps the ``timezone`` attribute
Django's cursors compare with the connection's (an extension type has none to give).

The engine is chosen in ``settings_database.database_from_env`` for ``postgres://`` URLs.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg.abc import AdaptContext
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


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        # Only where Django's loader would set UTC on values the session writes in UTC.
        if self.timezone is datetime.UTC and self.timezone_name == "UTC":
            params["context"] = with_compiled_times(params["context"])
        return params
