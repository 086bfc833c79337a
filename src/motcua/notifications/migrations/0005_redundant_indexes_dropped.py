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
        ("notifications", "0004_outbox_account_mail_admin_alert"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="event",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="dossiers.dossierevent",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("pending", "Chờ gửi"),
                            ("sent", "Đã gửi"),
                            ("failed", "Gửi không được"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="trạng thái",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        'DROP INDEX IF EXISTS "notifications_notification_event_id_28551f97"',
                        'DROP INDEX IF EXISTS "notifications_notification_status_fc366839"',
                        'DROP INDEX IF EXISTS "notifications_notification_status_fc366839_like"',
                    ],
                    reverse_sql=[
                        'CREATE INDEX "notifications_notification_event_id_28551f97" ON "notifications_notification" ("event_id")',
                        'CREATE INDEX "notifications_notification_status_fc366839" ON "notifications_notification" ("status")',
                    ],
                ),
            ],
        ),
    ]
