"""Pages of the phone recovery (``portal.recovery``): the numbers, then the code and the new
password. Signed-out pages; the challenge waits in the session between the two."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from motcua.common.clock import now
from motcua.common.errors import DomainError

from . import ownership, recovery
from .claim import challenge_start_step, client_ip, form_page
from .forms import PhoneRecoveryForm, RecoveryCodeForm

CHALLENGE_KEY = "motcua_phone_recovery"


def recover_phone(request: HttpRequest) -> HttpResponse:
    form = PhoneRecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = challenge_start_step(
            request, form, key=CHALLENGE_KEY, next_url="portal:recover-phone-code",
            start=lambda: recovery.recovery_start(
                id_number=form.cleaned_data["id_number"], phone=form.cleaned_data["phone"],
                ip=client_ip(request), at=now(),
            ),
            notice=_(
                "Nếu số định danh và số điện thoại này thuộc một tài khoản, mã xác nhận sẽ "
                "được gửi bằng tin nhắn SMS tới số điện thoại đó trong ít phút."
            ),
        )  # fmt: skip
        if sent is not None:
            return sent
    return form_page(request, "portal/recover_phone.html", {"form": form}, form)


def recover_phone_code(request: HttpRequest) -> HttpResponse:
    challenge_id = request.session.get(CHALLENGE_KEY)
    if challenge_id is None:
        return redirect("portal:recover-phone")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset(
                challenge_id=int(challenge_id), code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"], at=now(),
            )  # fmt: skip
        except (ownership.CodeExpired, recovery.RecoveryRefused) as error:
            request.session.pop(CHALLENGE_KEY, None)
            messages.error(request, str(error.message))
            return redirect("portal:recover-phone")
        except DomainError as error:
            form.add_error("code", str(error.message))
        else:
            request.session.pop(CHALLENGE_KEY, None)
            messages.success(request, _("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới."))
            return redirect("login")
    return render(request, "portal/recover_phone_code.html", {"form": form})
