"""Indexes another index of their table serves, dropped (``common.index_drops``)."""

import django.db.models.deletion
from django.db import migrations, models

from motcua.common.index_drops import indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0018_redundant_indexes_dropped"),
        ("notifications", "0004_outbox_account_mail_admin_alert"),
    ]

    operations = [
        indexes_dropped(
            [
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
            [
                (
                    "notifications_notification_event_id_28551f97",
                    "notifications_notification",
                    "event_id",
                ),
                (
                    "notifications_notification_status_fc366839",
                    "notifications_notification",
                    "status",
                ),
                ("notifications_notification_status_fc366839_like", "", ""),
            ],
        ),
    ]
