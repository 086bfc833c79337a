from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.common.clock import now
from motcua.common.numbers import small_int
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit
from motcua.worktime.engine import CalendarRangeError
from motcua.worktime.rules import Limit, LimitUnit
from motcua.worktime.services import deadline_compute

from .constants import CompetenceLevel, OnlineLevel, TimeUnit
from .legal_limits import legal_limit_current
from .models import Field, Procedure, ProcedureCase
from .presentation import money_text, time_limit_text
from .search import INDEX
from .selectors import (
    catalog_stats,
    filters_for_unit,
    online_submission_open,
    procedure_detail,
    procedure_search,
)

PAGE_SIZE = 20
LIMIT_UNITS = {
    TimeUnit.WORKING_DAY: LimitUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY: LimitUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR: LimitUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY: LimitUnit.SAME_DAY,
}


def int_param(request: HttpRequest, name: str, default: int) -> int:
    try:
        return max(1, int(request.GET.get(name, default)))
    except ValueError:
        return default


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    unit = Unit.objects.filter(code=request.GET.get("unit", "")).first()
    level = request.GET.get("level", "")
    online = request.GET.get("online", "")
    filters = filters_for_unit(
        unit,
        field=request.GET.get("field", "")[:40],
        level=level if level in CompetenceLevel.values else "",
        online=online if online in OnlineLevel.values else "",
        applicant=request.GET.get("applicant", "")[:60],
        scope="all" if request.GET.get("scope") == "all" else "hanoi",
    )
    page = procedure_search(
        query=query, filters=filters, page=int_param(request, "page", 1), page_size=PAGE_SIZE
    )
    context = {
        "query": query,
        "page": page,
        "params": request.GET,
        "fields": Field.objects.filter(procedures__in_hanoi_set=True).distinct().order_by("name"),
        "levels": CompetenceLevel.choices,
        "onlines": OnlineLevel.choices,
        "field_name": Field.objects.filter(pk=filters.field).values_list("name", flat=True).first()
        if small_int(filters.field) is not None
        else "",
    }
    template = "catalog/_results.html" if request.htmx else "catalog/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def fields(request: HttpRequest) -> HttpResponse:
    index = INDEX.get()
    counts: dict[int, int] = {}
    for doc in index.docs:
        if doc.in_hanoi_set and doc.field_id is not None:
            counts[doc.field_id] = counts.get(doc.field_id, 0) + 1
    rows = [(f, counts[f.pk]) for f in Field.objects.filter(pk__in=counts).order_by("name")]
    return render(request, "catalog/fields.html", {"rows": rows})


def due_if_submitted_now(case: ProcedureCase | None) -> datetime.datetime | None:
    if (
        case is None
        or case.time_unit not in LIMIT_UNITS
        or (case.time_quantity is None and case.time_unit != TimeUnit.SAME_DAY)
    ):
        return None
    try:
        limit = Limit(float(case.time_quantity or 0), LIMIT_UNITS[TimeUnit(case.time_unit)])
        return deadline_compute(received=now(), limit=limit).due
    except (ValueError, CalendarRangeError):
        return None


BRANCH_OR_CENTER = {UnitKind.SERVICE_CENTER, UnitKind.SERVICE_CENTER_BRANCH}


def where_to_submit(procedure: Procedure) -> list[str]:
    if procedure.level == CompetenceLevel.COMMUNE:
        if procedure.commune_body == "police":
            return [
                _(
                    "Công an xã, phường nơi cư trú (hoặc bất kỳ công an cấp xã nào ở Hà Nội khi thủ tục cho phép)"
                )
            ]
        return [
            _(
                "Điểm phục vụ hành chính công của bất kỳ phường, xã nào ở Hà Nội (tiếp nhận không phụ thuộc địa giới)"
            )
        ]
    receiving = list(procedure.receiving_units.all())
    names = [u.name for u in receiving if u.kind != UnitKind.SERVICE_CENTER_BRANCH]
    if any(unit.kind in BRANCH_OR_CENTER for unit in receiving):
        names.append(_("các chi nhánh của Trung tâm Phục vụ hành chính công thành phố"))
    return names


def limit_context(procedure: Procedure, case: ProcedureCase | None) -> dict[str, Any]:
    """The limit the page states, and where it comes from: a case, the record's text, the
    city-wide legal limit officers entered, or none yet (said plainly, decision 0024)."""
    if case is not None:
        return {"limit_text": time_limit_text(case.time_quantity, case.time_unit)}
    if procedure.time_unit != TimeUnit.UNKNOWN:
        return {
            "limit_text": time_limit_text(procedure.time_quantity, procedure.time_unit),
            "limit_note": procedure.time_note,
        }
    legal = legal_limit_current(procedure.pk, ())
    if legal is not None:
        return {
            "limit_text": time_limit_text(legal.time_quantity, legal.time_unit),
            "limit_note": _("theo %(basis)s") % {"basis": legal.legal_basis},
        }
    return {"limit_text": None, "limit_missing": True}


def detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_detail(code)
    if procedure is None:
        raise Http404(_("Không có thủ tục mã %(code)s.") % {"code": code})
    cases = list(procedure.cases.all())
    usable = [c for c in cases if c.time_unit != TimeUnit.UNKNOWN]
    first_case = usable[0] if usable else (cases[0] if cases else None)
    context: dict[str, Any] = {
        "procedure": procedure,
        "cases": [(c, time_limit_text(c.time_quantity, c.time_unit)) for c in cases],
        "channels": [
            (
                c,
                [(f, money_text(f.amount_vnd)) for f in c.fees.all()],
                time_limit_text(c.time_quantity, c.time_unit),
            )
            for c in procedure.channels.all()
        ],
        "groups": list(procedure.requirement_groups.all()),
        "process": next(iter(procedure.processes.all()), None),
        "due_now": due_if_submitted_now(first_case),
        **limit_context(procedure, first_case if usable else None),
        "where": where_to_submit(procedure),
        "online": online_submission_open(procedure),
    }
    return render(request, "catalog/detail.html", context)


def stats(request: HttpRequest) -> HttpResponse:
    units = list(
        Unit.objects.filter(
            kind__in=[UnitKind.DEPARTMENT, UnitKind.CENTRAL_AGENCY, UnitKind.CITY_COMMITTEE]
        ).order_by("kind", "name")
    )
    city = catalog_stats()
    rows = [(unit, catalog_stats(unit=unit)) for unit in units]
    ward = Unit.objects.filter(kind=UnitKind.WARD).order_by("name").first()
    ward_police = Unit.objects.filter(kind=UnitKind.COMMUNE_POLICE).order_by("name").first()
    per_commune = [
        (_("Mỗi phường, xã (UBND cấp xã)"), catalog_stats(unit=ward) if ward else None),
        (_("Mỗi công an phường, xã"), catalog_stats(unit=ward_police) if ward_police else None),
    ]
    return render(
        request,
        "catalog/stats.html",
        {
            "city": city,
            "rows": [r for r in rows if r[1]["total"]],
            "per_commune": per_commune,
            "onlines": OnlineLevel.choices,
        },
    )
