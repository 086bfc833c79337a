"""Indexes that another index of the same table already serves, dropped (issue 12): each
cost every insert (an event's, a dossier's, an access line's on every read) and, on the events,
had the audit scan sort what the unique (dossier, seq) index gives in order.

Only the indexes are dropped: Django's AlterField would also drop and re-add each foreign key,
re-checking every row (minutes on a city's events) and tripping over the constraints PostgreSQL
adds for a partitioned referenced table. The fields' state changes as AlterField says.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0018_redundant_indexes_dropped"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="payment",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="payments",
                        to="dossiers.dossier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    ['DROP INDEX IF EXISTS "payments_payment_dossier_id_2b2990ca"'],
                    reverse_sql=[
                        'CREATE INDEX "payments_payment_dossier_id_2b2990ca" ON "payments_payment" ("dossier_id")'
                    ],
                ),
            ],
        ),
    ]
