"""Pages where an applicant proves, with a one-time code, that counter dossiers are theirs.

Two doors lead here: "Hồ sơ của tôi" (a signed-in citizen adds their counter dossiers) and
sign-up (the ID number typed is already held by an account). Both choose a contact recorded on
the dossiers, shown masked, and answer the code sent there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile, User
from motcua.common.client import client_address
from motcua.common.clock import now
from motcua.common.errors import DomainError

from . import ownership
from .forms import ContactForm, OneTimeCodeForm

CHALLENGE_KEY = "motcua_ownership_challenge"
REGISTRATION_KEY = "motcua_pending_registration"


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request)


def contact_step(
    request: HttpRequest, *, purpose: str, id_number: str, user: User | None, next_url: str,
    template: str,
) -> HttpResponse:  # fmt: skip
    """The person types the contact they gave at the counter; a code goes there if a dossier
    records it. The same answer either way (see ``ownership.challenge_start``)."""
    form = ContactForm(request.POST or None, prefix="proof")
    if request.method == "POST" and form.is_valid():
        sent = challenge_start_step(
            request, form, key=CHALLENGE_KEY, next_url=next_url,
            start=lambda: ownership.challenge_start(
                purpose=purpose, id_number=id_number, typed=form.cleaned_data["contact"],
                user=user, ip=client_ip(request), at=now(),
            ),
            notice=_(
                "Nếu có hồ sơ ghi số điện thoại, thư điện tử này, mã xác nhận đã được gửi tới đó."
            ),
        )  # fmt: skip
        if sent is not None:
            return sent
    return form_page(request, template, {"form": form}, form)


def challenge_start_step(
    request: HttpRequest, form: forms.Form, *, key: str, next_url: str,
    start: Callable[[], models.Model], notice: str,
) -> HttpResponse | None:  # fmt: skip
    """Starts a code challenge (``start()``), keeps it in the session under ``key``, says
    ``notice`` and redirects to ``next_url``; a refusal goes on ``form`` (None returned)."""
    try:
        challenge = start()
    except DomainError as error:
        form.add_error(None, str(error.message))
        form.throttled = isinstance(error, ownership.TooManyCodes)  # type: ignore[attr-defined]
        return None
    request.session[key] = challenge.pk
    messages.info(request, notice)
    return redirect(next_url)


def form_page(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form
) -> HttpResponse:
    """The form again; 429 with ``Retry-After`` when it was refused for too many codes."""
    throttled = getattr(form, "throttled", False)
    response = render(request, template, context, status=429 if throttled else 200)
    if throttled:
        response["Retry-After"] = str(ownership.CODE_LIMIT_WINDOW_SECONDS)
    return response


def code_step(
    request: HttpRequest, *, back_url: str, template: str
) -> tuple[HttpResponse | None, ownership.OwnershipChallenge | None]:
    """The code form; returns the answered challenge once the code is right."""
    challenge_id = request.session.get(CHALLENGE_KEY)
    if challenge_id is None:
        return redirect(back_url), None
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = ownership.challenge_answer(
                challenge_id=int(challenge_id), code=form.cleaned_data["code"], at=now()
            )
        except ownership.CodeExpired as error:
            request.session.pop(CHALLENGE_KEY, None)
            messages.error(request, str(error.message))
            return redirect(back_url), None
        except DomainError as error:
            form.add_error("code", str(error.message))
        else:
            request.session.pop(CHALLENGE_KEY, None)
            return None, challenge
    return render(request, template, {"form": form, "back_url": back_url}), None


# ------------------------------------------------------------------ a signed-in citizen
def citizen_id_number(request: HttpRequest) -> str | None:
    profile = getattr(request.user, "citizen_profile", None)
    return profile.id_number if isinstance(profile, CitizenProfile) else None


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    id_number = citizen_id_number(request)
    if id_number is None:
        return redirect("portal:my-dossiers")
    user = request.user
    assert isinstance(user, User)  # login_required
    return contact_step(
        request, purpose=ownership.LINK, id_number=id_number, user=user,
        next_url="portal:claim-code", template="portal/claim.html",
    )  # fmt: skip


@login_required
def claim_code(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    page, challenge = code_step(request, back_url="portal:claim", template="portal/claim_code.html")
    if challenge is None:
        assert page is not None
        return page
    if challenge.purpose != ownership.LINK or challenge.user_id != user.pk:
        messages.error(request, _("Mã xác nhận không dùng cho tài khoản này."))
        return redirect("portal:claim")
    count = ownership.dossiers_link(user=user, challenge=challenge, at=now())
    messages.success(
        request, _("Đã thêm %(count)s hồ sơ vào tài khoản của bạn.") % {"count": count}
    )
    return redirect("portal:my-dossiers")


# ------------------------------------------------------------------ sign-up, ID number taken
def registration_of(request: HttpRequest) -> ownership.Registration | None:
    data = request.session.get(REGISTRATION_KEY)
    return ownership.Registration(**data) if isinstance(data, dict) else None


def registration_keep(request: HttpRequest, registration: ownership.Registration) -> None:
    request.session[REGISTRATION_KEY] = asdict(registration)


def id_taken(request: HttpRequest) -> HttpResponse:
    registration = registration_of(request)
    if registration is None:
        return redirect("portal:sign-up")
    return contact_step(
        request, purpose=ownership.RECLAIM, id_number=registration.id_number, user=None,
        next_url="portal:id-taken-code", template="portal/id_taken.html",
    )  # fmt: skip


def id_taken_code(request: HttpRequest) -> HttpResponse:
    registration = registration_of(request)
    if registration is None:
        return redirect("portal:sign-up")
    page, challenge = code_step(
        request, back_url="portal:id-taken", template="portal/claim_code.html"
    )
    if challenge is None:
        assert page is not None
        return page
    try:
        user = ownership.account_reclaim(registration=registration, challenge=challenge, at=now())
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("portal:id-taken")
    request.session.pop(REGISTRATION_KEY, None)
    login(request, user, backend="motcua.accounts.backends.IdentifierBackend")
    messages.success(
        request,
        _("Đã xác minh và tạo tài khoản của bạn; các hồ sơ nộp tại quầy đã được thêm vào."),
    )
    return redirect("portal:my-dossiers")
