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
