from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    """One PDF to check; read once, kept nowhere."""

    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        error_messages={
            "required": _("Chọn tệp PDF cần kiểm tra."),
            "empty": _("Tệp trống: hãy chọn đúng tệp PDF."),
            "invalid": _("Chọn tệp PDF cần kiểm tra."),
        },
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self) -> bytes:
        upload: Any = self.cleaned_data["file"]
        limit = settings.MOTCUA_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Tệp quá lớn: chỉ kiểm tra tệp tối đa %(limit)s MB."), params={"limit": limit}
            )
        data: bytes = upload.read()
        if not data:
            raise forms.ValidationError(_("Tệp trống: hãy chọn đúng tệp PDF."))
        return data
