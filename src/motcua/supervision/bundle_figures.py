"""Figures of linked bundles (liên thông, issue 14) for the dashboard, its Excel and PDF report.

Computed here once; the page's section and both files read the tables ``dashboard_tables`` makes
of it. Over the dashboard's period ``[start, T)`` and scope (a bundle counts for a scope when its
receiving unit or one of its members' units is in it):

- *received*: bundles received (their first member received) in the period, by kind, receiving
  unit and month of reception (the dashboard's months);
- *finished*: of those, the ones ended before T;
- *whole bundle on time*: the bundle's rule (``bundles.pages.whole_on_time``) judged at T: its
  end, or T when it has not ended, is no later than the whole bundle's limit counted from
  reception (``statutory_due_at``; an apology's new date does not move it);
- *per member*: the member dossiers of those bundles, by kind and service, judged by the 766
  rule 2.1 (``compute.populations``) at T, as every dossier of the dashboard is.

Two queries (one without bundles), whatever the number of bundles, units or months.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from motcua.bundles.definitions import definition_in_force
from motcua.bundles.errors import BundleError, DefinitionError
from motcua.bundles.models import Bundle, BundleMember

from .compute import Period, populations, rate
from .models import DossierFact


@dataclass(kw_only=True)
class Judged:
    """Counts judged on time or late; keyword-only, so that a row's own fields come first."""

    judged: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.judged - self.on_time

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.judged)


@dataclass
class BundleRow(Judged):
    """Bundles of one kind received by one unit in one month."""

    kind: str
    unit_id: int
    month: datetime.date
    received: int = 0
    finished: int = 0


@dataclass
class MemberRow(Judged):
    """The member dossiers of one service of one kind of bundle."""

    kind: str
    service: str
    name: str
    name_en: str


@dataclass
class BundleFigures:
    rows: list[BundleRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    unit_names: dict[int, str] = field(default_factory=dict)  # the caller's tree of units

    def total(self, kind: str | None = None) -> BundleRow:
        """Every row of ``kind`` (None: all kinds) summed."""
        found = BundleRow(kind or "", 0, datetime.date.min)
        for row in self.rows:
            if kind is None or row.kind == kind:
                found.received += row.received
                found.finished += row.finished
                found.judged += row.judged
                found.on_time += row.on_time
        return found


def instant(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def scoped_bundles(units: frozenset[int] | None) -> Any:
    if units is None:
        return Bundle.objects.all()
    ids = sorted(units)
    member_here = BundleMember.objects.filter(bundle=OuterRef("pk"), unit_id__in=ids)
    return Bundle.objects.filter(Q(receiving_unit_id__in=ids) | Exists(member_here))


def whole_expressions(spans: list[tuple[int, int]], until: int) -> dict[str, Any]:
    """Per month ``i`` (its reception span): received, finished, judged, on time at ``until``."""
    end = instant(until)
    finished = Q(finished_at__lt=end)
    judged = Q(statutory_due_at__isnull=False)
    on_time = judged & (
        (finished & Q(finished_at__lte=F("statutory_due_at")))
        | ((Q(finished_at__isnull=True) | Q(finished_at__gte=end)) & Q(statutory_due_at__gte=end))
    )
    found: dict[str, Any] = {}
    for index, (first, last) in enumerate(spans):
        month = Q(received_at__gte=instant(first), received_at__lt=instant(last))
        found[f"m{index}_received"] = Count("pk", filter=month)
        found[f"m{index}_finished"] = Count("pk", filter=month & finished)
        found[f"m{index}_judged"] = Count("pk", filter=month & judged)
        found[f"m{index}_on_time"] = Count("pk", filter=month & on_time)
    return found


def bundle_figures(
    *, period: Period, months: list[tuple[datetime.date, datetime.date]],
    units: frozenset[int] | None, at: datetime.datetime | None = None,
) -> BundleFigures:  # fmt: skip
    """The bundle figures of ``period`` for ``units`` (None: the city); ``months`` are the
    period's months (``dashboard.month_spans``)."""
    start, until = period.bounds(at)
    if until <= start:
        return BundleFigures([], [])
    spans = [
        (max(start, s), min(until, e)) for s, e in (Period(a, b).bounds(at) for a, b in months)
    ]
    bundles = scoped_bundles(units).filter(
        received_at__gte=instant(start), received_at__lt=instant(until)
    )
    grouped = (
        bundles.values("kind", "receiving_unit_id")
        .annotate(**whole_expressions(spans, until))
        .order_by("kind", "receiving_unit_id")
    )
    rows = []
    for found in grouped:
        for index, (first, _last) in enumerate(months):
            counts = {k: int(found[f"m{index}_{k}"] or 0)
                      for k in ("received", "finished", "judged", "on_time")}  # fmt: skip
            row = BundleRow(kind=found["kind"], unit_id=found["receiving_unit_id"], month=first,
                            **counts)  # fmt: skip
            if row.received:
                rows.append(row)
    members = member_rows(bundles, start, until, period.end) if rows else []
    return BundleFigures(rows, members)


def member_rows(bundles: Any, start: int, until: int, on: datetime.date) -> list[MemberRow]:
    p = populations(start, until)
    grouped = (
        DossierFact.objects.filter(dossier__bundle_member__bundle__in=bundles.values("pk"))
        .filter(received__lt=until)
        .values(kind=F("dossier__bundle_member__bundle__kind"),
                service=F("dossier__bundle_member__service"))
        .annotate(judged=Count("pk", filter=p["judged"]), on_time=Count("pk", filter=p["on_time"]))
        .order_by("kind", "service")
    )  # fmt: skip
    return [
        MemberRow(row["kind"], row["service"], *service_names(row["kind"], row["service"], on),
                  judged=row["judged"], on_time=row["on_time"])
        for row in grouped
    ]  # fmt: skip


def service_names(kind: str, service: str, on: datetime.date) -> tuple[str, str]:
    """The service's names (vi, en) in the definition in force on ``on``; else its code."""
    try:
        member = definition_in_force(kind, on).member(service)
        return member.name, member.name_en
    except (BundleError, DefinitionError, StopIteration):
        return service, service
