from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.accounts.validators import (
    normalise_digits,
    normalise_phone,
    validate_personal_id_number,
    validate_phone,
)
from motcua.portal.ownership import phone_digits


class NewAccountForm(forms.Form):
    """What every sign-up asks alike: a phone number and a password typed twice."""

    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone

    def password_owner(self, data: dict[str, Any]) -> User | None:
        """The account-to-be, for the rule "not too like your name or e-mail"; None skips it."""
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif first:
            try:
                validate_password(first, user=self.password_owner(data))
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class CitizenSignUpForm(NewAccountForm):
    field_order = ["full_name", "id_number", "phone", "email", "password1", "password2"]
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=20, help_text=_("12 chữ số trên thẻ căn cước.")
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20)
    email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)

    def clean_id_number(self) -> str:
        number = normalise_digits(self.cleaned_data["id_number"])
        validate_personal_id_number(number)
        # An ID number already held is not an error here: the view offers the proof that lets
        # its real holder take it back (see ``ownership``), never a dead end.
        return number


class ContactForm(forms.Form):
    """The phone or e-mail the applicant gave the officer at the counter, typed by them: the page
    never shows which contacts, or whether any dossier, exist for an ID number."""

    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử đã ghi trên hồ sơ"),
        max_length=254,
        help_text=_("Số bạn (hoặc thư điện tử) đã cho cán bộ khi nộp hồ sơ tại bộ phận một cửa."),
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )

    def clean_contact(self) -> str:
        raw = self.cleaned_data["contact"].strip()
        if "@" in raw:
            return raw.lower()
        digits = phone_digits(raw)
        if len(digits) < 9 or not digits.isdigit():
            raise ValidationError(
                _("Nhập số điện thoại (ví dụ 0912345678) hoặc địa chỉ thư điện tử.")
            )
        return digits


class OneTimeCodeForm(forms.Form):
    """Six digits; a typo in the shape (letters, too short) is pointed out and costs no try."""

    code = forms.CharField(
        label=_("Mã xác nhận (6 chữ số)"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("Mã xác nhận gồm đúng 6 chữ số."))
        return code


class PhoneRecoveryForm(forms.Form):
    """The account's personal ID number and phone: a code is sent only if both are one account's
    (the page says the same either way)."""

    id_number = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=20, help_text=_("12 chữ số trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=_("Số điện thoại đã đăng ký"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip

    def clean_id_number(self) -> str:
        number = normalise_digits(self.cleaned_data["id_number"])
        validate_personal_id_number(number)
        return number

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone


class RecoveryCodeForm(OneTimeCodeForm):
    """The code received by SMS and the new password, typed twice."""

    password1 = forms.CharField(
        label=_("Mật khẩu mới"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif first:
            try:
                validate_password(first)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
