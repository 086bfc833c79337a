"""Kho dữ liệu điện tử (Decree 45/2020 art. 16; Decree 107/2021; Circular 01/2023): each
citizen's and business's documents, kept once, the components of dossiers they satisfied, and
every use of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierDocument


class OwnerKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class Origin(models.TextChoices):
    RESULT = "result", _("Kết quả giải quyết")
    INPUT = "input", _("Thành phần hồ sơ đã tiếp nhận")
    DIGITISED = "digitised", _("Giấy tờ số hóa tại quầy")


class VaultDocument(models.Model):
    """One paper of one owner, stored once: the same bytes (SHA-256) of the same owner are one
    row whatever the number of dossiers that carried them. The file is the source dossier's
    file, not a second copy."""

    owner_kind = models.CharField(max_length=16, choices=OwnerKind.choices)
    # The personal ID number or the tax code of the dossier's applicant.
    owner_id_number = models.CharField(_("số định danh chủ sở hữu"), max_length=20)
    evidence_type = models.CharField(_("loại giấy tờ"), max_length=40, blank=True)
    component_code = models.CharField(_("mã thành phần"), max_length=64, blank=True)
    name = models.CharField(_("tên giấy tờ"), max_length=255)
    issuer = models.CharField(_("cơ quan cấp"), max_length=255, blank=True)
    number = models.CharField(_("số"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    expires_on = models.DateField(_("hết hạn"), null=True, blank=True)
    origin = models.CharField(_("nguồn"), max_length=16, choices=Origin.choices)
    # An original electronic document (a result issued electronically) or a digitised copy of
    # a paper (Decree 45/2020 art. 3; Circular 01/2023).
    electronic_original = models.BooleanField(_("bản điện tử gốc"), default=False)
    source_dossier = models.ForeignKey(
        Dossier, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_document = models.ForeignKey(
        DossierDocument, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    added_at = models.DateTimeField(_("đưa vào kho lúc"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id_number", "sha256"], name="vault_once_per_owner"
            )
        ]
        indexes = [models.Index(fields=["owner_id_number", "evidence_type"], name="vault_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id_number})"


class Reuse(models.Model):
    """A component of a dossier met by data the state already holds (not uploaded again): a
    stored document, or a registry record. The applicant's consent is recorded with it."""

    class Source(models.TextChoices):
        STORE = "store", _("Kho dữ liệu điện tử")
        REGISTRY = "registry", _("Cơ sở dữ liệu quốc gia")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    component_name = models.CharField(_("thành phần hồ sơ"), max_length=255)
    component_code = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STORE)
    document = models.ForeignKey(
        VaultDocument, null=True, on_delete=models.PROTECT, related_name="reuses"
    )
    registry_record = models.CharField(max_length=120, blank=True)
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How consent was given: the citizen online, or told to the officer at the counter.
    consent = models.CharField(_("đồng ý"), max_length=16)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("thành phần dùng lại dữ liệu")
        verbose_name_plural = _("thành phần dùng lại dữ liệu")
        ordering = ["dossier_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "requirement"], name="reuse_once")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.component_name[:60]}"


class DataUse(models.Model):
    """Ai đã dùng dữ liệu của tôi: one use of an owner's stored document or registry record —
    who, when, for which dossier, what for. Never edited, never deleted."""

    class What(models.TextChoices):
        REUSE = "reuse", _("dùng cho hồ sơ thay cho giấy tờ nộp")
        READ = "read", _("cán bộ xem giấy tờ")
        REGISTRY = "registry", _("tra cứu cơ sở dữ liệu quốc gia")

    owner_kind = models.CharField(max_length=16, choices=OwnerKind.choices)
    owner_id_number = models.CharField(max_length=20, db_index=True)
    document = models.ForeignKey(
        VaultDocument, null=True, on_delete=models.PROTECT, related_name="uses"
    )
    registry_record = models.CharField(max_length=120, blank=True)
    # A registry record used for a dossier: each field the applicant typed otherwise than the
    # registry holds, as [field, typed, registry], for the officer to check against the papers.
    differences = models.JSONField(default=list, blank=True)
    dossier = models.ForeignKey(Dossier, null=True, on_delete=models.SET_NULL, related_name="+")
    dossier_label = models.CharField(max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("người dùng"), max_length=150)
    unit_name = models.CharField(_("đơn vị"), max_length=255, blank=True)
    what = models.CharField(max_length=16, choices=What.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("lượt dùng dữ liệu")
        verbose_name_plural = _("lượt dùng dữ liệu")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["owner_id_number", "-at"], name="data_use_owner")]

    def __str__(self) -> str:
        return f"{self.user_name} {self.what} {self.at:%d/%m/%Y %H:%M}"
