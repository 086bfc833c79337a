from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent

from .constants import DeliveryStatus, Kind, NotifyChannel


class Notification(models.Model):
    """One message to the applicant about one dossier event: the outbox row and its delivery log.

    Written in the transaction of the event; delivered by the worker. ``idempotency_key`` (one per
    event and channel) is also given to the SMS provider, so a retry is never sent twice.
    """

    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    # Found by the unique (event, channel): no index of its own to write with every message.
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=NotifyChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )  # found by the (status, next_attempt_at) index below
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi lần gửi cuối"), blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    next_attempt_at = models.DateTimeField(_("gửi lại từ"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    provider_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"], name="notification_once_per_event_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_status_display()})"


class AdminAlert(models.Model):
    """Something administrators must look at (messages that could not be delivered), shown in
    the admin and counted by /readyz. One open row per ``key``; a repeat adds to its count."""

    key = models.CharField(_("mã"), max_length=100, db_index=True)
    title = models.CharField(_("tiêu đề"), max_length=255)
    detail = models.TextField(_("chi tiết"), blank=True)
    count = models.PositiveIntegerField(_("số lần"), default=1)
    first_at = models.DateTimeField(_("lần đầu"))
    last_at = models.DateTimeField(_("lần cuối"))
    resolved_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cảnh báo quản trị")
        verbose_name_plural = _("cảnh báo quản trị")
        ordering = ["-last_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(resolved_at=None), name="admin_alert_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.count})"
