"""Sign-up for businesses and organisations: an account that signs in with its tax code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import BusinessProfile, User
from motcua.accounts.services import business_create
from motcua.accounts.validators import (
    normalise_tax_code,
    validate_tax_code,
)

from .forms import NewAccountForm

TAX_CODE_TAKEN = gettext_lazy(
    "Mã số thuế này đã có tài khoản. Hãy đăng nhập bằng mã số thuế, hoặc đặt lại mật khẩu nếu quên."
)


class BusinessSignUpForm(NewAccountForm):
    field_order = ["name", "tax_code", "representative", "phone", "email", "password1", "password2"]
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

    def clean_tax_code(self) -> str:
        tax_code = normalise_tax_code(self.cleaned_data["tax_code"])
        validate_tax_code(tax_code)
        if (
            BusinessProfile.objects.filter(tax_code=tax_code).exists()
            or User.objects.filter(username__iexact=f"mst-{tax_code}").exists()
        ):
            raise ValidationError(TAX_CODE_TAKEN, code="taken")
        return tax_code

    def password_owner(self, data: dict[str, Any]) -> User:
        # A stand-in account, so that a password like the name or the e-mail is refused.
        return User(
            username=f"mst-{data.get('tax_code', '')}",
            full_name=data.get("representative", ""),
            email=data.get("email", ""),
        )


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
