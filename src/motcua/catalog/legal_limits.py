"""Legal time limits entered by officers for procedures whose national record gives none.

About 2,800 procedures of the Hà Nội set come without a detailed record, so without a time limit.
A receipt must carry an appointment date (Decree 61/2018 art. 17; TT 01/2018 Mẫu 01): rather than
issue one with a blank date, reception asks the officer for the legal limit and its legal basis.
What they enter is kept (who, when, on what basis), reused for the next dossier of the procedure
at that unit, or at every unit when entered for the whole city, and a later entry supersedes an
earlier one without erasing it (decision 0024).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.common.errors import DomainError
from motcua.common.memo import memoized
from motcua.organizations.models import Unit

from .constants import ProcessSource, ProcessStatus, TimeUnit
from .models import LegalLimit, Procedure, ProcessDefinition, ProcessStep
from .revision import catalog_changed

ENTERABLE_UNITS = (
    TimeUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY,
)
MAX_QUANTITY = Decimal(3650)
BASIS_MIN = 6  # "Điều 5" is not a basis; "NĐ 61/2018" is


@dataclass(frozen=True)
class LimitInput:
    """What the officer typed: quantity, unit, legal basis, and whether it holds city-wide."""

    quantity: str
    unit: str
    legal_basis: str
    city_wide: bool = False


class LegalLimitInvalid(DomainError):
    pass


def procedure_has_record_limit(procedure: Procedure) -> bool:
    """Whether the national record gives a usable limit (a case's, else the channels')."""
    if procedure.time_unit != TimeUnit.UNKNOWN:
        return True
    return any(case.time_unit != TimeUnit.UNKNOWN for case in procedure.cases.all())


@memoized
def legal_limit_current(procedure_id: int, unit_ids: tuple[int, ...]) -> LegalLimit | None:
    """The limit in force for the procedure at the first of ``unit_ids`` that has one, else the
    city-wide one. One query; asked only when the record itself gives no limit."""
    rows = list(
        LegalLimit.objects.filter(procedure_id=procedure_id, superseded_at__isnull=True)
        .filter(Q(unit_id__in=unit_ids) | Q(unit__isnull=True))
        .order_by("-entered_at")
    )
    for unit_id in unit_ids:
        own = next((row for row in rows if row.unit_id == unit_id), None)
        if own is not None:
            return own
    return next((row for row in rows if row.unit_id is None), None)


def limit_input_clean(given: LimitInput) -> tuple[Decimal | None, str, str]:
    """(quantity, unit, basis) or a clear error in Vietnamese (English through i18n)."""
    if given.unit not in ENTERABLE_UNITS:
        raise LegalLimitInvalid(
            _("Chọn đơn vị của thời hạn (ngày làm việc, ngày, giờ làm việc, trong ngày).")
        )
    basis = " ".join(given.legal_basis.split())[:500]
    if len(basis) < BASIS_MIN:
        raise LegalLimitInvalid(
            _("Ghi căn cứ pháp lý của thời hạn (số hiệu văn bản và điều, khoản), ví dụ: "
              "Nghị định 23/2015/NĐ-CP, Điều 33.")
        )  # fmt: skip
    if given.unit == TimeUnit.SAME_DAY:
        return None, given.unit, basis
    try:
        quantity = Decimal(given.quantity.strip().replace(",", "."))
    except InvalidOperation:
        quantity = Decimal(0)
    if not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
        raise LegalLimitInvalid(_("Thời hạn phải là một số lớn hơn 0 (ví dụ 3 hoặc 1,5)."))
    if quantity * 4 % 1:
        raise LegalLimitInvalid(_("Thời hạn tính theo phần tư (ví dụ 0,5 hoặc 2,25)."))
    return quantity, given.unit, basis


def legal_limit_record(
    *, procedure: Procedure, unit: Unit, given: LimitInput, actor: User | None,
    at: datetime.datetime,
) -> LegalLimit:  # fmt: skip
    """Store the limit the officer entered (for ``unit``, or city-wide), superseding the one it
    replaces; give the procedure a default process built on it if it had none usable."""
    quantity, time_unit, basis = limit_input_clean(given)
    scope = None if given.city_wide else unit
    with transaction.atomic():
        LegalLimit.objects.filter(
            procedure=procedure, unit=scope, superseded_at__isnull=True
        ).update(superseded_at=at)
        row = LegalLimit.objects.create(
            procedure=procedure, unit=scope, time_quantity=quantity, time_unit=time_unit,
            legal_basis=basis, entered_by=actor, entered_at=at,
        )  # fmt: skip
        # City-wide: the template every unit follows; for one unit: that unit's own process
        # (a unit's dossier of a procedure with no usable process would have no steps at all).
        process_from_legal_limit(procedure, row, unit=scope)
        catalog_changed()  # the procedure's page and the counter show the limit now
    return row


LEGAL_PREFIX = "Thời hạn theo "


def replaceable(definition: ProcessDefinition) -> bool:
    """A template waiting for configuration, or one fitted to an earlier legal limit; never an
    approved process (``HAND_WRITTEN``) nor one the record's own limit gave."""
    if definition.source != ProcessSource.TEMPLATE:
        return False
    waiting = definition.status == ProcessStatus.NEEDS_CONFIGURATION
    return waiting or definition.approved_by.startswith(LEGAL_PREFIX)


def process_from_legal_limit(
    procedure: Procedure, limit: LegalLimit, unit: Unit | None = None
) -> ProcessDefinition | None:
    """A new version of the procedure's template process (``unit``'s own process when given),
    its budgets fitted to ``limit``, when the current one waits for configuration or was fitted
    to an earlier limit (an approved process is never replaced, nor a usable template by a
    unit's own)."""
    from .processes import hours_of, plan_for_hours

    versions = ProcessDefinition.objects.filter(procedure=procedure).order_by("-version")
    template = versions.filter(unit__isnull=True).first()
    latest = template if unit is None else versions.filter(unit=unit).first()
    if latest is not None and not replaceable(latest):
        return None
    if unit is not None and latest is None and template is not None and not replaceable(template):
        return None  # the unit follows a usable template; its own limit changes the deadline
    hours = hours_of(limit.time_quantity, limit.time_unit)
    steps, problem = plan_for_hours(procedure, hours)
    if not steps:
        return None
    newest = versions.first()
    definition = ProcessDefinition.objects.create(
        procedure=procedure, unit=unit, version=(newest.version + 1) if newest else 1,
        valid_from=limit.entered_at.date(), status=ProcessStatus.ACTIVE,
        source=ProcessSource.TEMPLATE, problem=problem,
        approved_by=f"{LEGAL_PREFIX}{limit.legal_basis}"[:255],
    )  # fmt: skip
    for item in steps:
        item.definition = definition
    ProcessStep.objects.bulk_create(steps)
    if latest is not None:
        ProcessDefinition.objects.filter(pk=latest.pk).update(status=ProcessStatus.RETIRED)
    return definition
