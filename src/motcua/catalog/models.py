from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import OfficerRoleName
from motcua.common.quick_load import QuickLoad
from motcua.organizations.models import Unit

from .constants import (
    ChannelMethod,
    CommuneBody,
    CompetenceLevel,
    FeeType,
    OnlineLevel,
    ProcedureKind,
    ProcessSource,
    ProcessStatus,
    StepScope,
    TimeUnit,
)


class Field(models.Model):
    """Lĩnh vực: a sector of procedures, with its code where the national record gives one."""

    name = models.CharField(_("tên"), max_length=255, unique=True)
    code = models.CharField(_("mã lĩnh vực"), max_length=32, blank=True, db_index=True)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(QuickLoad):
    """An administrative procedure as published in the national database, plus Hà Nội's mapping.

    Every change of content creates a :class:`ProcedureVersion` snapshot; a dossier keeps the
    version number it started with.
    """

    # The national code is not unique across provinces (local variants reuse it), so records are
    # keyed by the national database's own record id.
    source_id = models.CharField(_("mã bản ghi CSDL quốc gia"), max_length=64, unique=True)
    code = models.CharField(_("mã thủ tục"), max_length=40, db_index=True)
    name = models.TextField(_("tên thủ tục"))
    name_folded = models.TextField(editable=False)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="procedures",
    )  # fmt: skip
    other_fields = models.ManyToManyField(Field, blank=True, related_name="+")
    kind = models.CharField(_("loại"), max_length=16, choices=ProcedureKind.choices)
    state = models.CharField(_("trạng thái trên CSDL quốc gia"), max_length=16, blank=True)
    promulgating_body = models.CharField(_("cơ quan công bố"), max_length=255, blank=True)
    executing_bodies = models.JSONField(_("cơ quan thực hiện"), default=list, blank=True)
    level = models.CharField(
        _("cấp thực hiện"), max_length=16, choices=CompetenceLevel.choices, db_index=True
    )
    commune_body = models.CharField(
        _("cơ quan cấp xã"), max_length=20, choices=CommuneBody.choices, blank=True
    )
    deciding_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị giải quyết"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="decided_procedures",
    )  # fmt: skip
    receiving_units = models.ManyToManyField(
        Unit, verbose_name=_("nơi tiếp nhận"), blank=True, related_name="received_procedures"
    )
    applicant_types = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    results = models.JSONField(_("kết quả"), default=list, blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    steps_text = models.TextField(_("trình tự thực hiện"), blank=True)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=16, choices=OnlineLevel.choices,
        default=OnlineLevel.UNKNOWN, db_index=True,
    )  # fmt: skip
    eform_schema = models.JSONField(_("biểu mẫu điện tử (JSON Schema)"), default=dict, blank=True)
    has_details = models.BooleanField(_("có thông tin chi tiết"), default=False)
    in_hanoi_set = models.BooleanField(_("thuộc bộ thủ tục Hà Nội"), default=False, db_index=True)
    popularity = models.PositiveIntegerField(
        _("mức phổ biến"), default=0, help_text=_("Dùng để xếp hạng kết quả tìm kiếm.")
    )
    gaps = models.JSONField(_("thông tin còn thiếu"), default=list, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # The record's limit when none of its cases gives one (read from its channels' text).
    time_quantity = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.UNKNOWN
    )
    time_note = models.TextField(_("ghi chú về thời hạn"), blank=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="procedure_version_unique"
            )
        ]
        # Rows of one parent are read together: ordered by the parent's id, not by the parent
        # (which would join its table and sort by its own ordering in every such read).
        ordering = ["procedure_id", "-version"]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"


class ProcedureCase(QuickLoad):
    """A case of a procedure with its own statutory time limit (e.g. 1.001193.01)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="cases")
    code = models.CharField(_("mã trường hợp"), max_length=48)
    name = models.CharField(_("tên trường hợp"), max_length=500, blank=True)
    time_quantity = models.DecimalField(
        _("thời hạn"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.UNKNOWN
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("trường hợp")
        verbose_name_plural = _("trường hợp")
        ordering = ["procedure_id", "order", "code"]

    def __str__(self) -> str:
        return self.code


class Channel(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    method = models.CharField(_("cách thức"), max_length=16, choices=ChannelMethod.choices)
    time_quantity = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(max_length=16, choices=TimeUnit.choices, default=TimeUnit.UNKNOWN)
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        ordering = ["procedure_id", "order"]

    def __str__(self) -> str:
        return f"{self.procedure.code} {self.method}"


class Fee(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="fees")
    fee_type = models.CharField(_("loại"), max_length=16, choices=FeeType.choices)
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    text = models.TextField(_("mô tả, miễn giảm"), blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.get_fee_type_display()} {self.amount_vnd}"


class RequirementGroup(models.Model):
    """The documents of one case (or of every case when the name is empty)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="requirement_groups"
    )
    name = models.TextField(_("trường hợp"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhóm thành phần hồ sơ")
        verbose_name_plural = _("nhóm thành phần hồ sơ")
        ordering = ["procedure_id", "order"]

    def __str__(self) -> str:
        return self.name or "—"


class Requirement(models.Model):
    """A document to submit (thành phần hồ sơ)."""

    group = models.ForeignKey(RequirementGroup, on_delete=models.CASCADE, related_name="items")
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    component_code = models.CharField(_("mã thành phần"), max_length=64, blank=True)
    has_eform = models.BooleanField(_("có biểu mẫu điện tử"), default=False)
    replaceable_by_registry = models.BooleanField(
        _("thay được bằng dữ liệu đã có"),
        default=False,
        help_text=_("Không phải nộp khi khai thác được từ CSDL quốc gia hoặc kho dữ liệu."),
    )
    is_result = models.BooleanField(_("là kết quả giải quyết"), default=False)
    abolished_note = models.TextField(
        _("giấy tờ đã bị bãi bỏ"),
        blank=True,
        help_text=_("Vì sao không được yêu cầu giấy tờ này (để trống nếu vẫn được yêu cầu)."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["group", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class ProcessDefinition(QuickLoad):
    """Quy trình nội bộ: the ordered steps a dossier of this procedure goes through.

    ``unit`` empty means the process of every unit that receives the procedure. Versions are
    immutable once created; a change makes a new version and dossiers keep the one they began with.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="processes")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    valid_from = models.DateField(_("áp dụng từ"))
    status = models.CharField(_("trạng thái"), max_length=24, choices=ProcessStatus.choices)
    source = models.CharField(_("nguồn"), max_length=16, choices=ProcessSource.choices)
    problem = models.TextField(_("vấn đề cần cấu hình"), blank=True)
    approved_by = models.CharField(_("quyết định phê duyệt"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["procedure_id", "unit_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "unit", "version"], name="process_version_unique_per_unit"
            ),
            models.UniqueConstraint(
                fields=["procedure", "version"],
                condition=models.Q(unit__isnull=True),
                name="process_version_unique_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"


class ProcessStep(QuickLoad):
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("bước"), max_length=200)
    role = models.CharField(_("vai trò thực hiện"), max_length=32, choices=OfficerRoleName.choices)
    scope = models.CharField(_("đơn vị thực hiện"), max_length=16, choices=StepScope.choices)
    budget_quantity = models.DecimalField(
        _("thời gian"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    budget_unit = models.CharField(
        _("đơn vị"),
        max_length=16,
        choices=[
            (TimeUnit.WORKING_HOUR, TimeUnit.WORKING_HOUR.label),
            (TimeUnit.WORKING_DAY, TimeUnit.WORKING_DAY.label),
        ],
    )

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("bước quy trình")
        ordering = ["definition_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "order"], name="process_step_order_unique"
            )
        ]

    def __str__(self) -> str:
        return f"B{self.order} {self.name}"

    @property
    def budget_hours(self) -> Decimal:
        hours_per_day = Decimal(8)
        if self.budget_unit == TimeUnit.WORKING_DAY:
            return self.budget_quantity * hours_per_day
        return self.budget_quantity


class Synonym(models.Model):
    """What people say → what the catalog calls it ("nhập hộ khẩu" → "đăng ký thường trú")."""

    phrase = models.CharField(_("cách nói thường ngày"), max_length=200, unique=True)
    expansion = models.CharField(_("tìm như"), max_length=300)
    phrase_folded = models.CharField(max_length=200, editable=False)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("từ đồng nghĩa khi tìm kiếm")
        verbose_name_plural = _("từ đồng nghĩa khi tìm kiếm")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.expansion}"


class CatalogRevision(models.Model):
    """One row: which state of the catalog every process's caches were built from.

    Every change of the catalog (procedures and their parts, processes, synonyms, fields, the
    units procedures name) writes a new random ``token`` in the same transaction
    (``catalog.revision``); a process compares the token with the one its caches were built
    from, once per request. ``number`` counts the changes, for people."""

    number = models.PositiveBigIntegerField(default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("phiên bản danh mục")

    def __str__(self) -> str:
        return f"#{self.number} {self.token}"


class LegalLimit(models.Model):
    """The legal time limit of a procedure whose national record gives none, as an officer
    entered it at reception with its legal basis (Decree 61/2018 art. 17: no receipt without an
    appointment date). ``unit`` empty: for every unit of the city.

    Rows are never edited: a correction is a new row that supersedes the old one (``superseded_at``),
    so who entered which limit, when and on what basis stays on record."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_limits")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Để trống: áp dụng cho mọi đơn vị của thành phố."),
    )  # fmt: skip
    time_quantity = models.DecimalField(
        _("thời hạn"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
    )  # fmt: skip
    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500)
    entered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người nhập"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("thời điểm nhập"))
    superseded_at = models.DateTimeField(_("được thay thế lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thời hạn theo quy định (nhập tay)")
        verbose_name_plural = _("thời hạn theo quy định (nhập tay)")
        ordering = ["procedure_id", "unit_id", "-entered_at"]
        indexes = [models.Index(fields=["procedure", "superseded_at"], name="legal_limit_current")]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.time_quantity} {self.time_unit}"


class CompetenceRule(models.Model):
    """How a record's executing body (or, when it names none, its code or name) maps to Hà
    Nội's units, from ``valid_from`` to ``valid_to``. Seeded from ``data/competence_rules.yaml``;
    an administrator may edit or add rules (an edited seeded rule is not overwritten)."""

    class Match(models.TextChoices):
        BODY = "body", _("Cơ quan thực hiện")
        CODE = "code", _("Mã thủ tục")
        NAME = "name", _("Tên thủ tục (khi hồ sơ không nêu cơ quan)")

    key = models.SlugField(_("mã quy tắc"), max_length=80, unique=True)
    match = models.CharField(_("so khớp theo"), max_length=8, choices=Match.choices)
    pattern = models.CharField(
        _("mẫu"), max_length=500,
        help_text=_("Biểu thức chính quy trên chữ không dấu, chữ thường (ví dụ: \\bcong an (cap )?xa\\b); "
                    "với mã thủ tục: các mã, cách nhau bởi dấu phẩy."),
    )  # fmt: skip
    exclude = models.CharField(
        _("trừ khi khớp"), max_length=500, blank=True,
        help_text=_("Không áp dụng khi văn bản khớp mẫu này."),
    )  # fmt: skip
    field_name = models.CharField(
        _("chỉ trong lĩnh vực"), max_length=255, blank=True,
        help_text=_("Để trống: mọi lĩnh vực."),
    )  # fmt: skip
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=CompetenceLevel.choices)
    commune_body = models.CharField(
        _("cơ quan cấp xã"), max_length=20, choices=CommuneBody.choices, blank=True
    )
    deciding_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị giải quyết"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    receiving_units = models.ManyToManyField(
        Unit, verbose_name=_("nơi tiếp nhận"), blank=True, related_name="+"
    )
    receive_at_branches = models.BooleanField(
        _("tiếp nhận cả tại các chi nhánh Trung tâm"), default=False,
        help_text=_("Các chi nhánh của Trung tâm Phục vụ hành chính công là nơi tiếp nhận."),
    )  # fmt: skip
    priority = models.PositiveSmallIntegerField(
        _("thứ tự ưu tiên"), default=100, help_text=_("Số nhỏ được xét trước.")
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    note = models.TextField(_("căn cứ, ghi chú"), blank=True)
    seeded = models.BooleanField(
        _("từ dữ liệu gốc"), default=True, editable=False,
        help_text=_("Sai khi quản trị viên đã sửa: lần nạp sau không ghi đè."),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quy tắc thẩm quyền")
        verbose_name_plural = _("quy tắc thẩm quyền")
        ordering = ["priority", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="competence_rule_valid_from_before_valid_to",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.pattern[:60]}"
