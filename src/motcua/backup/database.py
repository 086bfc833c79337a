"""The database half of a backup: a consistent snapshot, and putting one back.

SQLite: the sqlite3 backup API copies the whole database in one step under one read
transaction, so the copy is a single point in time while the app keeps writing. PostgreSQL: a
REPEATABLE READ transaction exports its snapshot and ``pg_dump --snapshot`` dumps exactly that,
while the same transaction counts the rows and lists the referenced files. Either way the
counts and file names in the manifest describe the very data in the archive.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.db.models import FileField

SQLITE_MEMBER = "database/motcua.sqlite3"
POSTGRES_MEMBER = "database/motcua.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (Vietnamese / English)."""


@dataclass
class Snapshot:
    """What was read from the database's snapshot, beside the dump file itself."""

    vendor: str
    member: str
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)
    migrations: dict[str, list[str]] = field(default_factory=dict)


Query = Callable[[str], list[tuple[Any, ...]]]


def model_tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(include_views=False))


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field: the names the database says must be stored."""
    found = []
    for model in apps.get_models():
        for field_ in model._meta.concrete_fields:
            if isinstance(field_, FileField) and not model._meta.proxy:
                found.append((model._meta.db_table, field_.column))
    return sorted(set(found))


def snapshot_facts(query: Query, existing: set[str], into: Snapshot) -> None:
    quote = connection.ops.quote_name
    for table in model_tables():
        if table in existing:
            into.tables[table] = int(query(f"SELECT COUNT(*) FROM {quote(table)}")[0][0])  # noqa: S608
    for table, column in file_columns():
        if table in existing:
            sql = f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608
            into.referenced.update(str(row[0]) for row in query(sql) if row[0])
    rows = query("SELECT app, name FROM django_migrations ORDER BY app, name")
    for app, name in rows:
        into.migrations.setdefault(str(app), []).append(str(name))


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_snapshot(folder: Path) -> Snapshot:
    snap = Snapshot("sqlite", SQLITE_MEMBER, folder / "motcua.sqlite3")
    connection.ensure_connection()
    target = sqlite3.connect(snap.path)
    try:
        connection.connection.backup(target)  # one step: a single point in time
    finally:
        target.close()
    copy = sqlite3.connect(snap.path)
    try:
        existing = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        snapshot_facts(lambda sql: copy.execute(sql).fetchall(), existing, snap)
    finally:
        copy.close()
    return snap


def sqlite_restore(path: Path) -> None:
    """Replace the whole database (schema and rows) with the archived copy, through Django's
    own connection (so an in-memory database is replaced too)."""
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connections.close_all()


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """A PostgreSQL client program: in ``MOTCUA_PG_BIN_DIR``, else the newest Debian server
    install (as scripts/with_postgres.py finds it), else on PATH."""
    folder = os.environ.get("MOTCUA_PG_BIN_DIR", "")
    if folder and (Path(folder) / name).exists():
        return str(Path(folder) / name)
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = versioned[0] if versioned else shutil.which(name)
    if not found:
        raise BackupError(
            f"Không tìm thấy {name} (cài gói máy khách PostgreSQL hoặc đặt MOTCUA_PG_BIN_DIR) / "
            f"{name} not found (install the PostgreSQL client or set MOTCUA_PG_BIN_DIR)"
        )
    return found


def pg_environment() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    pairs = {
        "PGDATABASE": settings.get("NAME"), "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"), "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
    }  # fmt: skip
    options = settings.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        pairs[f"PG{option.upper()}"] = options.get(option)
    env.update({name: str(value) for name, value in pairs.items() if value})
    return env


def pg_run(command: list[str]) -> None:
    done = subprocess.run(command, env=pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} thất bại / failed ({done.returncode}): "
            f"{done.stderr.strip()[-2000:]}"
        )


@contextmanager
def pg_snapshot_transaction() -> Iterator[tuple[str, Query, str]]:
    """A new connection in a REPEATABLE READ transaction: its exported snapshot id, a query
    function reading that snapshot, and the schema the app's tables live in."""
    fresh = connection.copy()
    try:
        fresh.ensure_connection()
        fresh.set_autocommit(False)
        with fresh.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_schema()")
            snapshot_id, schema = cursor.fetchone()

            def query(sql: str) -> list[tuple[Any, ...]]:
                cursor.execute(sql)
                return list(cursor.fetchall())

            yield str(snapshot_id), query, str(schema)
            fresh.rollback()
    finally:
        fresh.close()


def postgres_snapshot(folder: Path) -> Snapshot:
    snap = Snapshot("postgresql", POSTGRES_MEMBER, folder / "motcua.pgdump")
    with pg_snapshot_transaction() as (snapshot_id, query, schema):
        existing = {
            str(r[0])
            for r in query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        }
        snapshot_facts(query, existing, snap)
        pg_run([
            pg_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
            f"--schema={schema}", "--no-owner", "--no-privileges", f"--file={snap.path}",
        ])  # fmt: skip
    return snap


# Empties the app's schema (keeping the schema itself, its owner and grants): every table,
# view, sequence and function of ours; partitions go with their parent; extensions' are kept.
PG_EMPTY_SCHEMA = """
SET client_min_messages = warning;
DO $$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT c.oid::regclass::text AS name,
      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relkind DESC
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure::text AS name FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.name);
  END LOOP;
END $$;
"""


def pg_contents_without_schema(path: Path, env: dict[str, str]) -> str:
    """The dump's table of contents minus the schema itself (it stays, emptied)."""
    listed = subprocess.run(
        [pg_binary("pg_restore"), "--list", str(path)], env=env, capture_output=True, text=True
    )
    if listed.returncode != 0:
        raise BackupError(f"pg_restore --list: {listed.stderr.strip()[-2000:]}")
    lines = listed.stdout.splitlines()
    return (
        "\n".join(
            line for line in lines if " SCHEMA - " not in line and " COMMENT - SCHEMA " not in line
        )
        + "\n"
    )


def postgres_restore(path: Path) -> None:
    """Empty the app's schema and load the archived one, in one transaction: a failure leaves
    the database as it was. (``pg_restore --clean`` cannot drop partitioned tables' keys.)"""
    connections.close_all()
    env = pg_environment()
    with tempfile.TemporaryDirectory(prefix=".motcua-restore-sql-") as work:
        prelude = Path(work) / "empty.sql"
        prelude.write_text(PG_EMPTY_SCHEMA, encoding="utf-8")
        contents = Path(work) / "contents.list"
        contents.write_text(pg_contents_without_schema(path, env), encoding="utf-8")
        dump = subprocess.Popen(
            [pg_binary("pg_restore"), "--no-owner", "--no-privileges", f"--use-list={contents}",
             "--file=-", str(path)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        load = subprocess.run(
            [pg_binary("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
             "-f", str(prelude), "-f", "-"],
            env=env, stdin=dump.stdout, capture_output=True, text=True,
        )  # fmt: skip
        assert dump.stdout is not None
        assert dump.stderr is not None
        dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace")
        dump.wait()
    connections.close_all()
    if dump.returncode != 0 or load.returncode != 0:
        raise BackupError(
            f"pg_restore/psql thất bại, cơ sở dữ liệu không đổi / failed, the database is "
            f"unchanged: {(dump_error + load.stderr).strip()[-2000:]}"
        )


def snapshot_take(folder: Path) -> Snapshot:
    if connection.vendor == "sqlite":
        return sqlite_snapshot(folder)
    if connection.vendor == "postgresql":
        return postgres_snapshot(folder)
    raise BackupError(f"Cơ sở dữ liệu không hỗ trợ / unsupported database: {connection.vendor}")


def database_restore(vendor: str, path: Path) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"Bản sao lưu của {vendor}, cài đặt này dùng {connection.vendor} / the archive holds a "
            f"{vendor} database, this installation uses {connection.vendor}"
        )
    if vendor == "sqlite":
        sqlite_restore(path)
    else:
        postgres_restore(path)


def current_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in model_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
                counts[table] = int(cursor.fetchone()[0])
    return counts
