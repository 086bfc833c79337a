from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.models import CitizenProfile, User
from motcua.accounts.services import citizen_create
from motcua.catalog.constants import OnlineLevel
from motcua.common.client import client_address
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.common.throttle import by_address, rate_limited
from motcua.dossiers.access import accesses_for_applicant
from motcua.dossiers.actions import PUBLIC_ACTIONS, REGISTRY
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.dossiers.services import actions_available, dossier_withdraw
from motcua.dossiers.steps import holder
from motcua.organizations.models import Unit

from .claim import citizen_id_number, registration_keep
from .forms import CitizenSignUpForm
from .online import applicant_forms, own_dossier, pending_code, visible_documents
from .ownership import Registration
from .services import TooManyLookups, citizen_dossiers, dossier_lookup
from .status import citizen_bundles, citizen_status, next_step
from .submission import drafts_of, what_to_bring
from .supplement import supplement_request


@dataclass(frozen=True)
class HistoryLine:
    at: datetime.datetime
    text: str


def timeline(dossier: Dossier) -> list[HistoryLine]:
    """What the citizen is told of the history, in the registry's plain words: the units that
    hold the dossier and the reasons given to the applicant; no officer names, no internal
    notes (a forward's or a transfer's note stays inside)."""
    events = [
        e
        for e in dossier.events.all()  # by seq (the model's order), read with the dossier if it was
        if e.action in PUBLIC_ACTIONS and not e.payload.get("outside_leader_step")
    ]
    codes = {str(e.payload.get("to_unit")) for e in events if e.payload.get("to_unit")}
    # No query to build when no event names a unit (most histories): compiling it cost a tenth
    # of a public lookup's CPU, for an answer known to be empty.
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [HistoryLine(e.at, citizen_line(e, names)) for e in events]


def citizen_line(event: DossierEvent, unit_names: dict[str, str]) -> str:
    spec = REGISTRY[event.action]
    if not spec.citizen:
        return _("Hồ sơ được cập nhật")  # never an officer's term for the action
    payload = event.payload or {}
    text = (
        str(spec.citizen)
        .format(
            unit=unit_names.get(str(payload.get("to_unit", "")), ""),
            step=payload.get("step", ""),
            reason=" ".join(event.reason.split()),
        )
        .rstrip(": ")
    )  # nothing to fill in (no step, no reason): no dangling colon
    if event.action == Action.SUBMIT_SUPPLEMENT and payload.get("partial"):
        text = _("Cơ quan nhận một phần giấy tờ bổ sung; còn thiếu: %(items)s") % {
            "items": "; ".join(payload.get("missing", []))
        }
    return text


def lookup(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"code": request.GET.get("ma", "")[:80]}
    status, retry_after = 200, 0
    if request.method == "POST":
        context["code"] = request.POST.get("code", "")[:80]
        try:
            dossier = dossier_lookup(
                code=request.POST.get("code", ""), last_digits=request.POST.get("digits", ""),
                ip=client_address(request), at=now(),
            )  # fmt: skip
        except TooManyLookups as error:
            context["error"], status, retry_after = str(error.message), 429, error.retry_after
        else:
            if dossier is None:
                context["error"] = _(
                    "Không tìm thấy hồ sơ khớp với thông tin đã nhập. Kiểm tra lại mã hồ sơ trên giấy hẹn "
                    "và 4 số cuối của số định danh hoặc số điện thoại."
                )
            else:
                context.update(
                    dossier=dossier, status=citizen_status(dossier), events=timeline(dossier)
                )
    response = render(request, "portal/lookup.jinja", context, status=status, using="jinja2")
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@rate_limited(("signup", by_address))
def sign_up(request: HttpRequest) -> HttpResponse:
    """A citizen account: personal ID number, phone, password (VNeID can replace this later)."""
    form = CitizenSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if CitizenProfile.objects.filter(id_number=data["id_number"]).exists():
            # Someone already holds this ID number: its real owner proves it with a code.
            registration_keep(
                request,
                Registration(
                    full_name=data["full_name"].strip(), id_number=data["id_number"],
                    phone=data["phone"], email=data["email"],
                    password_hash=make_password(data["password1"]),
                ),
            )  # fmt: skip
            return redirect("portal:id-taken")
        try:
            user = citizen_create(
                full_name=data["full_name"], id_number=data["id_number"], password=data["password1"],
                phone=data["phone"], email=data["email"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="motcua.accounts.backends.IdentifierBackend")
            messages.success(request, _("Đã tạo tài khoản. Bạn có thể nộp và theo dõi hồ sơ."))
            return redirect(where_next(request))
    return render(request, "portal/sign_up.html", {"form": form, "next": safe_next(request)})


def safe_next(request: HttpRequest) -> str:
    """The page the visitor was on when asked to sign up, if it is one of ours."""
    candidate = str(request.POST.get("next") or request.GET.get("next") or "")
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def where_next(request: HttpRequest) -> str:
    """After signing up: back to the submission that was started, else the account."""
    if chosen := safe_next(request):
        return chosen
    if code := pending_code(request):
        return reverse("portal:online-start", kwargs={"code": code})
    return reverse("web:account")


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = (
        Dossier.objects.filter(citizen_dossiers(request.user))
        .select_related("procedure", "deciding_unit")
        .only(
            "ref",
            "code",
            "status",
            "channel",
            "procedure__online_level",
            "decision",
            "due_at",
            "submitted_at",
            "procedure__name",
            "deciding_unit__name",
        )
        .order_by("-submitted_at")
    )
    rows = [(d, citizen_status(d)) for d in dossiers]
    drafts = drafts_of(request.user)  # type: ignore[arg-type]  # login_required
    # A link, never "there are dossiers under your ID number": that would tell an impostor.
    citizen = citizen_id_number(request) is not None
    return render(
        request,
        "portal/my_dossiers.html",
        {"rows": rows, "drafts": drafts, "citizen": citizen,
         "bundles": citizen_bundles(request.user)},
    )  # fmt: skip


@login_required
def my_dossier(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = own_dossier(request, ref, "rating")
    documents = visible_documents(dossier)
    results = [d for d in documents if d.kind == DossierDocument.Kind.RESULT]
    return render(
        request,
        "portal/my_dossier.html",
        {
            "dossier": dossier,
            "status": citizen_status(dossier),
            # The result and the next thing to do stand first; the rest follows.
            "next_step": next_step(dossier, has_results=bool(results)),
            "results": results,
            "events": timeline(dossier),
            "holder": citizen_holder(dossier),
            "can_withdraw": Action.WITHDRAW in actions_available(dossier, request.user, now()),  # type: ignore[arg-type]
            "asked": supplement_request(dossier)
            if dossier.status == Status.SUPPLEMENT_REQUESTED
            else None,
            "documents": [d for d in documents if d.kind != DossierDocument.Kind.RESULT],
            "bundle_ref": bundle_ref_of(dossier),
            "forms": applicant_forms(dossier),
            "accesses": accesses_for_applicant(dossier),
            "bring": what_to_bring(dossier)
            if dossier.procedure.online_level == OnlineLevel.PARTIAL
            and dossier.channel == Channel.ONLINE
            else [],
        },
    )


def bundle_ref_of(dossier: Dossier) -> str:
    """The linked bundle the dossier belongs to (its form's marker), for a link to the whole."""
    form = dossier.eform_data if isinstance(dossier.eform_data, dict) else {}
    marker = form.get("bundle")
    return str(marker.get("ref") or "") if isinstance(marker, dict) else ""


def citizen_holder(dossier: Dossier) -> dict[str, object] | None:
    """Which unit holds the dossier now, at which step, until when (no officer's name)."""
    held = holder(dossier)
    if held is None or dossier.status in (Status.NEW,):
        return None
    unit = Unit.objects.filter(pk=held.unit_id).values_list("name", flat=True).first()
    return {"unit": unit, "step": held.step, "until": held.until}


@login_required
@require_POST
def withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    """The applicant asks to stop: allowed until a decision (Decree 118 art. 21)."""
    dossier = own_dossier(request, ref)
    try:
        if request.POST.get("confirm") != "on":
            raise DomainError(_("Hãy đánh dấu xác nhận trước khi rút hồ sơ."))
        applicant: User = request.user  # type: ignore[assignment]  # login_required
        dossier_withdraw(
            dossier=dossier, actor=applicant, at=now(), reason=request.POST.get("reason", "")[:500],
            expected_version=int(request.POST.get("version", "-1") or -1),
        )  # fmt: skip
    except (DomainError, ValueError) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        messages.success(request, _("Đã dừng giải quyết hồ sơ theo yêu cầu của bạn."))
    return redirect("portal:my-dossier", ref=dossier.ref)
