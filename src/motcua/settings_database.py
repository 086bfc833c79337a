"""The databases of the settings: the primary from ``MOTCUA_DATABASE_URL`` (SQLite under
``var/`` when unset), PostgreSQL's statement options and streaming replicas."""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .settings_env import VAR_DIR, env_list


def database_from_env() -> dict[str, Any]:
    url = os.environ.get("MOTCUA_DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the worker write while the web app reads; IMMEDIATE transactions take the write
        # lock up front so concurrent writers wait (busy timeout) instead of failing mid-way.
        # synchronous=FULL syncs the WAL at every commit: with NORMAL a power loss may drop the
        # last commits, and a dossier code already printed on a receipt would be issued again.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["ENGINE"] = postgresql_engine(config["ENGINE"])
        config["CONN_MAX_AGE"] = int(os.environ.get("MOTCUA_DB_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = session_options({**config.get("OPTIONS", {}), **statement_options()})
    return config


def postgresql_engine(engine: str) -> str:
    """Django's PostgreSQL backend with times read by psycopg's compiled loader
    (``motcua.common.postgresql``)."""
    return "motcua.common.postgresql" if engine == "django.db.backends.postgresql" else engine


def statement_options() -> dict[str, Any]:
    """Parameters bound by PostgreSQL and a statement prepared the second time a connection sends
    it, so that the server parses and plans it once (decision 0039).
    ``MOTCUA_DB_PREPARE_THRESHOLD=0``: Django's default, values written into the SQL text."""
    threshold = int(os.environ.get("MOTCUA_DB_PREPARE_THRESHOLD", "2"))
    if threshold <= 0:
        return {}
    return {"server_side_binding": True, "prepare_threshold": threshold}


def session_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the server settings each of our sessions starts with (docs/production.md;
    empty leaves the server's setting, e.g. behind a pooler that refuses startup options — then
    set it on the role). Our load is many short statements from many sessions:

    - no parallel workers per query (``MOTCUA_DB_PARALLEL_WORKERS``, default 0): a parallel plan
      forks workers for a 15 ms count and takes the cores the other requests wait for;
    - no JIT compiling (``MOTCUA_DB_JIT``, default off): PostgreSQL compiles a plan whose
      estimated cost passes ``jit_above_cost``, which an indexed scan of a big table reaches
      while it runs in milliseconds (the audit scan of 20,000 dossiers' events: 99 ms of work,
      with 25 ms more spent compiling on a server left at PostgreSQL's default, jit on)."""
    settings = []
    workers = os.environ.get("MOTCUA_DB_PARALLEL_WORKERS", "0").strip()
    if workers:
        settings.append(f"-c max_parallel_workers_per_gather={int(workers)}")
    jit = os.environ.get("MOTCUA_DB_JIT", "off").strip().lower()
    if jit:
        if jit not in ("on", "off"):
            raise ImproperlyConfigured(f"MOTCUA_DB_JIT: on, off or empty, not {jit!r}")
        settings.append(f"-c jit={jit}")
    if not settings:
        return options
    given = options.get("options", "")
    return {**options, "options": " ".join([given, *settings]).strip()}


REPLICA_CONNECTION = {
    "connect_timeout": 2, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
    "keepalives_count": 3, "tcp_user_timeout": 10_000,
}  # fmt: skip


def database_replicas_from_env(primary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """PostgreSQL streaming replicas that serve worklists, reports and public pages
    (docs/decisions/0018-read-replicas.md): ``MOTCUA_DATABASE_REPLICA_URLS``, comma-separated."""
    urls = env_list("MOTCUA_DATABASE_REPLICA_URLS", [])
    replicas: dict[str, dict[str, Any]] = {}
    for number, url in enumerate(urls, start=1):
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
        config["ENGINE"] = postgresql_engine(config["ENGINE"])
        if "postgresql" not in primary["ENGINE"] or config["ENGINE"] != primary["ENGINE"]:
            raise ImproperlyConfigured(
                "MOTCUA_DATABASE_REPLICA_URLS: replicas of a PostgreSQL MOTCUA_DATABASE_URL only"
            )
        config["CONN_MAX_AGE"] = primary["CONN_MAX_AGE"]
        config["CONN_HEALTH_CHECKS"] = True
        # A replica that does not answer costs one request 2 s, then is skipped for a while
        # (longer each time it fails again: ``replicas.Health``). A replica gone from the
        # network mid-query fails that query within 10 s (unacknowledged data: the TCP user
        # timeout; idle connections: keepalives) instead of holding the request until gunicorn
        # kills the worker.
        config["OPTIONS"] = session_options(
            {**config.get("OPTIONS", {}), **statement_options(), **REPLICA_CONNECTION}
        )
        # Under a test runner a replica reads the primary's test database, streamed to it.
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{number}"] = config
    return replicas
