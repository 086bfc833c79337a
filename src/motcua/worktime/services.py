"""The calendar in force, built once and shared; the deadline service the rest of the system calls.

Building a calendar (46 years of holidays, lunar dates included) takes a fraction of a second, so
it is cached per rule set. The cache is dropped at once in the process that edits overrides or
rule sets, and other processes notice a change within ``REVALIDATE_SECONDS``.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError
from motcua.common.memo import memoized
from motcua.organizations.models import Unit

from .constants import OverrideKind
from .engine import VIETNAM_OFFSET, CalendarSpec, Pause, SupplementMode, WorkCalendar
from .models import SUPPORTED_YEARS, CalendarOverride, WorkRuleSet, office_hours_seconds
from .rules import Deadline, DeadlineRules, Limit, deadline_for
from .sources import CalendarFacts, DayNote, calendar_spec, read_facts, resolved_notes

FIRST_YEAR, LAST_YEAR = SUPPORTED_YEARS
REVALIDATE_SECONDS = 5.0


@dataclass(frozen=True)
class RuleSetInForce:
    key: str
    rules: DeadlineRules
    office_hours: tuple[tuple[int, int], ...] | None
    same_day_cutoff: int | None
    name: str


class CalendarCache:
    """Thread-safe cache of built calendars, keyed by rule set and data revision."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calendars: dict[tuple[str, tuple[object, ...]], WorkCalendar] = {}
        self._revision: tuple[object, ...] | None = None
        self._checked_at = 0.0

    def clear(self) -> None:
        with self._lock:
            self._calendars.clear()
            self._revision = None

    def revision(self) -> tuple[object, ...]:
        now = time.monotonic()
        if self._revision is None or now - self._checked_at > REVALIDATE_SECONDS:
            self._revision = data_revision()
            self._checked_at = now
        return self._revision

    def get(self, rule_set: RuleSetInForce) -> WorkCalendar:
        key = (rule_set.key, self.revision())
        calendar = self._calendars.get(key)
        if calendar is None:
            with self._lock:
                calendar = self._calendars.get(key)
                if calendar is None:
                    calendar = WorkCalendar(spec_for(rule_set))
                    self._calendars = {
                        k: v for k, v in self._calendars.items() if k[1] == key[1]
                    } | {key: calendar}
        return calendar


CACHE = CalendarCache()


def data_revision() -> tuple[object, ...]:
    overrides = CalendarOverride.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    rule_sets = WorkRuleSet.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return (overrides["n"], overrides["at"], rule_sets["n"], rule_sets["at"])


def calendar_facts() -> CalendarFacts:
    return read_facts(Path(settings.MOTCUA_CALENDAR_FILE))


def override_rows() -> list[tuple[datetime.date, bool, str]]:
    return [
        (row.day, row.kind == OverrideKind.WORKING_DAY, f"{row.reason} ({row.legal_document})")
        for row in CalendarOverride.objects.all()
    ]


def spec_for(rule_set: RuleSetInForce) -> CalendarSpec:
    return calendar_spec(
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        facts=calendar_facts(),
        overrides=override_rows(),
        office_hours=rule_set.office_hours,
        same_day_cutoff=rule_set.same_day_cutoff,
    )


@memoized
def rule_set_rows(unit_id: int | None) -> list[WorkRuleSet]:
    """The unit's own rule sets and the city-wide ones, latest first (one query; once per
    bulk run: ``common.memo``)."""
    rows = WorkRuleSet.objects.filter(unit__isnull=True)
    if unit_id is not None:
        rows = WorkRuleSet.objects.filter(Q(unit_id=unit_id) | Q(unit__isnull=True))
    return list(rows.order_by("-valid_from", "-pk"))


def rule_set_row(unit: Unit | None, on: datetime.date) -> WorkRuleSet | None:
    """The unit's own rule set in force on ``on``, else the city-wide one."""
    rows = [row for row in rule_set_rows(unit.pk if unit else None) if row.valid_from <= on]
    own = next((row for row in rows if unit is not None and row.unit_id == unit.pk), None)
    return own or next((row for row in rows if row.unit_id is None), None)


_IN_FORCE: dict[tuple[object, ...], RuleSetInForce] = {}


def rule_set_in_force(*, unit: Unit | None = None, on: datetime.date) -> RuleSetInForce:
    """Cached per unit and day for the current data revision (imports ask thousands of times)."""
    key = (CACHE.revision(), unit.pk if unit else None, on)
    found = _IN_FORCE.get(key)
    if found is None:
        if len(_IN_FORCE) > 400_000:  # a bulk run asks for ~250 units × every day of its history
            _IN_FORCE.clear()
        found = _IN_FORCE[key] = rule_set_uncached(unit, on)
    return found


def rule_set_uncached(unit: Unit | None, on: datetime.date) -> RuleSetInForce:
    row = rule_set_row(unit, on)
    if row is None:
        return RuleSetInForce("default", DeadlineRules(), None, None, str(_("Mặc định")))
    cutoff = row.same_day_cutoff
    return RuleSetInForce(
        key=f"rule-set-{row.pk}",
        rules=DeadlineRules(
            supplement_mode=SupplementMode(row.supplement_mode),
            cutoff_moves_day_limits=row.cutoff_moves_day_limits,
        ),
        office_hours=office_hours_seconds(row.office_hours) if row.office_hours else None,
        same_day_cutoff=cutoff.hour * 3600 + cutoff.minute * 60,
        name=row.name,
    )


def calendar_in_force(
    *, unit: Unit | None = None, on: datetime.date
) -> tuple[WorkCalendar, DeadlineRules]:
    rule_set = rule_set_in_force(unit=unit, on=on)
    return CACHE.get(rule_set), rule_set.rules


def deadline_compute(
    *,
    received: datetime.datetime,
    limit: Limit,
    unit: Unit | None = None,
    pauses: Sequence[Pause] = (),
    cutoff_moves_day_limits: bool | None = None,
) -> Deadline:
    """The statutory deadline of a dossier received at ``received`` (rules in force that day);
    ``cutoff_moves_day_limits`` overrides the rule set's when the law fixes it (Decree 63/2024
    art. 7(2) for linked bundles)."""
    calendar, rules = calendar_in_force(unit=unit, on=received.astimezone(VIETNAM_OFFSET).date())
    if cutoff_moves_day_limits is not None:
        rules = dataclasses.replace(rules, cutoff_moves_day_limits=cutoff_moves_day_limits)
    return deadline_for(calendar, received, limit, pauses=pauses, rules=rules)


def year_notes(year: int) -> dict[datetime.date, DayNote]:
    notes = resolved_notes(year, year, calendar_facts(), override_rows())
    return {day: note for day, note in notes.items() if day.year == year}


def calendar_override_set(
    *, day: datetime.date, working: bool, reason: str, legal_document: str, actor: object = None
) -> CalendarOverride:
    """Declare a day off or a make-up working day, citing the document that decided it."""
    if not reason.strip() or not legal_document.strip():
        raise DomainError(_("Cần ghi lý do và văn bản quyết định việc điều chỉnh ngày làm việc."))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            _("Lịch chỉ hỗ trợ các năm %(first)s–%(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    with transaction.atomic():
        override, _created = CalendarOverride.objects.update_or_create(
            day=day,
            defaults={
                "kind": OverrideKind.WORKING_DAY if working else OverrideKind.DAY_OFF,
                "reason": reason.strip(),
                "legal_document": legal_document.strip(),
                "updated_by": actor,
            },
        )
    CACHE.clear()
    return override
