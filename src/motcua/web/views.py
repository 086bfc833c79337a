from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.forms import ContactForm, RoleGrantForm
from motcua.accounts.models import OfficerRole, User
from motcua.accounts.services import citizen_contact_update, officer_role_grant, officer_role_revoke
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_ancestors
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
        staff = (
            OfficerRole.objects.filter(unit=unit)
            .select_related("user")
            .order_by("role", "user__username")
        )
    return render(
        request,
        "workspace/unit.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(unit),
            "children": unit.children.effective_on(today()).order_by("kind", "name"),
            "staff": staff,
            "can_manage": Capability.MANAGE_STAFF in capabilities,
            "grant_form": RoleGrantForm() if Capability.MANAGE_STAFF in capabilities else None,
            "capabilities": sorted(str(Capability(c).label) for c in capabilities),
            "can_track": bool(
                {Capability.RECEIVE_DOSSIER, Capability.VIEW_UNIT_DOSSIERS} & capabilities
            ),
            "this_year": today().year,
        },
    )


@login_required
@require_POST
@require_recent_auth
def role_grant(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_for_officer(request, code, Capability.MANAGE_STAFF)
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect("web:unit", code=unit.code)
    officer = User.objects.filter(username__iexact=form.cleaned_data["username"].strip()).first()
    if officer is None:
        messages.error(
            request,
            _("Không có tài khoản nào tên %(name)s.") % {"name": form.cleaned_data["username"]},
        )
        return redirect("web:unit", code=unit.code)
    try:
        officer_role_grant(
            actor=request.user,  # type: ignore[arg-type]
            officer=officer,
            unit=unit,
            role=form.cleaned_data["role"],
            title=form.cleaned_data["title"],
            at=now(),
        )
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
    try:
        officer_role_revoke(actor=request.user, officer_role=officer_role, at=now())  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã thu hồi quyền của %(name)s.") % {"name": officer_role.user})
    return redirect("web:unit", code=unit.code)
