"""Indexes another index of their table serves, dropped (``common.index_drops``)."""

import django.db.models.deletion
from django.db import migrations, models

from motcua.common.index_drops import indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0018_redundant_indexes_dropped"),
        ("payments", "0001_initial"),
    ]

    operations = [
        indexes_dropped(
            [
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
            [
                ("payments_payment_dossier_id_2b2990ca", "payments_payment", "dossier_id"),
            ],
        ),
    ]
