from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.common import events

from .constants import OfficerRoleName
from .grants import documented_roles
from .validators import normalise_phone, validate_phone

VNEID_HINT = _(
    "Nếu số định danh của bạn đã được xác thực qua VNeID, hãy bấm “Đăng nhập bằng VNeID”: mật "
    "khẩu đặt trước khi xác thực không còn dùng được."
)


class IdentifierLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập (hoặc số định danh, mã số thuế) hoặc mật khẩu không đúng. "
            "Lưu ý mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Liên hệ quản trị đơn vị."),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        error = super().get_invalid_login_error()
        if not getattr(settings, "MOTCUA_VNEID_ISSUER", ""):
            return error
        # Said to everyone (never whether this account is one): a citizen verified through
        # VNeID has no password any more, and would otherwise retype the old one in vain.
        return forms.ValidationError([error, forms.ValidationError(VNEID_HINT, code="vneid_hint")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập, số định danh cá nhân hoặc mã số thuế")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = _("Mật khẩu")


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail goes through the outbox (``mail.requested``, decision 0037):
    sent by the outbound worker, retried, never inside the request."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        with transaction.atomic():
            events.publish("mail.requested", subject=subject, body=body, to=[to_email])


class ContactForm(forms.Form):
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Nơi cư trú"), max_length=255, required=False)

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if phone:
            validate_phone(phone)
        return phone


# Django's Vietnamese locale names no input format: the default would read 05/03/2026 the US way.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_INVALID = _("Ngày phải có dạng dd/mm/yyyy, ví dụ 05/03/2026.")


def day_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_INVALID},
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy"}
        ),
    )


class RoleGrantForm(forms.Form):
    """A grant on the unit page; the roles offered are those the administrator may grant there
    (``accounts.grants``), the rules themselves are the service's."""

    username = forms.CharField(label=_("Tên đăng nhập của cán bộ"), max_length=150)
    role = forms.ChoiceField(label=_("Vai trò"), choices=OfficerRoleName.choices)
    title = forms.CharField(label=_("Chức danh"), max_length=120, required=False)
    valid_from = day_field(_("Từ ngày"), _("Để trống: từ hôm nay."))
    valid_until = day_field(_("Đến ngày"), _("Để trống: đến khi có quyết định khác."))
    document_number = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)
    document_date = day_field(_("Ngày văn bản"))

    def __init__(self, *args: Any, roles: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with_document = [OfficerRoleName(role).label for role in documented_roles()]
        self.fields["document_number"].help_text = _(
            "Quyết định bổ nhiệm, phân công; bắt buộc với: %(roles)s."
        ) % {"roles": ", ".join(str(label).lower() for label in with_document)}
        if roles is not None:
            field = self.fields["role"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in OfficerRoleName.choices if v in roles]


class RoleRevokeForm(forms.Form):
    effective = day_field(_("Thôi giữ từ ngày"), _("Để trống: từ hôm nay."))
    document_number = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)
    document_date = day_field(_("Ngày văn bản"))
