from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.organizations.models import Unit

from .constants import OfficerRoleName, RoleChangeAction
from .validators import validate_personal_id_number, validate_phone, validate_tax_code


class User(AbstractUser):
    """A person who signs in: an officer, a citizen, or someone acting for a business.

    Vietnamese names do not split into first/last the Western way, so ``full_name`` holds the
    name as written; ``first_name``/``last_name`` are left empty.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=10, blank=True, validators=[validate_phone]
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

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self) -> str:
        return f"{self.user} ({self.id_number})"


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


class OfficerRole(models.Model):
    """A role an officer holds in one unit; an officer may hold several, in several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_roles"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officer_roles")
    role = models.CharField(_("vai trò"), max_length=32, choices=OfficerRoleName.choices)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = OfficerRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="officer_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class RoleChange(models.Model):
    """Audit trail of role grants and revocations."""

    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("thao tác"), max_length=16, choices=RoleChangeAction.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_changes"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò"), max_length=32, choices=OfficerRoleName.choices)

    class Meta:
        verbose_name = _("nhật ký phân quyền")
        verbose_name_plural = _("nhật ký phân quyền")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.role} {self.officer}"


class ApiToken(models.Model):
    """A bearer token for integrators acting as an officer account. Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> str:
        """Create a token and return it; it is shown once and cannot be read back."""
        token = "mc_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, token_hash=cls.digest(token))
        return token

    @classmethod
    def user_for(cls, token: str) -> User | None:
        found = (
            cls.objects.select_related("user")
            .filter(token_hash=cls.digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        return found.user if found else None
