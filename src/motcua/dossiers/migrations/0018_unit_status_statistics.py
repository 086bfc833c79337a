"""Statistics of a unit and the status together on every dossier partition (PostgreSQL only):
see ``partitions.partition_statistics``. New partitions get them when they are created."""

from typing import Any

from django.db import migrations


def statistics_create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from motcua.dossiers.partitions import dossier_partition_names, partition_statistics

    with schema_editor.connection.cursor() as cursor:
        for partition in dossier_partition_names(cursor):
            partition_statistics(cursor, partition)
            cursor.execute(f'ANALYZE "{partition}"')


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0017_order_by_parent_id"),
    ]

    operations = [
        migrations.RunPython(statistics_create, migrations.RunPython.noop, elidable=True),
    ]
