"""One-time tokens of the counter reception form: a double click issues one dossier code.

The form carries a signed token (a random nonce and the officer, never stored until used). The
POST that receives the dossier inserts the nonce's row first, in the reception's transaction: a
second POST with the same token waits on the unique key until the first commits, then finds the
row and leads to the dossier already received. If the first POST is refused, its row goes with
its rolled-back transaction and the token can still be used.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.common.errors import DomainError

SALT = "motcua.dossiers.counter-reception"
MAX_AGE = 24 * 3600  # seconds: a form left open overnight is reloaded


class ReceptionToken(models.Model):
    nonce = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dossier_ref = models.CharField(max_length=40, blank=True)
    used_at = models.DateTimeField()

    objects: models.Manager[ReceptionToken] = models.Manager()

    class Meta:
        app_label = "dossiers"
        verbose_name = gettext_lazy("mã dùng một lần của biểu mẫu tiếp nhận")
        verbose_name_plural = gettext_lazy("mã dùng một lần của biểu mẫu tiếp nhận")

    def __str__(self) -> str:
        return f"{self.nonce} → {self.dossier_ref or '-'}"


def token_new(user_id: int) -> str:
    return signing.dumps({"n": secrets.token_urlsafe(16), "u": user_id}, salt=SALT)


def token_nonce(token: str, user_id: int) -> str:
    """The nonce of a token this officer's form carries; a missing, forged, foreign or expired
    token is refused (the page comes back with what was typed and a fresh token)."""
    if not token:
        raise DomainError(
            _(
                "Biểu mẫu thiếu mã gửi một lần; hãy bấm “Tiếp nhận và cấp mã hồ sơ” lần nữa"
                " (thông tin đã nhập được giữ nguyên)."
            )
        )
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as error:
        raise DomainError(_("Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang.")) from error
    if not isinstance(data, dict) or data.get("u") != user_id or not isinstance(data.get("n"), str):
        raise DomainError(_("Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang."))
    return str(data["n"])[:32]


def token_used(nonce: str) -> str | None:
    """The dossier a token already received, if any."""
    row = ReceptionToken.objects.filter(nonce=nonce).exclude(dossier_ref="").first()
    return row.dossier_ref if row else None
