from __future__ import annotations

import os
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        checks.register(audit_key_check, checks.Tags.security)
        from motcua.signing.selectors import issued_finder_register

        from .legal_forms import issued_document_find

        # The public verification page names the issued form a signed PDF is.
        issued_finder_register(issued_document_find)


def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production runs several processes, often on several machines: each would make its own
    chain key in its own var/ folder, and the others' events would look forged (decision 0009)."""
    if (
        settings.EMBEDDED
        or os.environ.get("MOTCUA_AUDIT_KEY")
        or os.environ.get("MOTCUA_AUDIT_KEY_DIR")
    ):
        return []
    return [
        checks.Warning(
            "MOTCUA_AUDIT_KEY chưa được đặt: mỗi máy chủ sẽ tự tạo khóa niêm phong nhật ký riêng. "
            "/ MOTCUA_AUDIT_KEY is not set: each server would make its own audit chain key.",
            hint="Đặt cùng một khóa (≥ 32 ký tự) cho mọi máy chủ và tiến trình nền, hoặc dùng "
            "chung MOTCUA_AUDIT_KEY_DIR. / Give every server and worker the same key, or share "
            "MOTCUA_AUDIT_KEY_DIR.",
            id="motcua.W001",
        )
    ]
