"""Internal processes (quy trình nội bộ): default templates, validation against the legal limit.

TT 01/2018/TT-VPCP art. 8: every procedure needs an internal process with a time budget per step,
approved by the provincial Chairman (in Hà Nội delegated to the Service Center director, QĐ
1716/QĐ-UBND 2025). Until a unit's approved process is entered, a template by procedure kind gives
every procedure a process whose budgets fit its statutory limit, or says why it cannot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from motcua.accounts.constants import OfficerRoleName as Role

from .constants import (
    CommuneBody,
    CompetenceLevel,
    ProcessSource,
    ProcessStatus,
    StepScope,
    TimeUnit,
)
from .models import Procedure, ProcessDefinition, ProcessStep
from .revision import catalog_changed

HOURS_PER_DAY = Decimal(8)
NO_LIMIT = "the national record gives no usable time limit"
NO_UNIT = "competent unit in Hà Nội not determined from the national record"
QUARTER = Decimal("0.25")
# "Trong ngày" with the 15:00 cut-off leaves at least the two office hours until 17:00.
SAME_DAY_HOURS = Decimal(2)
TEMPLATE_START = datetime.date(2025, 7, 1)


@dataclass(frozen=True)
class StepTemplate:
    name: str
    role: str
    scope: str
    share: Decimal  # of the total budget; the specialist step takes what the others leave


@dataclass(frozen=True)
class Budget:
    hours: Decimal | None
    source: str  # which limit it came from, or why there is none


def step(name: str, role: str, scope: str, share: str) -> StepTemplate:
    return StepTemplate(name, role, scope, Decimal(share))


# The seeded steps' names are stored in Vietnamese and told in English where a page or a
# refusal names them (``gettext`` of the stored name).
RECEIVE = step(
    gettext_noop("Tiếp nhận, kiểm tra hồ sơ"), Role.RECEPTION, StepScope.RECEIVING, "0.10"
)
APPRAISE = step(gettext_noop("Thẩm định hồ sơ"), Role.SPECIALIST, StepScope.DECIDING, "0")
REVIEW = step(
    gettext_noop("Lãnh đạo phòng xem xét"), Role.DIVISION_HEAD, StepScope.DECIDING, "0.15"
)
SIGN = step(gettext_noop("Lãnh đạo ký, phê duyệt kết quả"), Role.LEADER, StepScope.DECIDING, "0.15")
RETURN = step(gettext_noop("Trả kết quả"), Role.RECEPTION, StepScope.RECEIVING, "0.05")

TEMPLATES: dict[str, list[StepTemplate]] = {
    CompetenceLevel.COMMUNE: [RECEIVE, APPRAISE, SIGN, RETURN],
    CompetenceLevel.DEPARTMENT: [RECEIVE, APPRAISE, REVIEW, SIGN, RETURN],
    CompetenceLevel.CITY: [RECEIVE, APPRAISE, REVIEW, SIGN, RETURN],
    CompetenceLevel.CENTRAL_LOCAL: [RECEIVE, APPRAISE, REVIEW, SIGN, RETURN],
}


def hours_of(quantity: Decimal | None, unit: str) -> Decimal | None:
    if unit == TimeUnit.SAME_DAY:
        return SAME_DAY_HOURS
    if quantity is None or quantity <= 0:
        return None
    if unit == TimeUnit.WORKING_DAY:
        return quantity * HOURS_PER_DAY
    if unit == TimeUnit.WORKING_HOUR:
        return quantity
    if unit == TimeUnit.CALENDAR_DAY:
        # At least five working days in every seven calendar days, whatever the holidays.
        return max(Decimal(1), (quantity * 5 / 7).to_integral_value(ROUND_FLOOR)) * HOURS_PER_DAY
    return None


def statutory_budget(procedure: Procedure) -> Budget:
    """The shortest time limit among the procedure's cases (else its channels, else the limit
    read from the record's text, else the city-wide legal limit an officer entered), in working
    hours."""
    limits = [hours_of(c.time_quantity, c.time_unit) for c in procedure.cases.all()]
    source = "cases"
    if not any(limits):
        limits = [hours_of(c.time_quantity, c.time_unit) for c in procedure.channels.all()]
        source = "channels"
    if not any(limits):
        limits = [hours_of(procedure.time_quantity, procedure.time_unit)]
        source = "record text"
    if not any(limits):
        limits = [
            hours_of(row.time_quantity, row.time_unit)
            for row in procedure.legal_limits.all()
            if row.unit_id is None and row.superseded_at is None
        ]
        source = "legal limit entered at reception"
    known = [limit for limit in limits if limit]
    if not known:
        return Budget(None, NO_LIMIT)
    return Budget(min(known), source)


def allocate(templates: list[StepTemplate], total: Decimal) -> list[Decimal]:
    """Budgets per step in quarter hours, never more than ``total`` together."""
    budgets = [
        max(QUARTER, (total * t.share / QUARTER).to_integral_value(ROUND_FLOOR) * QUARTER)
        for t in templates
    ]
    flexible = next(i for i, t in enumerate(templates) if t.share == 0)
    budgets[flexible] = total - (sum(budgets) - budgets[flexible])
    return budgets


def template_for(procedure: Procedure) -> list[StepTemplate] | None:
    if procedure.level == CompetenceLevel.COMMUNE and procedure.commune_body == CommuneBody.POLICE:
        return TEMPLATES[CompetenceLevel.COMMUNE]
    return TEMPLATES.get(procedure.level)


def problems_of(definition_steps: list[tuple[Decimal, str]], limit: Decimal | None) -> list[str]:
    """Why a process is not usable: no steps, a step without time, or budgets beyond the limit."""
    problems = []
    if not definition_steps:
        problems.append("the process has no steps")
    total = Decimal(0)
    for quantity, unit in definition_steps:
        hours = hours_of(quantity, unit)
        if hours is None or hours <= 0:
            problems.append("a step has no time budget")
        else:
            total += hours
    if limit is None:
        problems.append("the statutory time limit is unknown, budgets cannot be checked")
    elif total > limit:
        problems.append(f"steps need {total} working hours, the legal limit is {limit}")
    return problems


def process_validate(definition: ProcessDefinition) -> list[str]:
    steps = [(s.budget_quantity, s.budget_unit) for s in definition.steps.all()]
    return problems_of(steps, statutory_budget(definition.procedure).hours)


def budget_fields(hours: Decimal) -> tuple[Decimal, str]:
    if hours >= HOURS_PER_DAY and hours % HOURS_PER_DAY == 0:
        return hours / HOURS_PER_DAY, TimeUnit.WORKING_DAY
    return hours, TimeUnit.WORKING_HOUR


def default_process_plan(procedure: Procedure) -> tuple[list[ProcessStep], str]:
    """Template steps for a procedure, or none and the reason it needs configuration."""
    budget = statutory_budget(procedure)
    if template_for(procedure) is not None and budget.hours is None:
        return [], budget.source
    return plan_for_hours(procedure, budget.hours)


def plan_for_hours(procedure: Procedure, hours: Decimal | None) -> tuple[list[ProcessStep], str]:
    """Template steps sharing ``hours`` of working time, or none and why."""
    templates = template_for(procedure)
    if templates is None:
        return [], NO_UNIT
    budget = Budget(hours, "")
    if budget.hours is None:
        return [], NO_LIMIT
    if budget.hours < QUARTER * len(templates):
        return (
            [],
            f"time limit of {budget.hours} working hours is too short for {len(templates)} steps",
        )
    steps = []
    for order, (template, share) in enumerate(
        zip(templates, allocate(templates, budget.hours), strict=True), 1
    ):
        quantity, unit = budget_fields(share)
        steps.append(
            ProcessStep(
                order=order,
                name=template.name,
                role=template.role,
                scope=template.scope,
                budget_quantity=quantity,
                budget_unit=unit,
            )
        )
    return steps, ""


def default_processes_ensure() -> tuple[int, int]:
    """Give every procedure of the Hà Nội set without a process a template (idempotent).

    Returns (active, needs_configuration) counts of the processes created.
    """
    missing = (
        Procedure.objects.filter(in_hanoi_set=True, processes__isnull=True)
        .prefetch_related("cases", "channels", "legal_limits")
        .order_by("pk")
    )
    plans = [(procedure, *default_process_plan(procedure)) for procedure in missing]
    definitions = [
        ProcessDefinition(
            procedure=procedure,
            version=1,
            valid_from=TEMPLATE_START,
            status=ProcessStatus.ACTIVE if steps else ProcessStatus.NEEDS_CONFIGURATION,
            source=ProcessSource.TEMPLATE,
            problem=problem,
        )
        for procedure, steps, problem in plans
    ]
    with transaction.atomic():
        ProcessDefinition.objects.bulk_create(definitions, batch_size=500)
        for definition, (_procedure, steps, _problem) in zip(definitions, plans, strict=True):
            for item in steps:
                item.definition = definition
        ProcessStep.objects.bulk_create(
            [s for _p, steps, _m in plans for s in steps], batch_size=500
        )
        if plans:
            catalog_changed()  # bulk writes send no signals
    active = sum(1 for _p, steps, _m in plans if steps)
    return active, len(plans) - active


def default_processes_refresh() -> int:
    """A new template version for every procedure whose latest template still waits for
    configuration but can now have one (a competence rule placed it, the record's text gave a
    limit, a city-wide legal limit was entered). The old version is retired, never deleted:
    dossiers keep the version they began with. Returns how many procedures got a process."""
    waiting = list(
        ProcessDefinition.objects.filter(
            unit__isnull=True, status=ProcessStatus.NEEDS_CONFIGURATION,
            source=ProcessSource.TEMPLATE, procedure__in_hanoi_set=True,
        ).select_related("procedure")
    )  # fmt: skip
    latest: dict[int, int] = {}
    for procedure_id, version in ProcessDefinition.objects.filter(
        unit__isnull=True, procedure_id__in=[d.procedure_id for d in waiting]
    ).values_list("procedure_id", "version"):
        latest[procedure_id] = max(version, latest.get(procedure_id, 0))
    procedures = Procedure.objects.prefetch_related("cases", "channels", "legal_limits").in_bulk(
        [d.procedure_id for d in waiting if d.version == latest[d.procedure_id]]
    )
    made = 0
    with transaction.atomic():
        for old in waiting:
            procedure = procedures.get(old.procedure_id)
            if procedure is None:
                continue
            steps, problem = default_process_plan(procedure)
            if not steps:
                if problem != old.problem:
                    ProcessDefinition.objects.filter(pk=old.pk).update(problem=problem)
                continue
            definition = ProcessDefinition.objects.create(
                procedure=procedure, version=old.version + 1, valid_from=TEMPLATE_START,
                status=ProcessStatus.ACTIVE, source=ProcessSource.TEMPLATE,
            )  # fmt: skip
            for item in steps:
                item.definition = definition
            ProcessStep.objects.bulk_create(steps)
            ProcessDefinition.objects.filter(pk=old.pk).update(status=ProcessStatus.RETIRED)
            made += 1
        if waiting:
            catalog_changed()
    return made
