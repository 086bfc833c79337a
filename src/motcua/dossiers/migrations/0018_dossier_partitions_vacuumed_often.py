"""Each dossier partition vacuumed after 10,000 rows written or changed (``partitions.
VACUUM_ROWS``): the worklist's index-only counts of open dossiers, the rows written last, read
the table for every row on a page the visibility map does not mark all-visible. Partitions made
later get the same settings from ``partitions.partition_create``. PostgreSQL only."""

from typing import Any

from django.db import migrations

VACUUM_ROWS = 10_000  # as partitions.VACUUM_ROWS when this was written
NAMES = (
    "autovacuum_vacuum_scale_factor", "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_insert_scale_factor", "autovacuum_vacuum_insert_threshold",
)  # fmt: skip


def dossier_tables(cursor: Any) -> list[str]:
    """The partitions of ``dossiers_dossier``, or the table itself if it has none."""
    cursor.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits "
        "WHERE inhparent = 'dossiers_dossier'::regclass ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()] or ["dossiers_dossier"]


def vacuumed_often(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    values = (0, VACUUM_ROWS, 0, VACUUM_ROWS)
    settings = ", ".join(f"{name} = {value}" for name, value in zip(NAMES, values, strict=True))
    with schema_editor.connection.cursor() as cursor:
        for table in dossier_tables(cursor):
            cursor.execute(f"ALTER TABLE {table} SET ({settings})")


def vacuumed_by_default(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in dossier_tables(cursor):
            cursor.execute(f"ALTER TABLE {table} RESET ({', '.join(NAMES)})")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0017_order_by_parent_id")]

    operations = [migrations.RunPython(vacuumed_often, vacuumed_by_default)]
