from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.common.models import ChainedEvent
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit

from .constants import BundleAction, BundleStatus, CallStatus, MemberState


class Bundle(models.Model):
    """Hồ sơ liên thông: one application over several agencies' procedures (Decree 63/2024).

    The parent of its member dossiers, which are ordinary dossiers at their own agencies. It keeps
    the definition it was received under (``definition``), what the applicant chose and told once
    (``services``, ``applicant``, ``subject``), and where the whole stands (``status``, derived
    from its members by ``saga.bundle_status``). ``code`` is the code of its first member's
    dossier, given at reception: the one code on the applicant's receipt.
    """

    ref = models.CharField(_("số tham chiếu"), max_length=40, unique=True)
    code = models.CharField(
        _("mã hồ sơ liên thông"), max_length=60, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("nhóm thủ tục liên thông"), max_length=32)
    definition_version = models.CharField(max_length=64)
    definition = models.JSONField(_("định nghĩa áp dụng (bản lưu lúc nộp)"))
    services = models.JSONField(_("thủ tục được chọn"), default=list)
    limit = models.JSONField(_("thời hạn của cả nhóm"), default=dict)
    receiving_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices)
    applicant = models.JSONField(_("người nộp"), default=dict)
    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(max_length=20, blank=True, db_index=True)
    subject = models.JSONField(_("thông tin khai một lần"), default=dict)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=BundleStatus.choices, default=BundleStatus.SUBMITTED
    )
    withdrawn = models.BooleanField(_("người nộp đã rút"), default=False)
    noticed = models.BooleanField(
        default=False, help_text=_("Đã báo người nộp việc dừng liên thông.")
    )
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả cả nhóm"), null=True, blank=True)
    # The whole bundle's limit counted from its reception (Decree 63/2024 art. 7): ``due_at``
    # follows a member's apology and new date, this does not; the Center judges lateness by it.
    statutory_due_at = models.DateTimeField(
        _("hạn giải quyết cả nhóm theo quy định"), null=True, blank=True
    )
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bundles",
    )
    idempotency_key = models.CharField(max_length=80, blank=True)
    # SHA-256 of the submission as sent (``submission.request_digest``): a retry with the key is
    # the same request; another one with it is refused, not answered with this bundle.
    request_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=1)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("hồ sơ liên thông")
        verbose_name_plural = _("hồ sơ liên thông")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "status"], name="bundle_kind_status"),
            models.Index(fields=["receiving_unit", "status"], name="bundle_receiving_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                name="bundle_idempotency_key_unique",
                condition=~models.Q(idempotency_key=""),
            )
        ]

    def __str__(self) -> str:
        return self.code or self.ref


class BundleMember(models.Model):
    """One agency procedure of a bundle. Without a dossier it waits for the result of the member
    it comes after (``after``) or was cancelled; with one it follows that dossier."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    order = models.PositiveSmallIntegerField()
    service = models.CharField(_("dịch vụ"), max_length=40)
    variant = models.CharField(max_length=40, blank=True)
    after = models.CharField(_("sau thủ tục"), max_length=40, blank=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bundle_members")
    limit = models.JSONField(_("thời hạn trong nhóm"), default=dict)
    registry = models.CharField(
        _("ghi vào CSDL"), max_length=64, blank=True, help_text=_("<hệ thống>/<thao tác>")
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=MemberState.choices, default=MemberState.WAITING
    )
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_member"
    )
    activated_at = models.DateTimeField(_("chuyển tới cơ quan lúc"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("cơ quan tiếp nhận lúc"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("hạn phản hồi tiếp nhận"), null=True, blank=True)
    ack_alerted_at = models.DateTimeField(_("cảnh báo chưa phản hồi lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(_("kết quả chuyển tiếp"), default=dict, blank=True)

    class Meta:
        verbose_name = _("thủ tục thành phần")
        verbose_name_plural = _("thủ tục thành phần")
        # Rows of one parent are read together: ordered by the parent's id, not by the parent
        # (which would join its table and sort by its own ordering in every such read).
        ordering = ["bundle_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "service"], name="bundle_member_service_once")
        ]
        indexes = [
            models.Index(fields=["unit", "state"], name="bundle_member_unit_state"),
            models.Index(
                fields=["ack_due_at"], name="bundle_member_ack_due",
                condition=models.Q(acknowledged_at__isnull=True, ack_alerted_at__isnull=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.service} ({self.state})"


class BundleEvent(ChainedEvent):
    """One change of a bundle: who, when, what, from and to, why. Chained by SHA-256 so that an
    edited or deleted event shows (``motcua.common.chain``)."""

    HASHED = (
        "prev_hash", "seq", "at", "actor_name", "action", "service", "from_status", "to_status",
        "reason", "payload",
    )  # fmt: skip

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24, choices=BundleAction.choices)
    service = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ liên thông")
        verbose_name_plural = _("sự kiện hồ sơ liên thông")
        ordering = ["bundle_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "seq"], name="bundle_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} #{self.seq} {self.action} {self.service}"


class RegistryCall(models.Model):
    """A member's result owed to a national registry (the e-birth certificate to civil status, the
    residence to the population registry, the card to social insurance): the outbox row, written
    in the transaction that saw the result, delivered by the worker with retries. Its
    ``idempotency_key`` goes to the registry, so a retry after a lost reply records nothing twice.
    """

    member = models.OneToOneField(
        BundleMember, on_delete=models.CASCADE, related_name="registry_call"
    )
    system = models.CharField(max_length=32)
    operation = models.CharField(max_length=32)
    idempotency_key = models.CharField(max_length=120, unique=True)
    facts = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=CallStatus.choices, default=CallStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(null=True, blank=True)
    reply = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ghi vào cơ sở dữ liệu quốc gia")
        verbose_name_plural = _("ghi vào cơ sở dữ liệu quốc gia")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="registry_call_due")]

    def __str__(self) -> str:
        return f"{self.system}/{self.operation} {self.idempotency_key} ({self.status})"
