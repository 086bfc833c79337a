"""The indicators of a period and a scope: the counts (``populations.py`` says who each counts)
summed from the monthly buckets and the facts around them (``buckets.py``), then the rates,
group scores and total of Decision 766 (``report``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, Value, When
from django.db.models import IntegerField as IntegerOutput

from motcua.common.clock import now
from motcua.feedback.selectors import FeedbackCounts, feedback_counts
from motcua.sync.selectors import sync_recorded, synced_as_received
from motcua.worktime.engine import VIETNAM_OFFSET

from .buckets import (
    Grouping,
    beyond_buckets_by,
    bucket_sums_by,
    reaching_past,
    sums_added,
    window_of,
)
from .populations import Scope, aggregate_of, count_parts, populations, scoped
from .registry import GROUPS, Indicator, indicators_in_force, na_reason
from .snapshots import snapshot_sums_by

DAY_SECONDS = 86400
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    def bounds(self, at: datetime.datetime | None = None) -> tuple[int, int]:
        """(start, T) in epoch seconds: T is the end's next midnight, or ``at`` if earlier."""
        begin = datetime.datetime.combine(self.start, datetime.time(), VIETNAM_OFFSET)
        finish = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time(), VIETNAM_OFFSET
        )
        return int(begin.timestamp()), int(min(finish, at or now()).timestamp())


@dataclass
class Counts:
    """The numerators and denominators the indicators are made of."""

    handled: int = 0
    judged: int = 0
    on_time: int = 0
    unsatisfied: int = 0
    received: int = 0
    online: int = 0
    resolved: int = 0
    resolution_seconds: int = 0
    e_result: int = 0
    digitised: int = 0
    reused: int = 0
    from_store: int = 0
    fee: int = 0
    paid_online: int = 0
    synced: int = 0


def count_expressions(start: int, until: int, prefix: str = "") -> dict[str, Any]:
    """The aggregates of every count at period ``[start, until)``, named ``n_`` + ``prefix`` +
    the ``Counts`` field: one query may hold several periods (the dashboard's months) or be
    grouped (its units)."""
    p = populations(start, until)
    found = {name: aggregate_of(*part) for name, part in count_parts(start, until).items()}
    if sync_recorded():  # 1.4: asked of the outbox only while it records anything
        found["synced"] = Count("pk", filter=p["received"] & synced_as_received())
    return {f"n_{prefix}{name}": value for name, value in found.items()}  # n_: not a column


def counts_of(row: dict[str, Any], prefix: str = "") -> Counts:
    """The ``Counts`` of one aggregate row made by ``count_expressions(…, prefix)``."""
    head = f"n_{prefix}"
    return Counts(**{k[len(head) :]: int(v or 0) for k, v in row.items() if k.startswith(head)})


def late_only(facts: Any, start: int, until: int) -> Any:
    """The facts judged late at ``until`` among those handled in the period: judged and not on
    time, an unknown comparison (NULL) counting as not on time, as ``Count(filter=…)`` does."""
    found = populations(start, until)
    kept = Case(
        When(found["on_time"], then=Value(1)), default=Value(0), output_field=IntegerOutput()
    )
    return facts.filter(found["judged"]).annotate(on_time_flag=kept).filter(on_time_flag=0)


def counts(scope: Scope, start: int, until: int) -> Counts:
    """Every count of the scope at ``[start, until)``: see ``counts_by``."""
    return counts_by(scope, start, until, ()).get((), Counts())


def counts_by(scope: Scope, start: int, until: int, by: Grouping) -> dict[tuple, Counts]:
    """Every count per group of ``by`` (facts' columns: units, procedure, field, channel; none:
    the one group ``()``): the monthly buckets of the period's whole months, plus what the
    dossiers around them add beyond what the buckets hold: from the snapshot of the dossiers in
    flight when the period is whole months ending at a month start already passed
    (``snapshots.py``), else judged one by one (``buckets.py``). Two or three queries, whatever
    the volume and the number of groups."""
    window = window_of(start, until)
    in_flight = snapshot_sums_by(scope, start, until, window, by)
    if in_flight is None:
        window = reaching_past(start, until, window)
        in_flight = beyond_buckets_by(scope, start, until, window, by)
    held = bucket_sums_by(scope, window, by)
    found = {
        key: sums_added(held.get(key, {}), in_flight.get(key, {})) for key in {*held, *in_flight}
    }
    if sync_recorded():  # 1.4 reads the outbox, not the facts: counted per dossier received
        synced = synced_by(scope, start, until, by)
        for key in found:
            found[key]["synced"] = synced.get(key, 0)
    return {key: Counts(**sums) for key, sums in found.items()}


def synced_by(scope: Scope, start: int, until: int, by: Grouping) -> dict[tuple, int]:
    received = scoped(scope).filter(received__gte=start, received__lt=until)
    synced = received.filter(synced_as_received())
    if not by:
        return {(): synced.count()}
    rows = synced.values(*by).annotate(n=Count("pk")).order_by()
    return {tuple(row[name] for name in by): row["n"] for row in rows}


def two_places(value: Decimal) -> float:
    return float(value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def rate(num: int, den: int) -> float | None:
    """A percentage with two decimals; None (N/A) for a zero denominator, never 0."""
    if den == 0:
        return None
    return two_places(Decimal(100) * num / den)


@dataclass
class IndicatorValue:
    num: float | int | None
    den: int | None
    value: float | None
    note: str = ""
    note_en: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "num": self.num, "den": self.den, "value": self.value,
            "reason": self.note or None, "reason_en": self.note_en or None,
        }  # fmt: skip


SYNC_NOTE = (
    "Chưa nhân với tỷ lệ đồng bộ (1.4): chưa có hồ sơ nào được đồng bộ lên Cổng DVCQG.",
    "Not multiplied by the sync rate (1.4): no dossier has been synchronised with the portal yet.",
)


def online_rate(c: Counts) -> IndicatorValue:
    """3.3: online / received, times the sync rate (1.4) when sync is on."""
    if not sync_recorded():
        return IndicatorValue(c.online, c.received, rate(c.online, c.received), *SYNC_NOTE)
    if not c.received:
        return IndicatorValue(c.online, c.received, None)
    value = Decimal(100) * c.online * c.synced / (c.received * c.received)
    # Said beside the figure: without it a supervisor reads 3.3 against the plain online share.
    return IndicatorValue(
        c.online, c.received, two_places(value),
        f"Đã nhân với tỷ lệ đồng bộ (1.4): {c.synced}/{c.received} hồ sơ tiếp nhận đã đồng bộ "
        "lên Cổng DVCQG.",
        f"Multiplied by the sync rate (1.4): {c.synced} of {c.received} received dossiers "
        "synced with the portal.",
    )  # fmt: skip


# 5.1–5.3 (DOMAIN.md §3): (numerator, denominator) from the feedback counts.
FEEDBACK_RATES: dict[str, Callable[[FeedbackCounts], tuple[int, int]]] = {
    "5.1": lambda f: (f.rejected_on_time, f.rejected),
    "5.2": lambda f: (f.handled_on_time, f.handled),
    "5.3": lambda f: (f.published_on_time, f.answered),
}


def instant(seconds: int) -> datetime.datetime:
    """An epoch-seconds bound of a period as the aware instant the feedback table compares."""
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def scoped_feedback_counts(scope: Scope, start: int, until: int) -> FeedbackCounts:
    """Feedback in the same scope as the dossiers (unit and the units below, procedure, field,
    channel), over the same period."""
    return feedback_counts(
        start=instant(start), until=instant(until),
        unit_ids=scope.unit_ids, procedure_ids=scope.procedure_ids, field_id=scope.field_id,
        channel=scope.channel,
    )  # fmt: skip


def indicator_value(
    indicator: Indicator, c: Counts, feedback: FeedbackCounts | None = None
) -> IndicatorValue:
    reason = na_reason(indicator)
    if reason is not None:
        return IndicatorValue(None, None, None, *reason)
    code = indicator.code
    if code == "2.1":
        return IndicatorValue(c.on_time, c.judged, rate(c.on_time, c.judged))
    if code == "2.2":
        days = Decimal(c.resolution_seconds) / DAY_SECONDS
        average = two_places(days / c.resolved) if c.resolved else None
        return IndicatorValue(two_places(days), c.resolved, average)
    if code == "1.4":
        return IndicatorValue(c.synced, c.received, rate(c.synced, c.received))
    if code == "3.3":
        return online_rate(c)
    if code == "4.1":
        return IndicatorValue(c.e_result, c.resolved, rate(c.e_result, c.resolved))
    if code == "4.2":
        return IndicatorValue(c.digitised, c.resolved, rate(c.digitised, c.resolved))
    if code == "3.6":
        return IndicatorValue(c.paid_online, c.fee, rate(c.paid_online, c.fee))
    if code == "4.3":
        return IndicatorValue(c.reused, c.received, rate(c.reused, c.received))
    if code == "4.4":
        return IndicatorValue(c.from_store, c.received, rate(c.from_store, c.received))
    if code in FEEDBACK_RATES:
        num, den = FEEDBACK_RATES[code](feedback or FeedbackCounts())
        return IndicatorValue(num, den, rate(num, den))
    if code == "5.4":
        # 100% − (late % + unsatisfied %): the late and the unsatisfied over the same dossiers.
        late = c.judged - c.on_time
        kept = max(0, c.judged - late - c.unsatisfied)
        return IndicatorValue(kept, c.judged, rate(kept, c.judged))
    raise ValueError(f"no computation for indicator {code}")


def points(indicator: Indicator, value: float | None) -> float | None:
    if value is None or indicator.kind != "rate" or not indicator.points:
        return None
    return indicator.points * min(1.0, value / indicator.full_at)


def report(period: Period, scope: Scope, *, at: datetime.datetime | None = None) -> dict[str, Any]:
    """``{"from", "to", "indicators": {code: {num, den, value}}, "groups", "total"}``."""
    start, until = period.bounds(at)
    c = counts(scope, start, until) if until > start else Counts()
    fb = scoped_feedback_counts(scope, start, until) if until > start else FeedbackCounts()
    return scores(period, c, fb)


def scores(period: Period, c: Counts, fb: FeedbackCounts) -> dict[str, Any]:
    """The report made of counts already summed: the indicators, the group scores and the total
    of the index. ``report`` and the dashboard's rows (a unit, a field, a procedure, summed in
    one grouped query each) all go through here, so each figure has one definition."""
    in_force = indicators_in_force(period.end)
    values = {indicator.code: indicator_value(indicator, c, fb) for indicator in in_force}
    groups: dict[str, Any] = {}
    for group in GROUPS:
        earned = counted = 0.0
        for indicator in in_force:
            got = points(indicator, values[indicator.code].value)
            if indicator.group == group.code and got is not None:
                earned, counted = earned + got, counted + indicator.points
        # Points earned on the indicators that have a value; the ones N/A earn none and are
        # not extrapolated (``counted_max`` says what the score is out of).
        score = two_places(Decimal(earned)) if counted else None
        groups[group.code] = {"score": score, "max": group.max_points, "counted_max": counted}
    scores = [g["score"] for g in groups.values() if g["score"] is not None]
    counted_total = sum(g["counted_max"] for g in groups.values())
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "indicators": {code: value.as_dict() for code, value in values.items()},
        "groups": groups,
        "total": two_places(Decimal(sum(scores))) if scores else None,
        "total_counted_max": two_places(Decimal(counted_total)),
    }
