from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.common.quick_load import QuickLoad

from .constants import MergeKind, UnitKind, UnitOrigin


class UnitQuerySet(models.QuerySet["Unit"]):
    def effective_on(self, day: datetime.date) -> UnitQuerySet:
        """Units in existence on ``day`` (open-ended bounds mean "since/until further notice")."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class Unit(QuickLoad):
    """An agency, office or administrative unit that receives or decides procedures.

    Units are effective-dated: a unit that was merged away keeps its row with ``valid_until`` set
    and points to its successors through :class:`UnitSuccession`.
    """

    code = models.SlugField(_("mã đơn vị"), max_length=80, unique=True)
    official_code = models.CharField(
        _("mã hành chính"),
        max_length=16,
        blank=True,
        db_index=True,
        help_text=_(
            "Mã đơn vị hành chính (Quyết định 19/2025/QĐ-TTg); có thể dùng lại theo thời gian."
        ),
    )
    e_identifier = models.CharField(
        _("mã định danh điện tử"),
        max_length=40,
        blank=True,
        help_text=_("Mã định danh điện tử của cơ quan (QĐ 20/2020/QĐ-TTg), dùng trong mã hồ sơ."),
    )
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(
        "self",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="area_units",
        help_text=_("Đơn vị hành chính cấp xã mà đơn vị này phục vụ (ví dụ công an phường)."),
    )
    committee_name = models.CharField(_("Ủy ban nhân dân"), max_length=255, blank=True)
    address = models.TextField(_("địa chỉ"), blank=True)
    hotline = models.CharField(_("đường dây nóng"), max_length=120, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    verified = models.BooleanField(
        _("đã xác minh"),
        default=True,
        help_text=_("Sai nếu chưa xác nhận được từ nguồn công khai."),
    )
    origin = models.CharField(
        _("nguồn gốc"), max_length=16, choices=UnitOrigin.choices, default=UnitOrigin.MANUAL
    )
    note = models.TextField(_("ghi chú"), blank=True)
    attributes = models.JSONField(_("thuộc tính khác"), default=dict, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="unit_valid_from_before_valid_until",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="unit_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_effective_on(self, day: datetime.date) -> bool:
        starts_ok = self.valid_from is None or self.valid_from <= day
        ends_ok = self.valid_until is None or day <= self.valid_until
        return starts_ok and ends_ok


class UnitSuccession(models.Model):
    """A unit (or part of it) handed over to a successor on a date: the 2025 mergers."""

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    kind = models.CharField(_("hình thức"), max_length=16, choices=MergeKind.choices)
    effective_on = models.DateField(_("từ ngày"))

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"
