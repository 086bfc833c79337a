"""The internal process engine: where a dossier stands, who holds it, where it may go next.

A dossier moves only through the steps of the process version it was received under (TT 01/2018
art. 8: the approved quy trình nội bộ). Steps of scope "receiving" are done by the one-stop unit
that received the dossier, steps of scope "deciding" by the unit that currently decides it. Each
step names the role that performs it; the role maps to the capability an officer needs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from motcua.accounts.constants import Capability
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.constants import StepScope
from motcua.catalog.models import ProcessStep

from . import deadlines
from .models import Dossier

# Who may perform a step: the capability its role carries (leaders may stand in for a division
# head, since both hold REVIEW_DOSSIER).
STEP_CAPABILITY: dict[str, str] = {
    Role.RECEPTION: Capability.RECEIVE_DOSSIER,
    Role.SPECIALIST: Capability.PROCESS_DOSSIER,
    Role.DIVISION_HEAD: Capability.REVIEW_DOSSIER,
    Role.LEADER: Capability.APPROVE_DOSSIER,
}
SIGNING_ROLE = Role.LEADER

_STEPS: dict[int, list[ProcessStep]] = {}
# The same steps by their order, filled with ``_STEPS``: a worklist row asks for its current
# step a dozen times (the actions offered and their rules).
_BY_ORDER: dict[int, dict[int, ProcessStep]] = {}


def steps_of(dossier: Dossier) -> list[ProcessStep]:
    """The steps of the dossier's process version; versions never change, so they are cached."""
    if dossier.process_id is None:
        return []
    steps = _STEPS.get(dossier.process_id)
    if steps is None:
        steps = list(
            ProcessStep.objects.filter(definition_id=dossier.process_id)
            .order_by("order")
            .only(
                "id", "definition_id", "order", "name", "role", "scope", "budget_quantity",
                "budget_unit",
            )
        )  # fmt: skip
        _STEPS[dossier.process_id] = steps
        # Orders are unique within a process version (``process_step_order_unique``).
        _BY_ORDER[dossier.process_id] = {step.order: step for step in steps}
    return steps


def steps_cache_clear() -> None:
    _STEPS.clear()
    _BY_ORDER.clear()


def step_at(dossier: Dossier, order: int | None) -> ProcessStep | None:
    if order is None or dossier.process_id is None:
        return None
    steps_of(dossier)  # read with its steps' orders the first time
    return _BY_ORDER[dossier.process_id].get(order)


def current(dossier: Dossier) -> ProcessStep | None:
    return step_at(dossier, dossier.current_step)


def unit_id_of(dossier: Dossier, step: ProcessStep | None) -> int:
    """The unit that performs ``step``: the receiving one-stop or the deciding unit."""
    if step is not None and step.scope == StepScope.RECEIVING:
        return dossier.receiving_unit_id
    return dossier.deciding_unit_id


def capability_of(step: ProcessStep | None) -> str:
    if step is None:
        return Capability.PROCESS_DOSSIER
    return STEP_CAPABILITY.get(step.role, Capability.PROCESS_DOSSIER)


def is_signing(step: ProcessStep | None) -> bool:
    return step is not None and step.role == SIGNING_ROLE


def first_deciding(dossier: Dossier) -> int | None:
    return next((s.order for s in steps_of(dossier) if s.scope == StepScope.DECIDING), None)


def following(dossier: Dossier) -> ProcessStep | None:
    """The step after the current one, if any."""
    steps = steps_of(dossier)
    orders = [s.order for s in steps]
    if dossier.current_step not in orders:
        return None
    index = orders.index(dossier.current_step) + 1
    return steps[index] if index < len(steps) else None


def preceding_deciding(dossier: Dossier) -> ProcessStep | None:
    """The deciding step before the current one (a dossier is never sent back to the counter)."""
    earlier = [
        s
        for s in steps_of(dossier)
        if dossier.current_step is not None
        and s.order < dossier.current_step
        and s.scope == StepScope.DECIDING
    ]
    return earlier[-1] if earlier else None


def signing_step(dossier: Dossier) -> ProcessStep | None:
    return next((s for s in steps_of(dossier) if is_signing(s)), None)


def after_decision(dossier: Dossier) -> ProcessStep | None:
    """Where a signed decision goes: the step after the signing one (result issue or return)."""
    signing = signing_step(dossier) or current(dossier)
    if signing is None:
        return None
    later = [s for s in steps_of(dossier) if s.order > signing.order]
    return later[0] if later else None


def return_step(dossier: Dossier) -> ProcessStep | None:
    """The last step when it is the one-stop's hand-over of the result."""
    steps = steps_of(dossier)
    if steps and steps[-1].scope == StepScope.RECEIVING and steps[-1].order != steps[0].order:
        return steps[-1]
    return None


def due_of(
    dossier: Dossier, step: ProcessStep | None, at: datetime.datetime
) -> datetime.datetime | None:
    return deadlines.step_due(dossier, step, at) if step is not None else None


@dataclass(frozen=True)
class Holder:
    """Who holds the dossier now and until when (UX.md: always show it)."""

    unit_id: int
    step: str
    role: str
    assignee: str
    until: datetime.datetime | None


def holder(dossier: Dossier) -> Holder | None:
    """The current step's unit and role, the assignee if any, the step's due time; a transfer
    waiting for another unit is held by that unit. None once the dossier has left its process."""
    if dossier.pending_unit_id is not None:
        return Holder(dossier.pending_unit_id, "", Role.RECEPTION, "", None)
    here = current(dossier)
    if here is None:
        return None
    person = dossier.assignee if here.role == Role.SPECIALIST else None
    name = (person.get_full_name() or person.username) if person is not None else ""
    return Holder(unit_id_of(dossier, here), here.name, here.role, name, dossier.step_due_at)
