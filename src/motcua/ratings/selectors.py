"""Reads of satisfaction ratings for leaders and supervisors: totals, per unit, the latest."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.common.clock import VIETNAM
from motcua.organizations.models import Unit

from .constants import Criterion
from .models import CRITERIA, SATISFIED, Rating


@dataclass
class Tally:
    """Sums over a set of ratings; averages and the satisfied share are derived from them."""

    count: int = 0
    satisfied: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERIA, 0))

    def add(self, row: dict[str, int | None]) -> None:
        self.count += row.get("n") or 0
        self.satisfied += row.get("satisfied") or 0
        for name in CRITERIA:
            self.sums[name] += row.get(name) or 0

    @property
    def satisfied_percent(self) -> float | None:
        return round(100 * self.satisfied / self.count, 1) if self.count else None

    @property
    def averages(self) -> list[tuple[str, float | None]]:
        """(criterion label, average score 0–2 with one decimal) in the order of the form."""
        return [
            (str(c.label), round(self.sums[c] / self.count, 1) if self.count else None)
            for c in Criterion
        ]


@dataclass
class UnitTally:
    unit: Unit
    tally: Tally


@dataclass
class RatingReport:
    total: Tally
    units: list[UnitTally]
    latest: list[Rating]


def rating_unit_ids(user: User) -> set[int]:
    """The units whose ratings the user may read: where they may view reports (leaders in their
    unit; supervisors in their unit and every unit below it)."""
    return permissions.unit_ids_with(user, Capability.VIEW_REPORTS)


def can_view_ratings(user: User) -> bool:
    return bool(rating_unit_ids(user))


def ratings_visible(
    unit_ids: set[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Rating]:
    """Ratings of dossiers received or decided by one of ``unit_ids``, made between ``start`` and
    ``end`` (Hà Nội dates, both included)."""
    ratings = Rating.objects.filter(
        Q(dossier__receiving_unit_id__in=unit_ids) | Q(dossier__deciding_unit_id__in=unit_ids)
    )
    if start is not None:
        ratings = ratings.filter(created_at__gte=local_midnight(start))
    if end is not None:
        ratings = ratings.filter(created_at__lt=local_midnight(end + datetime.timedelta(days=1)))
    return ratings


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=VIETNAM)


def _sums() -> dict[str, object]:
    return {
        "n": Count("pk"),
        "satisfied": Count("pk", filter=SATISFIED),
        **{name: Sum(name) for name in CRITERIA},
    }


def rating_report(
    *,
    unit_ids: set[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    latest: int = 50,
) -> RatingReport:
    """Totals, one row per unit and the latest ratings, within ``unit_ids`` (see
    ``rating_unit_ids``).

    A rating counts for its receiving unit and for its deciding unit (once when they are the
    same), so that a unit's row covers every dossier it took part in. Five queries.
    """
    ratings = ratings_visible(unit_ids, start, end)
    total = Tally()
    total.add(ratings.aggregate(**_sums()))
    by_unit: dict[int, Tally] = {}
    received = (
        ratings.filter(dossier__receiving_unit_id__in=unit_ids)
        .values(unit=F("dossier__receiving_unit_id"))
        .annotate(**_sums())
        .order_by()
    )
    decided_elsewhere = (
        ratings.filter(dossier__deciding_unit_id__in=unit_ids)
        .exclude(dossier__deciding_unit_id=F("dossier__receiving_unit_id"))
        .values(unit=F("dossier__deciding_unit_id"))
        .annotate(**_sums())
        .order_by()
    )
    for row in [*received, *decided_elsewhere]:
        by_unit.setdefault(row["unit"], Tally()).add(row)
    units = Unit.objects.filter(pk__in=by_unit).only("pk", "code", "name").in_bulk()
    rows = sorted(
        (UnitTally(units[pk], tally) for pk, tally in by_unit.items()),
        key=lambda row: (-row.tally.count, row.unit.name),
    )
    recent = list(
        ratings.select_related("dossier__procedure", "dossier__deciding_unit")
        .only(
            *CRITERIA,
            "comment",
            "created_at",
            "dossier__ref",
            "dossier__code",
            "dossier__procedure__code",
            "dossier__procedure__name",
            "dossier__deciding_unit__name",
        )
        .order_by("-created_at", "-pk")[:latest]
    )
    return RatingReport(total=total, units=rows, latest=recent)
