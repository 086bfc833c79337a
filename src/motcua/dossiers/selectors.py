"""Reads of dossiers for officers: worklists with counts, one dossier with its history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.catalog.models import ProcessStep
from motcua.common.text import fold_words
from motcua.worktime.engine import VIETNAM_OFFSET

from .constants import FINAL, Decision, Status
from .models import Consultation, Dossier

TABS = [
    ("to_receive", _("Chờ tiếp nhận")),
    ("mine", _("Của tôi")),
    ("consultations", _("Cần cho ý kiến")),
    ("due_today", _("Đến hạn hôm nay")),
    ("due_soon", _("Sắp đến hạn")),
    ("overdue", _("Quá hạn")),
    ("waiting", _("Chờ công dân")),
    ("all", _("Tất cả")),
]
DUE_SOON_DAYS = 2


@dataclass(frozen=True)
class Worklist:
    tab: str
    counts: dict[str, int]
    dossiers: list[Dossier]


def party_filter(units: Iterable[int]) -> Q:
    """Dossiers a unit takes part in: received, decided, sent to it, sent from it, or asked
    about (a consultation). Other units do not see them at all."""
    ids = list(units)
    # A plain IN (not a correlated EXISTS): it also works inside the counts' FILTER clauses.
    consulted = Consultation.objects.filter(unit_id__in=ids).order_by().values("dossier_id")
    return (
        Q(receiving_unit_id__in=ids)
        | Q(deciding_unit_id__in=ids)
        | Q(pending_unit_id__in=ids)
        | Q(previous_unit_id__in=ids)
        | Q(pk__in=consulted)
    )


def visible_dossiers(user: User) -> QuerySet[Dossier]:
    """Dossiers in which a unit the officer may see takes part."""
    return Dossier.objects.filter(party_filter(permissions.visible_unit_ids(user)))


def with_step_role(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    role = ProcessStep.objects.filter(
        definition_id=OuterRef("process_id"), order=OuterRef("current_step")
    )
    return dossiers.annotate(step_role=Subquery(role.values("role")[:1]))


def in_units(field: str, ids: Iterable[int]) -> Q:
    """``field IN ids``; an empty list is "nothing" without making the whole count query empty
    (Django drops a query whose condition is an empty IN, counts of the other tabs included)."""
    ids = list(ids)
    return Q(**{f"{field}__in": ids}) if ids else Q(pk__isnull=True)


def mine_filter(user: User) -> Q:
    """Assigned to me, standing at a step of a role I hold in the deciding unit, approved and
    waiting for its result to be prepared (processing officers), or ready to hand over."""
    condition = Q(assignee=user)
    for role in permissions.active_roles(user):
        if role.role in permissions.SUBTREE_ROLES:
            continue  # supervisors and administrators do not process dossiers
        condition |= Q(step_role=role.role, deciding_unit_id=role.unit_id, assignee__isnull=True)
    condition |= (
        Q(status=Status.PROCESSING, decision=Decision.APPROVED)
        & (Q(assignee=user) | Q(assignee__isnull=True))
        & in_units("deciding_unit_id", permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER))
    )
    return condition & ~Q(status__in=FINAL) & ~Q(status=Status.PROCESSED) | (
        Q(status=Status.PROCESSED)
        & in_units("receiving_unit_id", permissions.unit_ids_with(user, Capability.RETURN_RESULT))
    )


def consulted_filter(user: User) -> Q:
    """Open consultations asked of my units. Without such units: "nothing" as ``in_units``
    says it (an empty IN inside the subquery would empty the counts of every tab)."""
    units = list(permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER))
    if not units:
        return Q(pk__isnull=True)
    asked = Consultation.objects.filter(answered_at__isnull=True, unit_id__in=units)
    return Q(pk__in=asked.order_by().values("dossier_id"))


def tab_filters(user: User, at: datetime.datetime) -> dict[str, Q]:
    receivers = permissions.unit_ids_with(
        user, Capability.RECEIVE_DOSSIER
    ) | permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER)
    local = at.astimezone(VIETNAM_OFFSET)
    end_of_day = local.replace(hour=23, minute=59, second=59)
    open_ = ~Q(status__in=FINAL) & Q(finished_at__isnull=True)
    return {
        "to_receive": Q(status=Status.NEW)
        & in_units("receiving_unit_id", permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER))
        | in_units("pending_unit_id", receivers),
        "consultations": consulted_filter(user),
        "mine": mine_filter(user),
        "due_today": open_ & Q(due_at__gte=at, due_at__lte=end_of_day),
        "due_soon": open_
        & Q(due_at__gt=end_of_day, due_at__lte=end_of_day + datetime.timedelta(days=DUE_SOON_DAYS)),
        "overdue": open_ & Q(due_at__lt=at),
        "waiting": Q(status__in=[Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT]),
        "all": Q(),
    }


def search_filter(query: str) -> Q:
    text = query.strip()
    if not text:
        return Q()
    digits = text.replace(" ", "")
    return (
        Q(code__icontains=text)
        | Q(ref__iexact=text)
        | Q(applicant_id_number=digits)
        | Q(applicant_name__icontains=text)
        | Q(applicant_name_folded__contains=fold_words(text))
    )


def dossier_worklist(
    *, user: User, tab: str, query: str, at: datetime.datetime, limit: int = 50
) -> Worklist:
    """Counts for every tab (one query) and the dossiers of the chosen tab, overdue first."""
    filters = tab_filters(user, at)
    base = with_step_role(visible_dossiers(user)).filter(search_filter(query))
    counts = base.aggregate(**{name: _count(condition) for name, condition in filters.items()})
    if tab not in filters:  # no choice made: my work, else what waits at my counter
        tab = "to_receive" if not counts["mine"] and counts["to_receive"] else "mine"
    rows = (
        base.filter(filters[tab])
        .select_related("procedure", "receiving_unit", "deciding_unit", "assignee")
        .defer("procedure__eform_schema", "procedure__steps_text", "procedure__legal_basis", "procedure__search_text",
               "receiving_unit__attributes", "deciding_unit__attributes")
        .order_by("due_at", "-submitted_at")[:limit]
    )  # fmt: skip
    return Worklist(tab, {name: value or 0 for name, value in counts.items()}, list(rows))


def _count(condition: Q) -> object:
    from django.db.models import Count

    return Count("pk", filter=condition)


def dossier_for_officer(user: User, ref: str) -> Dossier | None:
    return (
        with_step_role(visible_dossiers(user))
        .select_related(
            "procedure",
            "case",
            "receiving_unit",
            "deciding_unit",
            "assignee",
            "process",
            "pending_unit",
        )
        .prefetch_related("events__actor", "pauses", "consultations__unit", "issued_documents")
        .filter(Q(ref=ref) | Q(code=ref))
        .first()
    )
