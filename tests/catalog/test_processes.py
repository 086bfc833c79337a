"""Every procedure of the Hà Nội set has a process that fits its legal limit, or says why not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.constants import ProcessStatus
from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.catalog.processes import (
    QUARTER,
    TEMPLATES,
    allocate,
    process_validate,
    statutory_budget,
)

pytestmark = pytest.mark.django_db


def test_every_hanoi_procedure_has_a_process() -> None:
    without = Procedure.objects.filter(in_hanoi_set=True, processes__isnull=True)
    assert not without.exists()


def test_active_processes_fit_their_legal_limit() -> None:
    active = (
        ProcessDefinition.objects.filter(status=ProcessStatus.ACTIVE)
        .select_related("procedure")
        .prefetch_related("steps", "procedure__cases", "procedure__channels")
    )
    assert active.count() >= 50
    for definition in active:
        assert process_validate(definition) == [], definition.procedure.code


def test_processes_needing_configuration_say_why() -> None:
    pending = ProcessDefinition.objects.filter(status=ProcessStatus.NEEDS_CONFIGURATION)
    assert pending.exists()
    assert not pending.filter(problem="").exists()


def test_residence_registration_process_fits_seven_working_days() -> None:
    definition = ProcessDefinition.objects.get(procedure__code="1.004222", unit__isnull=True)
    steps = list(definition.steps.all())
    assert [s.role for s in steps] == ["reception", "specialist", "leader", "reception"]
    assert sum(s.budget_hours for s in steps) == statutory_budget(definition.procedure).hours == 56


def test_a_step_over_budget_is_reported() -> None:
    definition = ProcessDefinition.objects.get(procedure__code="1.004222", unit__isnull=True)
    step = definition.steps.get(order=2)
    step.budget_quantity, step.budget_unit = Decimal(10), "working_day"
    step.save()
    assert any("legal limit is 56" in problem for problem in process_validate(definition))


@given(st.sampled_from(sorted(TEMPLATES)), st.integers(min_value=5, max_value=4000))
def test_template_budgets_never_exceed_the_limit(level: str, quarters: int) -> None:
    templates = TEMPLATES[level]
    total = QUARTER * quarters
    if total < QUARTER * len(templates):
        return
    budgets = allocate(templates, total)
    assert sum(budgets) == total
    assert all(b >= QUARTER for b in budgets)
