"""A migration operation that drops indexes another index of the same table serves (issue 12):
each one cost every insert into its table.

Django's ``AlterField(db_index=False)`` would drop the index, and also drop and re-add the field's
foreign key: PostgreSQL then checks every row again (minutes on a city's events) and Django trips
over the constraints PostgreSQL adds to a table that references a partitioned one. So the
database loses only the index, and the migration state changes as ``AlterField`` says.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations
from django.db.migrations.operations.base import Operation


def indexes_dropped(
    altered: Sequence[migrations.AlterField], indexes: Sequence[tuple[str, str, str]]
) -> Operation:
    """``altered`` for the state; in the database, each (index, table, column) dropped (and
    made again when the migration is reversed). An index PostgreSQL adds on its own (a
    ``_like`` index of a text column) is given with an empty table: dropped, never remade."""
    return migrations.SeparateDatabaseAndState(
        state_operations=list(altered),
        database_operations=[
            migrations.RunSQL(
                [f'DROP INDEX IF EXISTS "{index}"' for index, _table, _column in indexes],
                reverse_sql=[
                    f'CREATE INDEX "{index}" ON "{table}" ("{column}")'
                    for index, table, column in indexes
                    if table
                ],
            )
        ],
    )
