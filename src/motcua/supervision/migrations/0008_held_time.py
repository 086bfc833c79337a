"""Delay attribution folded with the rollup (``HeldTime``). The rollup is derived from the event
log (decision 0026): it is emptied here and the next catch-up folds every dossier again, which
writes each one's held time."""

import django.db.models.deletion
from django.db import migrations, models


def rollup_empty(apps, schema_editor):
    for name in ("FlightSnapshot", "FlightBoundary", "IndicatorBucket", "DossierFact"):
        apps.get_model("supervision", name).objects.all().delete()
    apps.get_model("supervision", "FactCursor").objects.update(last_id=0)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0016_reception_token"),
        ("supervision", "0007_rollup_refold"),
    ]

    operations = [
        migrations.CreateModel(
            name="HeldTime",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("received", models.BigIntegerField()),
                ("receiving_unit_id", models.IntegerField()),
                ("deciding_unit_id", models.IntegerField()),
                ("unit", models.CharField(max_length=100)),
                ("holder", models.CharField(blank=True, max_length=150)),
                ("working_seconds", models.BigIntegerField(default=0)),
                ("over_budget_seconds", models.BigIntegerField(default=0)),
                ("segments", models.IntegerField(default=0)),
                ("over_segments", models.IntegerField(default=0)),
                ("open_axis", models.BigIntegerField(null=True)),
                ("open_left", models.BigIntegerField(null=True)),
                ("dossier", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="dossiers.dossier")),
            ],
            options={
                "verbose_name": "thời gian giữ hồ sơ",
                "verbose_name_plural": "thời gian giữ hồ sơ",
                "indexes": [
                    models.Index(fields=["received"], name="held_received"),
                    models.Index(fields=["dossier"], name="held_dossier"),
                ],
            },
        ),
        migrations.RunPython(rollup_empty, migrations.RunPython.noop),
    ]
