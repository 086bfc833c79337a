from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.common.quick_load import QuickLoad
from motcua.organizations.models import Unit

from .constants import ApiTokenScope, ChangeVia, OfficerRoleName, RoleChangeAction
from .validators import validate_personal_id_number, validate_phone, validate_tax_code

VERIFIED_LEVEL = 2  # VNeID level 2: the account was checked against the chip ID card


class User(AbstractUser):
    """A person who signs in: an officer, a citizen, or someone acting for a business.

    Vietnamese names do not split into first/last the Western way, so ``full_name`` holds the
    name as written; ``first_name``/``last_name`` are left empty.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=10, blank=True, validators=[validate_phone]
    )
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Cơ quan, đơn vị nơi cán bộ công tác. Quản trị của đơn vị này (hoặc đơn vị cấp trên) "
            "được cấp vai trò cho cán bộ dù cán bộ chưa có vai trò nào."
        ),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username


class CitizenProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile"
    )
    id_number = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        unique=True,
        validators=[validate_personal_id_number],
        help_text=_("12 chữ số, in trên thẻ căn cước / căn cước công dân."),
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    address = models.CharField(_("nơi cư trú"), max_length=255, blank=True)
    residence_unit = models.ForeignKey(
        Unit,
        verbose_name=_("xã/phường cư trú"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Assurance of the person's identity, from the identity provider's ID token (VNeID level 2:
    # the chip ID card was checked). A number typed at sign-up proves nothing: level 0.
    identity_level = models.PositiveSmallIntegerField(_("mức định danh"), default=0)
    identity_verified_at = models.DateTimeField(_("xác thực định danh lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self) -> str:
        return f"{self.user} ({self.id_number})"

    @property
    def identity_verified(self) -> bool:
        """Bound to the personal ID number by a level-2 identity (VNeID): may see registry data."""
        return self.identity_level >= VERIFIED_LEVEL and self.identity_verified_at is not None


class BusinessProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_profile"
    )
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, unique=True, validators=[validate_tax_code]
    )
    name = models.CharField(_("tên tổ chức, doanh nghiệp"), max_length=255)
    address = models.CharField(_("địa chỉ trụ sở"), max_length=255, blank=True)
    representative = models.CharField(
        _("người đại diện theo pháp luật"), max_length=150, blank=True
    )

    class Meta:
        verbose_name = _("hồ sơ doanh nghiệp")
        verbose_name_plural = _("hồ sơ doanh nghiệp")

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class OfficerRoleQuerySet(models.QuerySet["OfficerRole"]):
    def effective_on(self, day: datetime.date) -> OfficerRoleQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def not_ended_on(self, day: datetime.date) -> OfficerRoleQuerySet:
        """Held on ``day`` or starting later: what a unit's staff list shows."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class OfficerRole(QuickLoad):
    """A role an officer holds in one unit from ``valid_from`` to ``valid_until`` (both days
    included; empty: since/until further notice). An officer may hold several, in several units.
    A role is never deleted: revoking it sets its last day, and every change is a
    :class:`RoleChange` (``accounts.grants``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_roles"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officer_roles")
    role = models.CharField(_("vai trò"), max_length=32, choices=OfficerRoleName.choices)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)
    document_number = models.CharField(
        _("số văn bản"), max_length=60, blank=True, help_text=_("Quyết định bổ nhiệm, phân công.")
    )
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)

    objects = OfficerRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [
            # Periods of the same role never overlap (checked by the grant service); at most one
            # of them is open-ended, which the database guards too.
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(valid_until__isnull=True),
                name="officer_role_one_open_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class RoleChange(models.Model):
    """Audit trail of role grants, changes and revocations: the period and the legal document
    as they were after the change, who made it and where (unit page, admin site, command)."""

    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=16, choices=RoleChangeAction.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.PROTECT,
        related_name="role_changes",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=OfficerRoleName.choices)
    officer_role = models.ForeignKey(
        OfficerRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)
    document_number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    via = models.CharField(
        _("thực hiện tại"), max_length=16, choices=ChangeVia.choices, default=ChangeVia.SYSTEM
    )

    class Meta:
        verbose_name = _("nhật ký phân quyền")
        verbose_name_plural = _("nhật ký phân quyền")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.role} {self.officer}"


class ApiToken(QuickLoad):
    """A bearer token for an integrator acting as an officer account. Only its hash is stored.

    A token reads, or reads and acts (``scope``), only in the units listed (a subset of the
    units where its officer holds a role), until it expires or is revoked; what its officer may
    not do, it may not do either. The services are in ``accounts.tokens``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("tên"), max_length=100)
    token_hash = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("phạm vi"), max_length=8, choices=ApiTokenScope.choices, default=ApiTokenScope.READ
    )
    units = models.ManyToManyField(Unit, verbose_name=_("đơn vị"), related_name="+")
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_via = models.CharField(
        _("thu hồi tại"), max_length=16, choices=ChangeVia.choices, blank=True
    )

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    def unit_id_set(self) -> frozenset[int]:
        """The units the token is limited to (read once per request)."""
        cached: frozenset[int] | None = self.__dict__.get("_unit_ids")
        if cached is None:
            cached = frozenset(self.units.values_list("pk", flat=True))
            self.__dict__["_unit_ids"] = cached
        return cached

    def status_on(self, at: datetime.datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= at:
            return str(_("đã thu hồi"))
        if self.expires_at <= at:
            return str(_("đã hết hạn"))
        return str(_("đang dùng được"))

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, **options: Any) -> str:
        """Issue a token (``accounts.tokens.api_token_issue`` as the system: scope "act" and
        every unit of the officer unless told otherwise); it is shown once and cannot be read
        back."""
        from .tokens import api_token_issue

        options.setdefault("scope", ApiTokenScope.ACT)
        _token, secret = api_token_issue(actor=None, owner=user, name=name, **options)
        return secret
