from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ProcedureCase, ProcessDefinition
from motcua.common.quick_load import QuickLoad
from motcua.organizations.models import Unit

from .constants import (
    NATIONAL_STATUS,
    Action,
    ApplicantKind,
    Channel,
    Decision,
    DocumentKind,
    PauseKind,
    Status,
    StepOutcome,
)
from .indexes import DOSSIER_INDEXES
from .lookups import DecidedElsewhere


class DailySequence(models.Model):
    """The last dossier number given by a unit on a day (the NNNN of the dossier code)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="daily_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y}: {self.last}"


class UnitMark(models.Model):
    """A random value added whenever a dossier the unit takes part in changes (received,
    decided, waiting to be taken over or transferred from there, or consulted on): written by
    database triggers only (migration 0020), so that the kernel, the importer, the admin and
    hand-written SQL all add one. The worklist's counts are kept between requests while the
    number and sum of the marks of the officer's units stay the same (``count_cache``).

    Rows are only added, never updated: two transactions marking the same unit take no lock on
    a shared row, so they never wait for each other or deadlock. ``count_cache.unit_marks_fold``
    folds a unit's many rows into one (their sum modulo 2^40) from time to time. Random values
    rather than a counter, so that a fold, a restore (``unit_marks_renew``) or a TRUNCATE never
    brings back a number and sum that counts were kept under."""

    unit_id = models.BigIntegerField()
    mark = models.BigIntegerField()

    class Meta:
        # The reader's count and sum come from the index alone.
        indexes = [models.Index(fields=["unit_id", "mark"], name="unit_mark_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.mark}"


class Dossier(QuickLoad):
    """Hồ sơ: one application, from submission to the returned result.

    ``ref`` exists from submission; ``code`` (the legal dossier code) from reception. ``version``
    guards against two officers acting on the same state.
    """

    ref = models.CharField(_("số tham chiếu"), max_length=40, unique=True)
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    procedure_version = models.PositiveIntegerField()
    case = models.ForeignKey(
        ProcedureCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey(
        ProcessDefinition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process_version = models.PositiveIntegerField(null=True, blank=True)
    applicant_kind = models.CharField(
        max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant = models.JSONField(_("người nộp (bản chụp lúc nộp)"), default=dict)
    applicant_name = models.CharField(_("người nộp"), max_length=200, db_index=True)
    applicant_id_number = models.CharField(max_length=20, blank=True, db_index=True)
    applicant_name_folded = models.CharField(max_length=200, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices)
    receiving_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="received_dossiers"
    )
    deciding_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="decided_dossiers"
    )
    pending_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_dossiers",
        help_text=_("Đơn vị được chuyển hồ sơ tới, chưa nhận."),
    )
    previous_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Đơn vị đã chuyển hồ sơ tới đơn vị giải quyết hiện tại."),
    )
    eform_data = models.JSONField(default=dict, blank=True)
    supplement_items = models.JSONField(
        _("giấy tờ yêu cầu bổ sung"),
        default=list,
        blank=True,
        help_text=_("Mỗi mục: nội dung yêu cầu, đã nhận hay chưa, lúc nào, ghi chú."),
    )
    idempotency_key = models.CharField(
        max_length=80, blank=True, help_text=_("Khóa chống tạo trùng do bên tích hợp gửi.")
    )
    book_number = models.PositiveIntegerField(
        _("số thứ tự trong sổ theo dõi"), null=True, blank=True
    )
    checklist = models.JSONField(
        _("giấy tờ đã nhận"),
        default=list,
        blank=True,
        help_text=_("Thành phần hồ sơ cán bộ đã kiểm tra khi tiếp nhận."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=Status.choices, default=Status.NEW, db_index=True
    )
    status_before_pause = models.CharField(max_length=24, choices=Status.choices, blank=True)
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    # The role that performs the current step, kept by the kernel as it moves the dossier, so
    # that worklists select "waiting for my role" from the row itself (no join per dossier).
    step_role = models.CharField(max_length=24, blank=True, default="", editable=False)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True, db_index=True)
    statutory_due_at = models.DateTimeField(_("hạn theo quy định"), null=True, blank=True)
    due_if_paused = models.DateTimeField(null=True, blank=True)
    due_if_restarted = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    apologies = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    result_note = models.TextField(blank=True)
    fees_due_vnd = models.PositiveBigIntegerField(default=0)
    fees_paid_vnd = models.PositiveBigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-pk"]
        indexes = DOSSIER_INDEXES  # indexes.py: what the worklist reads
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                name="dossier_idempotency_key_unique",
                condition=~models.Q(idempotency_key=""),
            )
        ]

    def __str__(self) -> str:
        return self.code or self.ref

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[Status(self.status)]


Dossier._meta.get_field("deciding_unit").register_lookup(DecidedElsewhere)


class DossierEvent(QuickLoad):
    """One action on a dossier. Events chain by hash so that editing or deleting one shows."""

    # No index of its own: the unique (dossier, seq) serves every lookup by dossier, in order
    # (an index on the dossier alone cost each event's insert, and had the audit scan sort).
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    from_step = models.PositiveSmallIntegerField(null=True, blank=True)
    to_step = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # The chain key that sealed ``hash`` (an id, never the key; empty: a plain SHA-256 chain from
    # before decision 0009) and the digest of the dossier's key facts after this event.
    key_id = models.CharField(max_length=16, blank=True)
    facts = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        # Rows of one parent are read together: ordered by the parent's id, not by the parent
        # (which would join its table and sort by its own ordering in every such read).
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.seq} {self.action}"


class DossierPause(models.Model):
    """A stretch of time the clock is stopped (waiting for the applicant)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=16, choices=PauseKind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier_id", "start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y %H:%M}"


class Consultation(QuickLoad):
    """A question to another unit, with its own deadline (Decree 61 art. 19)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_document = models.ForeignKey(
        "DossierDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["dossier_id", "asked_at"]
        indexes = [
            models.Index(
                fields=["unit", "due_at"],
                name="consultation_open_by_unit",
                condition=models.Q(answered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class DossierAlert(models.Model):
    """A deadline warning raised once per dossier and kind by the scheduled scan."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        APOLOGY_PROMPT = "apology_prompt", _("Còn một ngày làm việc: cân nhắc xin lỗi, hẹn lại")
        OVERDUE = "overdue", _("Quá hạn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField()
    notified = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="dossier_alert_once")
        ]
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.kind}"


def document_path(instance: DossierDocument, filename: str) -> str:
    # Stored under the content hash, never under the name the user gave the file; the random tail
    # gives each row its own object even when two servers store the same bytes at once (an object
    # store cannot refuse a taken name atomically as the local folder does), so deleting one
    # row's file never deletes another's (decision 0017).
    return f"dossiers/{instance.sha256[:2]}/{instance.sha256}-{secrets.token_hex(6)}"


class DossierDocument(QuickLoad):
    """A file of the dossier: a submitted document, a supplement, or the result."""

    class Kind(models.TextChoices):
        INPUT = "input", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
        RESULT = "result", _("Kết quả giải quyết")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INPUT)
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("tên giấy tờ"), max_length=255)
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_path, max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    digitised_at_counter = models.BooleanField(_("số hóa tại quầy"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["dossier_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} B)"


class DossierStep(QuickLoad):
    """One stay of the dossier at a step of its internal process: the hand-over record that the
    control slip (Phiếu kiểm soát, TT 01/2018 Mẫu 05 / TT 03/2025 Mẫu 06) prints row by row."""

    # Found by the (dossier, started_at) index below: no index of its own to write.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="step_visits", db_index=False
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    role = models.CharField(max_length=32)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_by_name = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by_name = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=StepOutcome.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier_id", "started_at", "pk"]
        indexes = [models.Index(fields=["dossier", "started_at"], name="dossier_step_by_time")]

    def __str__(self) -> str:
        return f"{self.dossier} B{self.order} {self.name}"

    @property
    def on_time(self) -> bool | None:
        if self.due_at is None or self.ended_at is None:
            return None
        return self.ended_at <= self.due_at


def issued_path(instance: IssuedDocument, filename: str) -> str:
    return f"issued/{instance.sha256[:2]}/{instance.sha256}.pdf"


class DocumentSequence(models.Model):
    """The last number a unit gave to a kind of document in a year (continuous numbering)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind"], name="document_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.kind}: {self.last}"


class IssuedDocument(QuickLoad):
    """A legal form as issued: its number, issuer and the facts it states are frozen when the
    action commits; its PDF is rendered once from those facts and never again. A later change
    (an apology, a new date) issues a new document; the old one stays as it was."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="issued_documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("số"), max_length=40)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by_name = models.CharField(max_length=200, blank=True)
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField(default=dict)
    file = models.FileField(upload_to=issued_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind", "seq"], name="issued_document_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.number}"


class ApplicantLink(models.Model):
    """An account proved it is the applicant of a dossier it did not submit itself.

    A dossier filed at the counter carries the applicant's ID number, but an ID number is not a
    proof: anyone can type another person's. The account sees such a dossier only through a link,
    made when it answered a one-time code sent to the phone or e-mail the officer recorded.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_links"
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="applicant_links")
    method = models.CharField(_("cách xác minh"), max_length=16)
    # The proof's record (e.g. the portal's one-time code challenge), for the audit.
    proof = models.CharField(_("bằng chứng"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("liên kết lúc"))

    class Meta:
        verbose_name = _("liên kết hồ sơ với tài khoản")
        verbose_name_plural = _("liên kết hồ sơ với tài khoản")
        constraints = [
            models.UniqueConstraint(fields=["user", "dossier"], name="applicant_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.dossier_id} ({self.method})"


class DossierAccess(models.Model):
    """An officer read a citizen's dossier or one of its files: who, when, what, and on what
    grounds. The applicant sees these lines on their dossier page."""

    class What(models.TextChoices):
        PAGE = "page", _("xem hồ sơ")
        FILE = "file", _("tải giấy tờ")
        FORM = "form", _("tải văn bản đã ban hành")

    # Found by the (dossier, -at) index below: no index of its own to write on every read.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="accesses", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("người xem"), max_length=150)
    unit_name = models.CharField(_("đơn vị"), max_length=255, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    what = models.CharField(_("nội dung"), max_length=8, choices=What.choices)
    item = models.CharField(_("giấy tờ"), max_length=255, blank=True)
    basis = models.CharField(_("lý do được xem"), max_length=80)
    via = models.CharField(_("qua"), max_length=16, default="web")

    class Meta:
        verbose_name = _("lượt xem hồ sơ")
        verbose_name_plural = _("lượt xem hồ sơ")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["dossier", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_what_display()} {self.at:%d/%m/%Y %H:%M}"


class AuditRoot(models.Model):
    """A signed root over every dossier's chain (decision 0009): a copy of the JSON document
    published in ``MOTCUA_AUDIT_ROOTS_DIR``, served at ``/audit/roots/``. No personal data."""

    number = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField()
    reason = models.CharField(max_length=16)
    dossiers = models.PositiveIntegerField()
    events = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    key_fingerprint = models.CharField(max_length=64)
    document = models.TextField(help_text=_("Tài liệu JSON đã ký, đúng như tệp đã công bố."))

    class Meta:
        verbose_name = _("gốc nhật ký đã công bố")
        verbose_name_plural = _("gốc nhật ký đã công bố")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.published_at:%d/%m/%Y %H:%M} {self.root[:12]}"


from .reception_token import ReceptionToken  # noqa: E402, F401  (counter form tokens)
