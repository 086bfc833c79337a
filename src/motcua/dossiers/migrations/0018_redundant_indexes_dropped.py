"""Indexes another index of their table serves, dropped (``common.index_drops``)."""

import django.db.models.deletion
from django.db import migrations, models

from motcua.common.index_drops import indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0017_order_by_parent_id"),
    ]

    operations = [
        indexes_dropped(
            [
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
            [
                (
                    "dossiers_dossieraccess_dossier_id_d78c9554",
                    "dossiers_dossieraccess",
                    "dossier_id",
                ),
                (
                    "dossiers_dossierevent_dossier_id_90237d93",
                    "dossiers_dossierevent",
                    "dossier_id",
                ),
                ("dossiers_dossierstep_dossier_id_c1142212", "dossiers_dossierstep", "dossier_id"),
            ],
        ),
    ]
