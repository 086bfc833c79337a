"""Reads of accounts: who holds which role where, on a day (roles are effective-dated)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from motcua.organizations.models import Unit

from .models import OfficerRole, RoleChange, User


def officers_holding(unit: Unit, roles: Iterable[str], on: datetime.date) -> QuerySet[User]:
    """Officers holding one of ``roles`` at ``unit`` on ``on`` (ended and future roles excluded)."""
    holding = OfficerRole.objects.effective_on(on).filter(unit=unit, role__in=list(roles))
    return User.objects.filter(pk__in=holding.values("user_id"), is_active=True)


def unit_staff(unit: Unit, on: datetime.date) -> QuerySet[OfficerRole]:
    """The unit's roles held on ``on`` or starting later, with their periods and documents."""
    return (
        OfficerRole.objects.not_ended_on(on)
        .filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__username", "valid_from")
    )


def unit_role_changes(unit: Unit, limit: int = 20) -> QuerySet[RoleChange]:
    return (
        RoleChange.objects.filter(unit=unit)
        .select_related("actor", "officer")
        .order_by("-at", "-pk")[:limit]
    )
