"""Sign-up for businesses and organisations: an account that signs in with its tax code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import BusinessProfile, User
from motcua.accounts.services import business_create
from motcua.accounts.validators import (
    normalise_digits,
    normalise_phone,
    validate_phone,
    validate_tax_code,
)

TAX_CODE_TAKEN = gettext_lazy(
    "Mã số thuế này đã có tài khoản. Hãy đăng nhập bằng mã số thuế, hoặc đặt lại mật khẩu nếu quên."
)


def tax_code_canonical(typed: str) -> str:
    """ "0101 234 567", "0101.234.567-001", "0101234567001" → "0101234567" / "0101234567-001"."""
    digits = normalise_digits(typed)
    return f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits


class BusinessSignUpForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên doanh nghiệp, tổ chức"), max_length=255)
    tax_code = forms.CharField(
        label=gettext_lazy("Mã số thuế"),
        max_length=20,
        help_text=gettext_lazy(
            "10 chữ số; đơn vị phụ thuộc (chi nhánh) có thêm 3 chữ số, ví dụ 0101234567-001."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    representative = forms.CharField(
        label=gettext_lazy("Họ và tên người đại diện"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        help_text=gettext_lazy("Để nhận thông báo về hồ sơ và đặt lại mật khẩu khi quên."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_tax_code(self) -> str:
        tax_code = tax_code_canonical(self.cleaned_data["tax_code"])
        validate_tax_code(tax_code)
        if (
            BusinessProfile.objects.filter(tax_code=tax_code).exists()
            or User.objects.filter(username__iexact=f"mst-{tax_code}").exists()
        ):
            raise ValidationError(TAX_CODE_TAKEN, code="taken")
        return tax_code

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif first:
            # A stand-in account, so that a password like the name or the e-mail is refused.
            someone = User(
                username=f"mst-{data.get('tax_code', '')}",
                full_name=data.get("representative", ""),
                email=data.get("email", ""),
            )
            try:
                validate_password(first, user=someone)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


def sign_up_business(request: HttpRequest) -> HttpResponse:
    """A business account: tax code, representative, phone, e-mail, password."""
    form = BusinessSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = business_create(
                name=data["name"], tax_code=data["tax_code"], representative=data["representative"],
                password=data["password1"], email=data["email"], phone=data["phone"],
            )  # fmt: skip
        except IntegrityError:
            # Someone signed up the same tax code a moment ago.
            form.add_error("tax_code", ValidationError(TAX_CODE_TAKEN, code="taken"))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            login(request, user, backend="motcua.accounts.backends.IdentifierBackend")
            messages.success(
                request,
                _("Đã tạo tài khoản doanh nghiệp. Lần sau, hãy đăng nhập bằng mã số thuế."),
            )
            return redirect("web:account")
    return render(
        request,
        "portal/sign_up_business.html",
        {"form": form, "tax_code_taken": form.is_bound and form.has_error("tax_code", "taken")},
    )
