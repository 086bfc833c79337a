"""Indexes that another index of the same table already serves, dropped (issue 12): each
cost every insert (an event's, a step's, an access line's on every read) and, on the events,
had the audit scan sort what the unique (dossier, seq) index gives in order.

Only the indexes are dropped: Django's AlterField would also drop and re-add each foreign key,
re-checking every row (minutes on a city's events) and tripping over the constraints PostgreSQL
adds for a partitioned referenced table. The fields' state changes as AlterField says.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0017_order_by_parent_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossieraccess",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accesses",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierstep",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="step_visits",
                        to="dossiers.dossier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        'DROP INDEX IF EXISTS "dossiers_dossieraccess_dossier_id_d78c9554"',
                        'DROP INDEX IF EXISTS "dossiers_dossierevent_dossier_id_90237d93"',
                        'DROP INDEX IF EXISTS "dossiers_dossierstep_dossier_id_c1142212"',
                    ],
                    reverse_sql=[
                        'CREATE INDEX "dossiers_dossieraccess_dossier_id_d78c9554" ON "dossiers_dossieraccess" ("dossier_id")',
                        'CREATE INDEX "dossiers_dossierevent_dossier_id_90237d93" ON "dossiers_dossierevent" ("dossier_id")',
                        'CREATE INDEX "dossiers_dossierstep_dossier_id_c1142212" ON "dossiers_dossierstep" ("dossier_id")',
                    ],
                ),
            ],
        ),
    ]
