from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.common.models import ChainedEvent
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit

from .constants import (
    AlertKind,
    FeedbackAction,
    FeedbackChannel,
    FeedbackStatus,
    Subject,
)


class Feedback(models.Model):
    """Phản ánh, kiến nghị: what a citizen or business says about a procedure, one of their
    dossiers or an officer, and the responsible unit's handling of it.

    The deadlines are stored as instants when they start (``*_due``), so that the officer's list,
    the alerts and indicators 5.1–5.3 compare columns. The public copies of the question and the
    answer (``public_*``) are written once, redacted, when the answer is published; the search of
    the public page reads only them.
    """

    code = models.CharField(_("mã phản ánh"), max_length=24, unique=True)
    subject = models.CharField(_("phản ánh về"), max_length=16, choices=Subject.choices)
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("kênh"), max_length=16, choices=FeedbackChannel.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_name = models.CharField(_("người gửi"), max_length=200)
    sender_id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    sender_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    question = models.TextField(_("nội dung phản ánh, kiến nghị"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )  # fmt: skip
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    reject_due = models.DateTimeField(_("hạn từ chối"))
    request_due = models.DateTimeField(_("hạn đề nghị bổ sung"))
    answer_due = models.DateTimeField(_("hạn trả lời"))
    publish_due = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    request_text = models.TextField(blank=True)
    supplied_at = models.DateTimeField(null=True, blank=True)
    supply_text = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    public_title = models.CharField(max_length=200, blank=True)
    public_question = models.TextField(blank=True)
    public_answer = models.TextField(blank=True)
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status", "answer_due"], name="feedback_unit_status"),
            models.Index(fields=["status", "published_at"], name="feedback_published"),
            models.Index(fields=["received_at"], name="feedback_received"),
        ]

    def __str__(self) -> str:
        return self.code


def attachment_path(instance: FeedbackAttachment, filename: str) -> str:
    # As dossier files (decision 0017): under the content hash, never under the user's name.
    return f"feedback/{instance.sha256[:2]}/{instance.sha256}-{secrets.token_hex(6)}"


class FeedbackAttachment(models.Model):
    """A file sent with the feedback or with the information asked for; never public."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="attachments")
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["feedback_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.size} B)"


class FeedbackEvent(ChainedEvent):
    """One change of a feedback: who, when, what, from and to, why; chained by SHA-256 as the
    bundles' events are (``motcua.common.chain``), so that an edited or deleted event shows."""

    HASHED = (
        "prev_hash", "seq", "at", "actor_name", "unit_id", "action", "from_status", "to_status",
        "reason", "payload",
    )  # fmt: skip

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    unit_id = models.IntegerField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=FeedbackAction.choices)

    class Meta:
        verbose_name = _("sự kiện phản ánh")
        verbose_name_plural = _("sự kiện phản ánh")
        ordering = ["feedback_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "seq"], name="feedback_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} #{self.seq} {self.action}"


class FeedbackAlert(models.Model):
    """A deadline warning, raised once per feedback and kind by the scheduled scan."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    raised_at = models.DateTimeField()
    notified = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feedback", "kind"], name="feedback_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.kind}"
