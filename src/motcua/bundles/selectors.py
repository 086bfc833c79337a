"""Reading bundles: who sees which, and each member as an officer may see it.

The Center (the units of kind service_center where an officer leads or supervises) sees every
bundle whole. Officers of a member's unit or of the receiving unit see the bundle as context —
its members' services, units, states and due dates — and the dossier references of the members
whose dossiers they may read (the dossier kernel's least privilege, decision 0014).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import visible_dossiers
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from .citizen import CITIZEN
from .models import Bundle, BundleMember

READING = (
    Capability.VIEW_UNIT_DOSSIERS,
    Capability.VIEW_RECEIVED_DOSSIERS,
    Capability.VIEW_ASSIGNED_DOSSIERS,
)
CENTER_READING = (Capability.VIEW_UNIT_DOSSIERS, Capability.VIEW_REPORTS)


def reading_unit_ids(user: User) -> set[int]:
    units: set[int] = set()
    for capability in READING:
        units |= permissions.unit_ids_with(user, capability)
    return units


def sees_every_bundle(user: User) -> bool:
    units: set[int] = set()
    for capability in CENTER_READING:
        units |= permissions.unit_ids_with(user, capability)
    return bool(units) and Unit.objects.filter(pk__in=units, kind=UnitKind.SERVICE_CENTER).exists()


def visible_bundles(user: User) -> QuerySet[Bundle]:
    if sees_every_bundle(user):
        return Bundle.objects.all()
    units = sorted(reading_unit_ids(user))
    if not units:
        return Bundle.objects.none()
    member_here = BundleMember.objects.filter(bundle=OuterRef("pk"), unit_id__in=units)
    return Bundle.objects.filter(Q(receiving_unit_id__in=units) | Exists(member_here))


def with_members(rows: QuerySet[Bundle]) -> QuerySet[Bundle]:
    members = BundleMember.objects.select_related("procedure", "unit", "dossier").only(
        "bundle_id", "order", "service", "state", "due_at", "procedure__code", "unit__code",
        "dossier__ref", "dossier__status",
    ).order_by("order")  # fmt: skip
    return rows.prefetch_related(Prefetch("members", queryset=members))


def bundle_for_officer(user: User, ref: str) -> Bundle | None:
    """The bundle (by reference or code) if the officer may see it."""
    rows = visible_bundles(user).filter(Q(ref=ref) | Q(code=ref))
    return with_members(rows).first()


def bundle_list(
    user: User, *, kind: str = "", status: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[Bundle], int]:
    """A page of the bundles the officer sees, newest first, and how many there are."""
    rows = visible_bundles(user)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    total = rows.count()
    page = list(with_members(rows.order_by("-submitted_at", "-pk"))[offset : offset + limit])
    return page, total


def readable_dossier_ids(user: User, bundles: Iterable[Bundle]) -> set[int]:
    """Among these bundles' member dossiers, those the officer may read (one query)."""
    ids = [m.dossier_id for b in bundles for m in b.members.all() if m.dossier_id is not None]
    if not ids:
        return set()
    return set(visible_dossiers(user).filter(pk__in=ids).values_list("pk", flat=True))


def bundle_for_citizen(user: User, ref: str) -> Bundle | None:
    """The bundle (by reference or code) the account submitted, or one of whose member dossiers
    it proved it applied for (a counter bundle claimed with the SMS code)."""
    mine = Dossier.objects.filter(CITIZEN.dossiers_of(user)).values("pk")
    return (
        Bundle.objects.filter(Q(ref=ref) | Q(code=ref))
        .filter(Q(owner_id=user.pk) | Q(members__dossier__in=mine))
        .select_related("receiving_unit")
        .distinct()
        .first()
    )
