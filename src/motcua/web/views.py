from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import permissions
from motcua.accounts.constants import Capability, ChangeVia
from motcua.accounts.forms import ContactForm, RoleGrantForm, RoleRevokeForm
from motcua.accounts.grants import grantable_roles
from motcua.accounts.models import ApiToken, OfficerRole, User
from motcua.accounts.selectors import unit_role_changes, unit_staff
from motcua.accounts.services import citizen_contact_update, officer_role_grant, officer_role_revoke
from motcua.accounts.tokens import (
    api_token_may_revoke,
    api_token_revoke,
    api_tokens_in_unit,
    api_tokens_of,
)
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_ancestors
from motcua.portal.online import pending_code
from motcua.signin.decorators import require_recent_auth


def home(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Unit.objects.effective_on(today())
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return render(
        request,
        "web/home.html",
        {
            "wards": counts.get(UnitKind.WARD, 0),
            "communes": counts.get(UnitKind.COMMUNE, 0),
            "branches": counts.get(UnitKind.SERVICE_CENTER_BRANCH, 0),
            "departments": counts.get(UnitKind.DEPARTMENT, 0),
        },
    )


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    if permissions.is_officer(request.user):
        return redirect("web:workspace")
    # A submission started before signing in is where the citizen was going.
    if code := pending_code(request):
        return redirect("portal:online-start", code=code)
    return redirect("web:account")


@login_required
@require_recent_auth
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile = getattr(user, "citizen_profile", None)
    form = None
    if profile is not None:
        initial = {"phone": user.phone, "email": user.email, "address": profile.address}
        form = ContactForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                citizen_contact_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Đã lưu thông tin liên hệ."))
                return redirect("web:account")
    return render(
        request,
        "account/account.html",
        {
            "profile": profile,
            "business": getattr(user, "business_profile", None),
            "roles": permissions.active_roles(user),
            "form": form,
            "api_tokens": [(token, token.status_on(now())) for token in api_tokens_of(user)],
        },
    )


def require_officer(request: HttpRequest) -> None:
    if not permissions.is_officer(request.user):
        raise PermissionDenied(
            _("Trang này dành cho cán bộ. Tài khoản của bạn không có vai trò cán bộ.")
        )


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    require_officer(request)
    visible = Unit.objects.filter(pk__in=permissions.visible_unit_ids(request.user)).order_by(
        "kind", "name"
    )
    roles = permissions.active_roles(request.user)
    return render(
        request,
        "workspace/home.html",
        {
            "roles": [
                (
                    role,
                    sorted(
                        str(Capability(c).label) for c in permissions.ROLE_CAPABILITIES[role.role]
                    ),
                )
                for role in roles
            ],
            "visible_units": visible,
        },
    )


def unit_for_officer(request: HttpRequest, code: str, capability: str) -> Unit:
    require_officer(request)
    unit = get_object_or_404(Unit.objects.select_related("parent", "area"), code=code)
    if not permissions.has_capability(request.user, capability, unit):
        raise PermissionDenied(_("Bạn không có quyền xem đơn vị này."))
    return unit


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_officer(request, code, Capability.VIEW_UNIT)
    capabilities = permissions.capabilities_in(request.user, unit)
    staff = None
    if Capability.VIEW_STAFF in capabilities:
        staff = unit_staff(unit, today())
    can_manage = Capability.MANAGE_STAFF in capabilities
    grantable = grantable_roles(request.user, unit, today()) if can_manage else []  # type: ignore[arg-type]
    return render(
        request,
        "workspace/unit.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(unit),
            "children": unit.children.effective_on(today()).order_by("kind", "name"),
            "staff": staff,
            "can_manage": can_manage,
            "grant_form": RoleGrantForm(roles=grantable) if grantable else None,
            "revoke_form": RoleRevokeForm() if can_manage else None,
            "role_changes": unit_role_changes(unit) if can_manage else None,
            "api_tokens": [(t, t.status_on(now())) for t in api_tokens_in_unit(unit, now())]
            if can_manage
            else None,
            "capabilities": sorted(str(Capability(c).label) for c in capabilities),
            "can_track": bool(
                {Capability.RECEIVE_DOSSIER, Capability.VIEW_UNIT_DOSSIERS} & capabilities
            ),
            "this_year": today().year,
        },
    )


def form_errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(error) for error in errors)
        messages.error(request, f"{label}: {text}" if label else text)


@login_required
@require_POST
@require_recent_auth
def role_grant(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_officer(request, code, Capability.MANAGE_STAFF)
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("web:unit", code=unit.code)
    data = form.cleaned_data
    officer = User.objects.filter(username__iexact=data["username"].strip()).first()
    if officer is None:
        messages.error(
            request,
            _("Không có tài khoản nào tên %(name)s.") % {"name": data["username"]},
        )
        return redirect("web:unit", code=unit.code)
    try:
        officer_role_grant(
            actor=request.user,  # type: ignore[arg-type]
            officer=officer, unit=unit, role=data["role"], title=data["title"], at=now(),
            valid_from=data["valid_from"], valid_until=data["valid_until"],
            document_number=data["document_number"], document_date=data["document_date"],
            via=ChangeVia.WEB,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã cấp quyền cho %(name)s.") % {"name": officer})
    return redirect("web:unit", code=unit.code)


@login_required
@require_POST
@require_recent_auth
def role_revoke(request: HttpRequest, code: str, role_id: int) -> HttpResponse:
    unit = unit_for_officer(request, code, Capability.MANAGE_STAFF)
    officer_role = get_object_or_404(
        OfficerRole.objects.select_related("user", "unit"), pk=role_id, unit=unit
    )
    form = RoleRevokeForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("web:unit", code=unit.code)
    data = form.cleaned_data
    try:
        officer_role_revoke(
            actor=request.user,  # type: ignore[arg-type]
            officer_role=officer_role, at=now(), effective=data["effective"],
            document_number=data["document_number"], document_date=data["document_date"],
            via=ChangeVia.WEB,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã thu hồi quyền của %(name)s.") % {"name": officer_role.user})
    return redirect("web:unit", code=unit.code)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke from the account page (the token's officer) or a unit page (its administrator)."""
    token = get_object_or_404(ApiToken, pk=token_id)
    user: User = request.user  # type: ignore[assignment]
    if not api_token_may_revoke(user, token):
        raise PermissionDenied(_("Bạn không thu hồi được mã truy cập này."))
    try:
        api_token_revoke(actor=user, token=token, at=now(), via=ChangeVia.WEB)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:account")


def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("motcua/favicon.svg"))
