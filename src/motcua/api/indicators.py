"""The Decision 766/QĐ-TTg indicators of a period, for the leaders and supervisors of a unit
(with the units below it) or for the units an officer may report on. The same figures as
``motcua indicators``; docs/indicators.md lists the formulas."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.organizations.models import Unit
from motcua.supervision.query import QueryError, query_parse, query_report

from .auth import SessionAuth, TokenAuth
from .dossiers import officer
from .errors import ApiError
from .schemas import ErrorOut

router = Router(tags=["indicators"], auth=[TokenAuth(), SessionAuth()])


class IndicatorParams(Schema):
    start: str = Field(
        alias="from", description="YYYY-MM-DD, the period's first day", max_length=10
    )
    end: str = Field(
        alias="to", description="YYYY-MM-DD, the period's last day (included)", max_length=10
    )
    unit: str | None = Field(
        None, description="unit code (its units below included)", max_length=80
    )
    procedure: str | None = Field(None, description="procedure code", max_length=40)
    field: str | None = Field(None, description="field (lĩnh vực) code", max_length=32)
    channel: str | None = Field(None, description="counter | online | post | national_portal", max_length=20)  # fmt: skip


class IndicatorOut(Schema):
    num: int | float | None = Field(description="numerator (2.2: total days)")
    den: int | None = Field(description="denominator (dossiers)")
    value: float | None = Field(description="percentage with two decimals (2.2: days); null: N/A")
    reason: str | None = Field(None, description="why N/A, or what the value leaves out")
    reason_en: str | None = None


class GroupOut(Schema):
    score: float | None = Field(description="points earned by the indicators with a value")
    max: float
    counted_max: float = Field(description="the points of the indicators that have a value")


class ReportOut(Schema):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    unit: str | None
    procedure: str | None
    indicators: dict[str, IndicatorOut]
    groups: dict[str, GroupOut]
    total: float | None
    total_counted_max: float = Field(description="what the total is out of (N/A excluded)")


@router.get(
    "/indicators",
    response={200: ReportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    by_alias=True,
)
def indicators(request: HttpRequest, params: Query[IndicatorParams]) -> Any:
    """Decision 766 indicators (1.4, 2.1, 2.2, 3.3, 3.6, 4.1–4.5, 5.4; the others N/A with the
    reason), the five group scores and the total. Leaders see their unit; supervisors their unit
    and every unit below it. Without ``unit``: every unit you may report on."""
    user = officer(request)
    visible = permissions.unit_ids_with(user, Capability.VIEW_REPORTS)
    try:
        query = query_parse(
            start=params.start, end=params.end, unit=params.unit, procedure=params.procedure,
            field=params.field, channel=params.channel,
        )  # fmt: skip
    except QueryError as error:
        raise ApiError(400, error.code, error.message, error.message_en) from None
    if query.unit is not None and query.unit.pk not in visible:
        raise ApiError(
            403, "not_your_unit",
            f"Bạn không được xem chỉ số của đơn vị {query.unit.code}.",
            f"You may not read the indicators of unit {query.unit.code}.",
        )  # fmt: skip
    if query.unit is None:
        if not visible:
            raise ApiError(403, "no_report_rights", "Bạn không có quyền xem báo cáo, chỉ số.",
                           "You may not read reports or indicators.")  # fmt: skip
        query = replace(query, scope=replace(query.scope, unit_ids=frozenset(visible)))
        # One unit at the top of what the officer sees (a ward's leader): the answer names it
        # (QA: "unit": null beside a ward's figures); several (the city): null, every unit.
        tops = list(Unit.objects.filter(pk__in=visible).exclude(parent_id__in=visible)[:2])
        if len(tops) == 1:
            query = replace(query, unit=tops[0])
    return query_report(query)
