"""A bundle's deadlines: the whole bundle's from its reception, each member's from the moment its
agency gets the e-dossier, with the after-15:00 rule (Decree 63/2024 art. 7(2); Decision
296/QĐ-VPCP), on the working calendar of the unit concerned."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from motcua.dossiers.deadlines import LimitOverride
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from motcua.worktime.rules import Limit, LimitUnit, deadline_for
from motcua.worktime.services import calendar_in_force

from .definitions import LimitSpec
from .models import BundleMember


def limit_stored(spec: LimitSpec, *, after_cutoff_next_working_day: bool) -> dict[str, Any]:
    """How a limit is kept on a bundle or a member: the spec and the cut-off rule with it."""
    return {**spec.model_dump(), "after_cutoff_next_working_day": after_cutoff_next_working_day}


def limit_of(stored: dict[str, Any]) -> Limit:
    return Limit(float(stored["quantity"]), LimitUnit(stored["unit"]))


def due_from(stored: dict[str, Any], *, start: datetime.datetime, unit: Unit) -> datetime.datetime:
    """``start`` plus the stored limit on ``unit``'s calendar; received after the cut-off, a
    limit in days counts from the next working day when the definition says so."""
    calendar, rules = calendar_in_force(unit=unit, on=start.astimezone(VIETNAM_OFFSET).date())
    rules = dataclasses.replace(
        rules, cutoff_moves_day_limits=bool(stored.get("after_cutoff_next_working_day"))
    )
    return deadline_for(calendar, start, limit_of(stored), rules=rules).due


def member_limit_source(dossier: Dossier) -> LimitOverride | None:
    """The limit of a member dossier is its bundle's (registered with the dossier kernel's
    deadlines). Dossiers the bundle kernel did not make are answered without a query."""
    form = dossier.eform_data if isinstance(dossier.eform_data, dict) else {}
    if not isinstance(form.get("bundle"), dict) or dossier.pk is None:
        return None
    stored = BundleMember.objects.filter(dossier_id=dossier.pk).values_list("limit", flat=True)
    found = stored.first()
    if not found:
        return None
    return LimitOverride(
        limit_of(found), bool(found.get("after_cutoff_next_working_day")),
    )  # fmt: skip
