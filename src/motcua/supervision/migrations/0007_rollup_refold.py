"""The rollup's rows written before the monthly buckets lack their months and settled instant,
so the buckets and snapshots would misread them. The rollup is derived from the event log
(decision 0026): it is emptied here and the next catch-up (the worker's round, or the first
report) folds every dossier again with the current rules."""

from django.db import migrations


def rollup_empty(apps, schema_editor):
    for name in ("FlightSnapshot", "FlightBoundary", "IndicatorBucket", "DossierFact"):
        apps.get_model("supervision", name).objects.all().delete()
    apps.get_model("supervision", "FactCursor").objects.update(last_id=0)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0006_flight_snapshots"),
    ]

    operations = [
        migrations.RunPython(rollup_empty, migrations.RunPython.noop),
    ]
