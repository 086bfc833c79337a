"""Delegation of authority as effective-dated data (DOMAIN.md §1; issue 11).

A head delegates: a deputy signs for them (KT.), the head of a unit within the body signs by
order (TL.) or by written authorisation (TUQ.), or the competence itself moves to another unit
(phân cấp, ủy quyền giải quyết). Each delegation names the decision that made it, the procedures
or fields it covers and the days it is in force. Rows are never deleted: an ended delegation
still explains the documents signed under it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Field
from motcua.organizations.models import Unit

from .constants import DelegationChangeAction, DelegationKind


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def in_force_on(self, day: object) -> DelegationQuerySet:
        """Delegations in force on ``day`` (both bounds included; no end: until further notice)."""
        return self.filter(
            Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Delegation(models.Model):
    kind = models.CharField(_("hình thức"), max_length=12, choices=DelegationKind.choices)
    delegator_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị giao quyền"), on_delete=models.PROTECT,
        related_name="delegations_given",
        help_text=_("Cơ quan có thẩm quyền, ví dụ Phường Hoàn Kiếm, Chủ tịch UBND thành phố, một Sở."),
    )  # fmt: skip
    delegator_position = models.CharField(
        _("chức vụ người giao quyền"), max_length=120,
        help_text=_("Chức vụ của người đứng đầu, ví dụ “Chủ tịch”, “Giám đốc”."),
    )  # fmt: skip
    delegate_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị được giao"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="delegations_received",
        help_text=_("Bắt buộc với phân cấp: đơn vị nhận thẩm quyền giải quyết."),
    )  # fmt: skip
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ được giao ký"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="delegations",
        help_text=_("Bắt buộc với KT., TL., TUQ.: người ký."),
    )  # fmt: skip
    delegate_position = models.CharField(
        _("chức vụ người ký"), max_length=120, blank=True,
        help_text=_(
            "Ví dụ “Phó Chủ tịch”, “Chánh Văn phòng”. Để trống: lấy chức danh của cán bộ tại đơn vị."
        ),
    )  # fmt: skip
    procedure_codes = models.JSONField(
        _("mã thủ tục"), default=list, blank=True,
        help_text=_("Để trống cả mã thủ tục và lĩnh vực: mọi thủ tục của đơn vị."),
    )  # fmt: skip
    fields = models.ManyToManyField(
        Field, verbose_name=_("lĩnh vực"), blank=True, related_name="delegations"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    decision_issuer = models.CharField(
        _("người ban hành quyết định"), max_length=255,
        help_text=_("Ví dụ “Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm”."),
    )  # fmt: skip
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_until = models.DateField(
        _("hiệu lực đến ngày"), null=True, blank=True, help_text=_("Để trống: đến khi có thay đổi.")
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("ủy quyền, phân cấp")
        verbose_name_plural = _("ủy quyền, phân cấp")
        # Rows of one parent are read together: ordered by the parent's id, not by the parent
        # (which would join its table and sort by its own ordering in every such read).
        ordering = ["delegator_unit_id", "-valid_from", "pk"]
        indexes = [models.Index(fields=["delegator_unit", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__lte=models.F("valid_until")),
                name="delegation_valid_from_before_valid_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(':')[0]} — {self.delegator_unit} — {self.decision_number}"


class DelegationChange(models.Model):
    """Who created, changed or ended a delegation, and what it said afterwards."""

    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    action = models.CharField(_("thao tác"), max_length=12, choices=DelegationChangeAction.choices)
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="changes")
    snapshot = models.JSONField(_("nội dung"), default=dict)

    class Meta:
        verbose_name = _("nhật ký ủy quyền")
        verbose_name_plural = _("nhật ký ủy quyền")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.delegation_id}"
