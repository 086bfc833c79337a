from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        help_text=_("Mã 6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Hãy nhập mã xác thực.")},
    )


class EnrolCodeForm(CodeForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["otp_token"]
        field.help_text = _("Mã 6 chữ số ứng dụng đang hiện, sau khi đã thêm tài khoản.")
        field.widget.attrs["inputmode"] = "numeric"


class PasswordConfirmForm(forms.Form):
    current_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": _("Hãy nhập mật khẩu hiện tại.")},
    )
