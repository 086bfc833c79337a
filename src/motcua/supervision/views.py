"""Supervisors' pages of delay attribution, breach prediction and re-engineering (issue 17), and
a dossier's timeline for the officers who may read the dossier (linked from its page)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.clock import today as clock_today
from motcua.common.errors import DomainError
from motcua.common.numbers import small_int
from motcua.common.text import without_controls
from motcua.dossiers.reading import dossier_read
from motcua.organizations.models import Unit
from motcua.organizations.selectors import city_root_ids, unit_descendant_ids

from .at_risk import at_risk_queue
from .attribution import dossier_timeline, over_budget, received_between, unit_names
from .figures import day, day_parse
from .models import PlanStatus
from .reengineering import busy_rows, plan_set
from .rollup import catch_up


def report_units(user: User) -> set[int]:
    found = permissions.unit_ids_with(user, Capability.VIEW_REPORTS)
    if not found:
        raise PermissionDenied(
            _("Trang này dành cho lãnh đạo đơn vị và cán bộ giám sát (quyền xem báo cáo).")
        )
    return found


def supervised_units(user: User) -> set[int]:
    """The units whose re-engineering plans this officer may edit: a supervisor's, and below."""
    roots = {
        role.unit_id for role in permissions.active_roles(user) if role.role == Role.SUPERVISOR
    }
    return unit_descendant_ids(roots) if roots else set()


def officer_names(usernames: Any) -> dict[str, str]:
    """Officers by name, not by their sign-in name; a name no account carries stays as it is."""
    found = User.objects.filter(username__in=set(usernames)).exclude(full_name="")
    return dict(found.values_list("username", "full_name"))


def hours(seconds: int) -> float:
    return round(seconds / 3600, 1)


@login_required
def timeline(request: HttpRequest, ref: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required
    dossier = dossier_read(user, ref) if permissions.is_officer(user) else None
    if dossier is None:
        raise Http404(_("Không có hồ sơ này trong đơn vị của bạn."))
    segments = dossier_timeline(dossier)
    names = unit_names(s.unit for s in segments)
    people = officer_names(s.holder for s in segments if s.holder)
    rows = [{"segment": s, "unit_name": names.get(s.unit, s.unit), "hours": hours(s.working_seconds),
             "holder_name": people.get(s.holder, s.holder),
             "over_hours": hours(s.over_budget_seconds)} for s in segments]  # fmt: skip
    total = sum(s.working_seconds for s in segments)
    citizen = sum(s.working_seconds for s in segments if s.citizen)
    over = sum(s.over_budget_seconds for s in segments)
    return render(request, "supervision/timeline.html", {
        "dossier": dossier, "rows": rows, "total_hours": hours(total),
        "citizen_hours": hours(citizen), "over_hours": hours(over),
    })  # fmt: skip


FIRST_YEAR, LAST_YEAR = 1990, 2100


def day_param(request: HttpRequest, name: str, default: datetime.date) -> datetime.date:
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    try:
        found = day_parse(text)  # dd/mm/yyyy as the page writes it, or yyyy-mm-dd
    except ValueError:
        found = None
    # Years far off overflow the working-time arithmetic (a day added to 9999-12-31).
    if found is None or not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise DomainError(_("Ngày không hợp lệ (dd/mm/yyyy): %(text)s") % {"text": text[:40]})
    return found


@login_required
def over_budget_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = report_units(user)
    today = clock_today()
    error = ""
    try:
        start = day_param(request, "from", today.replace(day=1))
        end = day_param(request, "to", today)
    except DomainError as problem:
        error, start, end = str(problem), today.replace(day=1), today
    if end < start:
        error, start, end = _("Ngày bắt đầu sau ngày kết thúc."), today.replace(day=1), today
    elif (end - start).days > 366:
        error, start, end = _("Chọn một khoảng không quá một năm."), today.replace(day=1), today
    catch_up()  # the held time is folded with the rollup: as fresh as the event log
    dossiers = received_between(start, end, units).count()
    found = over_budget(start=start, end=end, unit_ids=units)
    names = unit_names(h.key for h in found["units"])
    people = officer_names(h.key for h in found["officers"])
    typed = {"start": day(start), "end": day(end)}
    if error:  # the fields as typed, to be corrected; the figures are the default period's
        typed = {key: without_controls(request.GET.get(name, ""))[:40]
                 for key, name in (("start", "from"), ("end", "to"))}  # fmt: skip
    return render(request, "supervision/over_budget.html", {
        **typed, "period": (day(start), day(end)), "error": error, "dossiers": dossiers,
        "units": [(names.get(h.key, h.key), h, hours(h.over_budget_seconds), hours(h.working_seconds))
                  for h in found["units"]],
        "officers": [(people.get(h.key, h.key), h, hours(h.over_budget_seconds), hours(h.working_seconds))
                     for h in found["officers"]],
    })  # fmt: skip


@login_required
def at_risk_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = report_units(user)
    queue = at_risk_queue(unit_ids=units, threshold=0.2, limit=200)
    names = unit_names(row.unit for row in queue)
    rows = [{"row": row, "unit_name": names.get(row.unit, row.unit),
             "percent": round(100 * row.risk.probability)} for row in queue]  # fmt: skip
    return render(request, "supervision/at_risk.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def reengineering_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = report_units(user)
    editable = supervised_units(user)
    if request.method == "POST":
        plan_post(request, user, editable)
        return redirect("supervision:reengineering")
    city_wide = bool(city_root_ids() & editable) and city_root_ids() <= units
    found = busy_rows(unit_ids=None if city_wide else units)
    return render(request, "supervision/reengineering.html", {
        "city": found["city"], "units": found["units"], "editable": editable,
        "city_editable": city_wide, "statuses": PlanStatus.choices,
    })  # fmt: skip


def plan_post(request: HttpRequest, user: User, editable: set[int]) -> None:
    data: Any = request.POST
    procedure_id = str(data.get("procedure", "")).strip()
    procedure_pk = small_int(procedure_id)
    procedure = Procedure.objects.filter(pk=procedure_pk).first() if procedure_pk else None
    unit_id = str(data.get("unit", "")).strip()
    unit_pk = small_int(unit_id)
    unit = Unit.objects.filter(pk=unit_pk).first() if unit_pk else None
    allowed = (unit.pk in editable) if unit is not None else city_root_ids() <= editable
    if procedure is None or (unit_id and unit is None):
        messages.error(request, _("Không tìm thấy thủ tục hoặc đơn vị."))
        return
    if not allowed:
        messages.error(request, _("Chỉ cán bộ giám sát của đơn vị mới được cập nhật phương án."))
        return
    try:
        decided = data.get("decision_date") or ""
        plan_set(
            procedure=procedure, unit=unit, status=str(data.get("status", "")), actor=user,
            decision_number=str(data.get("decision_number", "")), note=str(data.get("note", "")),
            decision_date=day_parse(decided) if decided.strip() else None,
        )  # fmt: skip
    except ValueError:
        messages.error(request, _("Ngày quyết định không hợp lệ (dd/mm/yyyy)."))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã cập nhật phương án tái cấu trúc."))


def timeline_panel(dossier: Any, user: User) -> dict[str, Any] | None:
    """The dossier page's link to its timeline (every officer who reads the dossier)."""
    return {"ref": dossier.ref}
