"""Dossiers, their events and their step visits in partitions by ranges of dossier ids
(PostgreSQL only; decision 0022). SQLite keeps its tables as they are; Django's model state does
not change, so there are no state operations.

Each table is converted in place, with or without rows: it is renamed and becomes the first
partition of a new partitioned table of the old name (no row is copied; its indexes are kept and
attached to the new table's). What a partitioned table cannot hold changes:

- ``dossiers_dossier`` keeps its primary key ``(id)`` (the partition key), so every foreign key to
  a dossier stays as it was. Its unique ``ref``, ``code`` and (submitter, idempotency key) become
  plain indexes, and their uniqueness is kept, across all partitions, by ``dossiers_dossierkey``:
  one row per key, written by triggers on the dossier table (so COPY, the kernel, the admin and
  hand-written SQL all go through it).
- Events and step visits are partitioned by ``dossier_id`` with the same bounds, so a dossier and
  its history are in the same period's partitions. Their primary key becomes ``(id, dossier_id)``;
  the two foreign keys to an event (issued documents, notifications) become
  ``(event_id, dossier_id)``, both tables naming the dossier already.

The migration is one transaction: it either converts all three tables or none. Going back
(``migrate dossiers 0012``) copies every row into plain tables again.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import migrations

STEP = 10_000_000_000  # dossier ids per partition (decision 0022)
UNIQUE_MARK = "motcua 0013, unique before partitioning: "
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
# (table, partition key, primary key)
TABLES = [
    ("dossiers_dossier", "id", ["id"]),
    ("dossiers_dossierevent", "dossier_id", ["id", "dossier_id"]),
    ("dossiers_dossierstep", "dossier_id", ["id", "dossier_id"]),
]

REGISTRY = """
CREATE TABLE dossiers_partition (
    period varchar(16) PRIMARY KEY,
    starts_on date NOT NULL,
    low bigint NOT NULL,
    high bigint NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    opened_at timestamptz
);
COMMENT ON TABLE dossiers_partition IS
    'Partitions of dossiers, events and step visits: the period, the dossier ids [low, high) and '
    'when new dossiers began to take ids from low (decision 0022).';
"""

KEYS = """
CREATE TABLE dossiers_dossierkey (
    key text PRIMARY KEY,
    dossier_id bigint NOT NULL
);
COMMENT ON TABLE dossiers_dossierkey IS
    'Unique keys of dossiers across partitions: r|ref, c|code, i|submitter|idempotency key '
    '(decision 0022). Written by triggers on dossiers_dossier only.';

CREATE FUNCTION dossiers_dossier_key_list(
    ref text, code text, submitter bigint, idempotency text
) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_remove(ARRAY[
        'r|' || ref,
        'c|' || code,
        CASE WHEN submitter IS NOT NULL AND idempotency <> ''
             THEN 'i|' || submitter || '|' || idempotency END
    ], NULL)
$$;

CREATE FUNCTION dossiers_dossier_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone text[] := '{}';
    kept text[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        gone := dossiers_dossier_key_list(OLD.ref, OLD.code, OLD.submitted_by_id,
                                          OLD.idempotency_key);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        kept := dossiers_dossier_key_list(NEW.ref, NEW.code, NEW.submitted_by_id,
                                          NEW.idempotency_key);
    END IF;
    DELETE FROM dossiers_dossierkey
        WHERE key = ANY (gone) AND NOT key = ANY (kept) AND dossier_id = OLD.id;
    INSERT INTO dossiers_dossierkey (key, dossier_id)
        SELECT k, NEW.id FROM unnest(kept) AS k WHERE NOT k = ANY (gone);
    RETURN NULL;
END
$$;

CREATE FUNCTION dossiers_dossier_keys_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE dossiers_dossierkey;
    RETURN NULL;
END
$$;

CREATE TRIGGER dossiers_dossier_keys_insert AFTER INSERT ON dossiers_dossier
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossier_keys();
CREATE TRIGGER dossiers_dossier_keys_update AFTER UPDATE OF ref, code, submitted_by_id,
    idempotency_key ON dossiers_dossier FOR EACH ROW
    WHEN (OLD.ref IS DISTINCT FROM NEW.ref OR OLD.code IS DISTINCT FROM NEW.code
          OR OLD.submitted_by_id IS DISTINCT FROM NEW.submitted_by_id
          OR OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key)
    EXECUTE FUNCTION dossiers_dossier_keys();
CREATE TRIGGER dossiers_dossier_keys_delete AFTER DELETE ON dossiers_dossier
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossier_keys();
CREATE TRIGGER dossiers_dossier_keys_truncate AFTER TRUNCATE ON dossiers_dossier
    FOR EACH STATEMENT EXECUTE FUNCTION dossiers_dossier_keys_truncate();

INSERT INTO dossiers_dossierkey (key, dossier_id)
    SELECT unnest(dossiers_dossier_key_list(ref, code, submitted_by_id, idempotency_key)), id
    FROM dossiers_dossier;
"""

UNDO_KEYS = """
DROP TRIGGER dossiers_dossier_keys_truncate ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_keys_delete ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_keys_update ON dossiers_dossier;
DROP TRIGGER dossiers_dossier_keys_insert ON dossiers_dossier;
DROP FUNCTION dossiers_dossier_keys_truncate();
DROP FUNCTION dossiers_dossier_keys();
DROP FUNCTION dossiers_dossier_key_list(text, text, bigint, text);
DROP TABLE dossiers_dossierkey;
"""


def suffixed(name: str, suffix: str) -> str:
    """``name_suffix`` within PostgreSQL's 63 bytes (the name is shortened, never the suffix)."""
    return f"{name[: 63 - len(suffix) - 1]}_{suffix}"


def rows(cursor: Any, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params or [])
    return list(cursor.fetchall())


def indexes_of(cursor: Any, table: str) -> list[dict[str, Any]]:
    """Every index of ``table``: name, definition, columns, unique, primary, its constraint."""
    found = rows(
        cursor,
        """
        SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique, x.indisprimary, c.conname,
               pg_get_constraintdef(c.oid),
               ARRAY(SELECT a.attname FROM unnest(x.indkey) AS k
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass ORDER BY i.relname
        """,
        [table],
    )
    keys = ("name", "sql", "unique", "primary", "constraint", "definition", "columns")
    return [dict(zip(keys, row, strict=True)) for row in found]


def partition_indexes_name(cursor: Any, partition: str, suffix: str) -> None:
    """Name each index of a partition after the index of the parent it belongs to."""
    for child, parent in rows(
        cursor,
        """
        SELECT c.relname, p.relname FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_inherits h ON h.inhrelid = x.indexrelid
        JOIN pg_class p ON p.oid = h.inhparent
        WHERE x.indrelid = %s::regclass
        """,
        [partition],
    ):
        wanted = suffixed(parent, suffix)
        if child != wanted:
            cursor.execute(f'ALTER INDEX "{child}" RENAME TO "{wanted}"')


def foreign_key_to_pair(definition: str, key: str) -> str:
    """``FOREIGN KEY (x) REFERENCES t(id) …`` → ``FOREIGN KEY (x, key) REFERENCES t(id, key) …``."""
    pattern = r"^FOREIGN KEY \((\w+)\) REFERENCES ([\w.]+)\(id\)"
    if not re.match(pattern, definition):
        raise RuntimeError(
            f"khóa ngoại không chuyển được / foreign key not converted: {definition}"
        )
    return re.sub(pattern, rf"FOREIGN KEY (\1, {key}) REFERENCES \2(id, {key})", definition)


def foreign_keys(cursor: Any, table: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(to ``table``: (table, name, definition)…, from it: (name, definition)…), without the
    copies PostgreSQL keeps for each partition."""
    incoming = rows(
        cursor,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = %s::regclass AND conparentid = 0",
        [table],
    )
    outgoing = rows(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = %s::regclass AND conparentid = 0",
        [table],
    )
    return incoming, outgoing


def sequence_of(cursor: Any, table: str) -> tuple[str, int, bool]:
    sequence = rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
    last_value, is_called = rows(cursor, f"SELECT last_value, is_called FROM {sequence}")[0]  # noqa: S608
    return sequence, last_value, is_called


def sequence_take_over(cursor: Any, table: str, state: tuple[str, int, bool]) -> None:
    """The new table's identity sequence gets the old one's name and position."""
    sequence, last_value, is_called = state
    new_sequence = rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_partition(
    cursor: Any, table: str, key: str, primary: list[str], *, suffix: str, high: int
) -> None:
    """Make ``table`` the first partition (ids below ``high``) of a partitioned table of its name."""
    partition = f"{table}_{suffix}"
    incoming, outgoing = foreign_keys(cursor, table)
    indexes = indexes_of(cursor, table)
    state = sequence_of(cursor, table)

    for other, name, _definition in incoming:
        cursor.execute(f'ALTER TABLE {other} DROP CONSTRAINT "{name}"')
    cursor.execute(f"ALTER TABLE {table} RENAME TO {partition}")
    parent_sql = []
    for index in indexes:
        keeps_key = key in index["columns"]
        if index["primary"]:
            if index["columns"] == primary:
                cursor.execute(f'ALTER INDEX "{index["name"]}" RENAME TO "{partition}_pkey"')
            else:
                cursor.execute(f'ALTER TABLE {partition} DROP CONSTRAINT "{index["constraint"]}"')
            parent_sql.append(
                f'ALTER TABLE {table} ADD CONSTRAINT "{index["name"]}" '
                f"PRIMARY KEY ({', '.join(primary)})"
            )
        elif index["unique"] and not keeps_key:
            # Unique across partitions through dossiers_dossierkey; here an index to find by.
            if index["constraint"]:
                cursor.execute(f'ALTER TABLE {partition} DROP CONSTRAINT "{index["constraint"]}"')
                before = f'ALTER TABLE {table} ADD CONSTRAINT "{index["constraint"]}" {index["definition"]}'  # fmt: skip
            else:
                cursor.execute(f'DROP INDEX "{index["name"]}"')
                before = index["sql"]
            parent_sql.append(index["sql"].replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1))
            # How it was, for the way back (partitions_remove).
            parent_sql.append(
                f'COMMENT ON INDEX "{index["name"]}" IS {literal(UNIQUE_MARK + before)}'
            )
        else:
            cursor.execute(f'ALTER INDEX "{index["name"]}" RENAME TO "{suffixed(index["name"], suffix)}"')  # fmt: skip
            if index["constraint"]:
                parent_sql.append(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{index["constraint"]}" '
                    f"{index['definition']}"
                )
            else:
                parent_sql.append(index["sql"])

    cursor.execute(
        f"CREATE TABLE {table} (LIKE {partition} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY) PARTITION BY RANGE ({key})"
    )
    cursor.execute(f"ALTER TABLE {partition} ALTER COLUMN id DROP IDENTITY")
    sequence_take_over(cursor, table, state)
    for sql in parent_sql:
        cursor.execute(sql)
    for name, definition in outgoing:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        f"ALTER TABLE {table} ATTACH PARTITION {partition} FOR VALUES FROM (MINVALUE) TO ({high})"
    )
    partition_indexes_name(cursor, partition, suffix)
    for other, name, definition in incoming:
        if primary != ["id"]:
            definition = foreign_key_to_pair(definition, key)
        cursor.execute(f'ALTER TABLE {other} ADD CONSTRAINT "{name}" {definition}')


def foreign_key_to_single(definition: str, key: str) -> str:
    """The way back of ``foreign_key_to_pair``."""
    pattern = rf"^FOREIGN KEY \((\w+), {key}\) REFERENCES ([\w.]+)\(id, {key}\)"
    return re.sub(pattern, r"FOREIGN KEY (\1) REFERENCES \2(id)", definition)


def table_unpartition(cursor: Any, table: str, key: str) -> None:
    """A plain table again, with every partition's rows (copied) and its keys as before."""
    incoming, outgoing = foreign_keys(cursor, table)
    indexes = indexes_of(cursor, table)
    state = sequence_of(cursor, table)
    comments = dict(
        rows(
            cursor,
            "SELECT i.relname, obj_description(i.oid, 'pg_class') FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass",
            [table],
        )
    )
    for other, name, _definition in incoming:
        cursor.execute(f'ALTER TABLE {other} DROP CONSTRAINT "{name}"')
    cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_partitioned")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {table}_partitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
    )
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_partitioned")  # noqa: S608
    cursor.execute(f"DROP TABLE {table}_partitioned")
    sequence_take_over(cursor, table, state)
    for index in indexes:
        comment = comments.get(index["name"]) or ""
        if index["primary"]:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{index["name"]}" PRIMARY KEY (id)')
        elif comment.startswith(UNIQUE_MARK):
            cursor.execute(comment.removeprefix(UNIQUE_MARK))
        elif index["constraint"]:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{index["constraint"]}" {index["definition"]}')  # fmt: skip
        else:
            cursor.execute(index["sql"].replace(" ON ONLY ", " ON ", 1))
    for name, definition in outgoing:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for other, name, definition in incoming:
        definition = foreign_key_to_single(definition, key)
        cursor.execute(f'ALTER TABLE {other} ADD CONSTRAINT "{name}" {definition}')


def period_now() -> tuple[str, datetime.date]:
    """This year, as the period of the first partition (``MOTCUA_PARTITION_PERIOD`` may make the
    next ones months; decision 0022)."""
    today = datetime.datetime.now(VIETNAM).date()
    return str(today.year), today.replace(month=1, day=1)


def partitions_create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    period, starts_on = period_now()
    suffix = "p" + period.replace("-", "")
    with schema_editor.connection.cursor() as cursor:
        highest = rows(cursor, "SELECT max(id) FROM dossiers_dossier")[0][0] or 0
        high = STEP * (highest // STEP + 1)
        for table, key, primary in TABLES:
            table_partition(cursor, table, key, primary, suffix=suffix, high=high)
        cursor.execute(REGISTRY)
        cursor.execute(
            "INSERT INTO dossiers_partition (period, starts_on, low, high, opened_at) "
            "VALUES (%s, %s, 1, %s, now())",
            [period, starts_on, high],
        )
        cursor.execute(KEYS)


def partitions_remove(apps: Any, schema_editor: Any) -> None:
    """Back to plain tables: every partition's rows are copied into them (slow on a large
    database; restoring the backup taken before the upgrade is quicker)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(UNDO_KEYS)
        cursor.execute("DROP TABLE dossiers_partition")
        for table, key, _primary in reversed(TABLES):
            table_unpartition(cursor, table, key)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0012_worklist_counts_from_indexes"),
        # Every table with a foreign key to a dossier or an event exists before the conversion.
        ("notifications", "0002_officer_alerts"),
        ("portal", "0005_lookup_failures"),
        ("ratings", "0001_initial"),
    ]

    operations = [migrations.RunPython(partitions_create, partitions_remove)]
