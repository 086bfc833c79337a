"""Catalog endpoints: search, one procedure, statistics."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder

from motcua.catalog.constants import CompetenceLevel, OnlineLevel
from motcua.catalog.models import Procedure
from motcua.catalog.presentation import time_limit_text
from motcua.catalog.revision import RevisionCache
from motcua.catalog.selectors import (
    catalog_stats,
    filters_for_unit,
    procedure_detail,
    procedure_search,
    receiving_units_of,
)
from motcua.common import clock
from motcua.organizations.models import Unit

from .schemas import ErrorOut, ProcedureDetail, ProcedurePage, StatsOut

router = Router(tags=["catalog"])
JSON = "application/json; charset=utf-8"
# Ready response bodies, per process, until the catalog changes (catalog.revision). Public
# answers: the catalog's token read less than MOTCUA_CATALOG_FRESH_SECONDS ago is trusted, so the
# most asked procedures and searches cost no query at all (decision 0045).
DETAILS: RevisionCache[bytes | None] = RevisionCache(size=2_000, public=True)
SEARCHES: RevisionCache[bytes] = RevisionCache(size=1_000, public=True)
CODE_MAX = Procedure._meta.get_field("code").max_length or 40


def rendered(schema: type[Schema], data: Any) -> bytes:
    """The body django-ninja renders for ``data`` answered as ``schema``."""
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder).encode()


class SearchParams(Schema):
    q: str = ""
    field: str = ""
    level: CompetenceLevel | None = None
    online: OnlineLevel | None = None
    unit: str = ""
    applicant: str = ""
    scope: str = "hanoi"
    page: int = 1
    page_size: int = 20


def unit_or_404(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise HttpError(404, f"Không có đơn vị mã {code!r} / unknown unit {code!r}")
    return unit


def summary(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": {"name": procedure.field.name, "code": procedure.field.code}
        if procedure.field
        else None,
        "level": procedure.level,
        "online_level": procedure.online_level,
        "kind": procedure.kind,
        "in_hanoi_set": procedure.in_hanoi_set,
        "url": reverse("catalog:detail", args=[procedure.code]),
    }


@router.get("/procedures", response={200: ProcedurePage, 404: ErrorOut, 422: ErrorOut})
def procedures(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    """Search the catalog the way people ask: ranked (BM25), accents optional, words in any
    order, not every word needed; people's words, abbreviations and English names understood;
    ``suggestion`` says what a likely slip was read as."""
    if params.scope not in ("hanoi", "all"):
        raise HttpError(422, "scope phải là 'hanoi' hoặc 'all' / scope must be 'hanoi' or 'all'")
    if not 1 <= params.page_size <= 100 or params.page < 1:
        raise HttpError(422, "page ≥ 1, 1 ≤ page_size ≤ 100")
    key = (*params.model_dump().items(), get_language())
    body = SEARCHES.get(key, lambda: rendered(ProcedurePage, search_page(params)))
    return HttpResponse(body, content_type=JSON)


def search_page(params: SearchParams) -> dict[str, Any]:
    filters = filters_for_unit(
        unit_or_404(params.unit),
        field=params.field,
        level=params.level or "",
        online=params.online or "",
        applicant=params.applicant,
        scope=params.scope,
    )
    page = procedure_search(
        query=params.q[:200], filters=filters, page=params.page, page_size=params.page_size
    )
    return {
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
        "items": [summary(p) for p in page.items],
        "suggestion": page.suggestion or None,
    }


@router.get("/procedures/{code}", response={200: ProcedureDetail, 404: ErrorOut})
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure with its cases, fees per channel, documents by case and internal process."""
    if len(code) > CODE_MAX:  # no such code; the message does not echo all it was sent
        code, body = f"{code[:CODE_MAX]}…", None
    else:
        body = DETAILS.get((code, get_language()), lambda: detail_body(code))
    if body is None:
        raise HttpError(404, f"Không có thủ tục mã {code!r} / no procedure with code {code!r}")
    return HttpResponse(body, content_type=JSON)


def detail_body(code: str) -> bytes | None:
    found = procedure_detail(code)
    return None if found is None else rendered(ProcedureDetail, detail(found))


def detail(found: Procedure) -> dict[str, Any]:
    process = next(iter(found.processes.all()), None)
    return {
        **summary(found),
        "promulgating_body": found.promulgating_body,
        "executing_bodies": found.executing_bodies,
        "commune_body": found.commune_body,
        "deciding_unit": found.deciding_unit,
        "receiving_units": list(receiving_units_of(found, clock.today())),
        "applicant_types": found.applicant_types,
        "legal_basis": found.legal_basis,
        "results": found.results,
        "conditions": found.conditions,
        "cases": [
            {
                "code": c.code,
                "name": c.name,
                "time_quantity": c.time_quantity,
                "time_unit": c.time_unit,
                "time_limit_text": time_limit_text(c.time_quantity, c.time_unit),
            }
            for c in found.cases.all()
        ],
        "channels": [
            {
                "method": c.method,
                "time_quantity": c.time_quantity,
                "time_unit": c.time_unit,
                "fees": list(c.fees.all()),
            }
            for c in found.channels.all()
        ],
        "requirement_groups": [
            {"name": g.name, "items": list(g.items.all())} for g in found.requirement_groups.all()
        ],
        "process": None
        if process is None
        else {
            "version": process.version,
            "status": process.status,
            "problem": process.problem,
            "steps": list(process.steps.all()),
        },
        "eform_schema": found.eform_schema,
        "version": found.version,
        "gaps": found.gaps,
        "source_url": found.source_url,
    }


@router.get("/catalog/stats", response={200: StatsOut, 404: ErrorOut})
def stats(request: HttpRequest, unit: str = "") -> dict[str, Any]:
    """Procedures of the Hà Nội set by online level (full / partial / none) and level."""
    chosen = unit_or_404(unit)
    return {**catalog_stats(unit=chosen), "unit": chosen}
