from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import SignInEventKind


class SignInEvent(models.Model):
    """Audit trail of two-factor enrolment, verification, re-authentication and session ends.

    Password sign-ins and their failures are already recorded by django-axes (access logs and
    attempts); this table records what happens after the password.
    """

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_events"
    )
    kind = models.CharField(_("sự kiện"), max_length=32, choices=SignInEventKind.choices)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("nhật ký đăng nhập an toàn")
        verbose_name_plural = _("nhật ký đăng nhập an toàn")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()} {self.user}"


class OidcIdentity(models.Model):
    """An account's identity at an OpenID Connect provider (VNeID): the provider's subject is
    bound to one account, once; each sign-in refreshes the level and the claims it vouched for."""

    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=255)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12)
    level = models.PositiveSmallIntegerField(_("mức định danh"), default=0)
    linked_at = models.DateTimeField(_("liên kết lúc"))
    last_sign_in_at = models.DateTimeField(_("đăng nhập gần nhất"))

    class Meta:
        verbose_name = _("định danh VNeID")
        verbose_name_plural = _("định danh VNeID")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.user}"
