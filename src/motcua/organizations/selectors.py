"""Reads of the organisation tree."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from motcua.common.clock import today

from .models import Unit


def unit_list(*, kind: str | None = None, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Units in existence on ``on`` (default: today), optionally of one kind."""
    units = Unit.objects.effective_on(on or today()).select_related("parent")
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("kind", "official_code", "name")


def unit_descendant_ids(unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them (one query per tree level)."""
    found = set(unit_ids)
    frontier = set(found)
    while frontier:
        children = set(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - found
        found |= frontier
    return found


def city_root_ids() -> set[int]:
    """The top of every tree of units that handle Hà Nội's dossiers: the city's own ("Thành phố
    Hà Nội", with its departments, wards and communes) and each central agency's local office
    (police, social insurance, tax), which answer to their ministry, not to the city, and so sit
    outside the city's tree (hanoi_units.yaml: ``parent: null``)."""
    return set(Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True))


def unit_ancestors(unit: Unit) -> list[Unit]:
    """From the top of the tree down to the unit's parent."""
    chain: list[Unit] = []
    current = unit.parent
    while current is not None and current not in chain:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def unit_get(*, code: str) -> Unit | None:
    return Unit.objects.select_related("parent", "area").filter(code=code).first()
