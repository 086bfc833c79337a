"""The re-engineering list (issue 17; DOMAIN.md §10): the procedures that received more than 500
dossiers in the last 12 months, per unit and city-wide, with their average resolution time against
the legal limit and their online share, and where each one's re-engineering plan stands.

Counted on the indicator rollup (``DossierFact``): received in the 365 days before today; a
dossier counts for the unit that decides it. The average time is indicator 2.2's (reception to
result less the citizen's supplement time, calendar days) over the dossiers with a result; the
legal limit is the shortest of the procedure's cases (the record's text otherwise), given in its
own unit and, to compare, in calendar days (a working day ≈ 7/5 of a calendar day).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.clock import now as clock_now
from motcua.common.clock import today as clock_today
from motcua.common.errors import DomainError
from motcua.common.text import without_controls
from motcua.dossiers.deadlines import limit_from
from motcua.organizations.models import Unit
from motcua.worktime.rules import Limit, LimitUnit

from .compute import DAY_SECONDS, Period
from .models import DossierFact, PlanStatus, ReengineeringPlan, ReengineeringPlanChange
from .populations import ONLINE_CHANNELS
from .rollup import catch_up

THRESHOLD = 500  # "more than 500 dossiers a year" (DOMAIN.md §10): 500 is not on the list
WINDOW_DAYS = 365
CALENDAR_DAYS_PER = {
    LimitUnit.WORKING_DAY: Decimal(7) / 5,
    LimitUnit.CALENDAR_DAY: Decimal(1),
    LimitUnit.WORKING_HOUR: Decimal(7) / 5 / 8,
    LimitUnit.SAME_DAY: Decimal(1),
}


@dataclass
class Row:
    procedure: Procedure
    unit: Unit | None  # None: the whole city
    dossiers: int
    online: int
    resolved: int
    resolution_seconds: int
    limit: Limit | None
    plan: ReengineeringPlan | None = None

    @property
    def online_share(self) -> float | None:
        return round(100 * self.online / self.dossiers, 2) if self.dossiers else None

    @property
    def average_days(self) -> float | None:
        if not self.resolved:
            return None
        return round(self.resolution_seconds / DAY_SECONDS / self.resolved, 2)

    @property
    def limit_days(self) -> float | None:
        if self.limit is None:
            return None
        quantity = Decimal(str(self.limit.quantity or 1))
        return round(float(quantity * CALENDAR_DAYS_PER[self.limit.unit]), 2)

    @property
    def over_limit(self) -> bool | None:
        average, limit = self.average_days, self.limit_days
        return None if average is None or limit is None else average > limit

    def as_json(self) -> dict[str, Any]:
        limit = self.limit
        return {
            "procedure": self.procedure.code, "procedure_name": self.procedure.name,
            "unit": self.unit.code if self.unit else None, "dossiers": self.dossiers,
            "online_share": self.online_share, "average_days": self.average_days,
            "legal_limit": None if limit is None else {"quantity": limit.quantity, "unit": str(limit.unit)},
            "legal_limit_days": self.limit_days, "over_limit": self.over_limit,
            "plan": None if self.plan is None else {
                "status": self.plan.status, "decision_number": self.plan.decision_number,
                "decision_date": self.plan.decision_date.isoformat() if self.plan.decision_date else None,
            },
        }  # fmt: skip


def procedure_limit(procedure: Procedure) -> Limit | None:
    limits = [
        limit for case in procedure.cases.all()
        if (limit := limit_from(case.time_quantity, case.time_unit)) is not None
    ]  # fmt: skip
    if limits:
        return min(limits, key=lambda x: float(x.quantity) * float(CALENDAR_DAYS_PER[x.unit]))
    return limit_from(procedure.time_quantity, procedure.time_unit)


def window(today: datetime.date) -> tuple[int, int]:
    """The last 12 months as epoch seconds: the 365 days up to and including ``today``."""
    return Period(today - datetime.timedelta(days=WINDOW_DAYS - 1), today).bounds()


def busy_rows(
    *, today: datetime.date | None = None, unit_ids: set[int] | None = None, fresh: bool = True
) -> dict[str, list[Row]]:
    """``city``: the procedures over the threshold in the whole city (or in ``unit_ids``), and
    ``units``: per deciding unit; busiest first."""
    if fresh:
        catch_up()
    start, until = window(today or clock_today())
    facts = DossierFact.objects.filter(received__gte=start, received__lt=until)
    if unit_ids is not None:
        facts = facts.filter(deciding_unit_id__in=sorted(unit_ids))
    city = aggregate(facts, ("procedure_id",))
    units = aggregate(facts, ("procedure_id", "deciding_unit_id"))
    return rows_built(city, units)


def aggregate(facts: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    resolved = Q(end_kind="resolved")
    return list(
        facts.values(*keys)
        .annotate(
            n=Count("pk"), online=Count("pk", filter=Q(channel__in=ONLINE_CHANNELS)),
            resolved=Count("pk", filter=resolved),
            seconds=Sum(F("end") - F("received") - F("citizen"), filter=resolved),
        )
        .filter(n__gt=THRESHOLD)
        .order_by("-n", *keys)
    )  # fmt: skip


def rows_built(city: list[dict[str, Any]], units: list[dict[str, Any]]) -> dict[str, list[Row]]:
    procedure_ids = {r["procedure_id"] for r in [*city, *units]}
    procedures = Procedure.objects.in_bulk(procedure_ids)
    unit_map = Unit.objects.in_bulk({r["deciding_unit_id"] for r in units})
    plans = {
        (p.procedure_id, p.unit_id): p
        for p in ReengineeringPlan.objects.filter(procedure_id__in=procedure_ids)
    }
    limits = {pk: procedure_limit(p) for pk, p in procedures.items()}

    def row(found: dict[str, Any], unit: Unit | None) -> Row:
        pk = found["procedure_id"]
        return Row(
            procedures[pk], unit, found["n"], found["online"], found["resolved"],
            int(found["seconds"] or 0), limits[pk], plans.get((pk, unit.pk if unit else None)),
        )  # fmt: skip

    return {
        "city": [row(r, None) for r in city],
        "units": [row(r, unit_map[r["deciding_unit_id"]]) for r in units],
    }


def plan_set(
    *, procedure: Procedure, unit: Unit | None, status: str, actor: User | None,
    decision_number: str = "", decision_date: datetime.date | None = None, note: str = "",
    at: datetime.datetime | None = None,
) -> ReengineeringPlan:  # fmt: skip
    """Record where a procedure's re-engineering stands (atomic, with its change row)."""
    if status not in PlanStatus.values:
        raise DomainError(_("Tình trạng không hợp lệ: %(status)s") % {"status": status})
    number, note = without_controls(decision_number).strip(), without_controls(note).strip()
    when = at or clock_now()
    plan_fields_check(number, note, decision_date, clock_today())
    if status in (PlanStatus.APPROVED, PlanStatus.DONE) and not number:
        raise DomainError(_("Cần ghi số quyết định phê duyệt phương án."))
    with transaction.atomic():
        plan = (
            ReengineeringPlan.objects.select_for_update()
            .filter(procedure=procedure, unit=unit)
            .first()
        )
        before = plan.status if plan is not None else ""
        if plan is None:
            plan = ReengineeringPlan(procedure=procedure, unit=unit)
        plan.status, plan.decision_number, plan.decision_date = status, number, decision_date
        plan.note, plan.updated_at, plan.updated_by = note, when, actor
        plan.save()
        ReengineeringPlanChange.objects.create(
            plan=plan, at=when, actor=actor, actor_name=actor.username if actor else "system",
            from_status=before, to_status=status, decision_number=number,
            decision_date=decision_date, note=note,
        )  # fmt: skip
    return plan


NUMBER_MAX = 80  # ReengineeringPlan.decision_number
NOTE_MAX = 2000
FIRST_DECISION = datetime.date(1990, 1, 1)


def plan_fields_check(
    number: str, note: str, decided: datetime.date | None, today: datetime.date
) -> None:
    """Refuse what a plan cannot hold, in words the supervisor can act on (never a 500)."""
    if len(number) > NUMBER_MAX:
        raise DomainError(_("Số quyết định dài tối đa %(max)s ký tự.") % {"max": NUMBER_MAX})
    if len(note) > NOTE_MAX:
        raise DomainError(_("Ghi chú dài tối đa %(max)s ký tự.") % {"max": NOTE_MAX})
    if decided is not None and not FIRST_DECISION <= decided <= today:
        raise DomainError(_("Ngày quyết định phải từ 01/01/1990 đến hôm nay."))
