"""The rollup (``DossierFact``) kept up to date from the event log, and rebuilt from it.

A reader of the log rather than a subscriber inside the kernel's transaction: a subscriber would
write at least one row in every action, and creating a counter dossier (two actions) already
spends its query budget (tests/test_hot_paths.py; docs/decisions/0026). The worker runs
``catch_up`` every scheduler round and every indicator read runs it first, so that figures are
as fresh as the log; each dossier whose events moved is folded again from all its events, which
makes a fold idempotent and the rebuild the same code.

Event ids are allocated when a row is inserted, not when its transaction commits: an action that
commits after a later one is read behind the cursor. ``catch_up`` therefore looks again at the
last ``OVERLAP`` events each time and folds any dossier whose folded ``seq`` is behind; a
transaction left open over more than that many other events is repaired by ``--rebuild``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max, Min

from motcua.common.clock import now as clock_now
from motcua.common.memo import reference_memo
from motcua.dossiers import deadlines
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.ratings.models import SATISFIED, Rating
from motcua.sync.selectors import sync_recorded_refresh
from motcua.vault.selectors import reuse_flags
from motcua.worktime.engine import Pause, PauseKind
from motcua.worktime.services import deadline_compute

from .attribution import EVENT_FIELDS, calendar_of, step_infos
from .buckets import buckets_add, month_of
from .facts import Facts, facts_fold, seconds
from .held import held_of, held_write
from .models import DossierFact, FactCursor, HeldTime, IndicatorBucket
from .snapshots import boundaries_touched, snapshot_add, snapshots_catch_up, snapshots_clear
from .timeline import StepInfo

OVERLAP = 5000
BATCH = 2000
EVENTS, RATINGS = "events", "ratings"
FACT_FIELDS = [
    "seq", "receiving_unit_id", "deciding_unit_id", "procedure_id", "field_id", "channel",
    "received", "due", "end", "judge_end", "end_kind", "sup1_start", "sup1_end", "sup1_due",
    "sup2", "citizen",
    "digitised", "e_result", "unsatisfied", "reused", "from_store", "fee", "paid_online",
    "settled", "received_month", "end_month",
]  # fmt: skip
# The instants a count compares with a period's bounds (populations.py); the latest of them,
# once the dossier has ended, is when its contribution to every later period is fixed.
COMPARED = (
    "received", "end", "sup1_start", "sup1_end", "sup2", "digitised", "e_result", "unsatisfied",
    "reused", "from_store", "fee", "paid_online",
)  # fmt: skip


@dataclass
class CatchUp:
    events: int = 0
    folded: int = 0


def catch_up(*, max_events: int | None = None) -> CatchUp:
    """Fold the dossiers whose events or rating came since the last run (see the module)."""
    report = CatchUp()
    with transaction.atomic():
        cursor = cursor_locked(EVENTS)
        start = max(0, cursor.last_id - OVERLAP)
        while max_events is None or report.events < max_events:
            rows = list(
                DossierEvent.objects.filter(pk__gt=start)
                .order_by("pk")
                .values_list("pk", "dossier_id", "seq")[:BATCH]
            )
            if not rows:
                break
            report.events += len(rows)
            report.folded += fold_behind(rows)
            start = rows[-1][0]
            cursor.last_id = max(cursor.last_id, start)
        cursor.save()
        report.folded += ratings_catch_up()
        snapshots_catch_up()
    sync_recorded_refresh()  # whether 1.4 counts, as the figures about to be read
    return report


def cursor_locked(name: str) -> FactCursor:
    FactCursor.objects.get_or_create(name=name)
    return FactCursor.objects.select_for_update().get(name=name)


def fold_behind(rows: list[tuple[int, int, int]]) -> int:
    """Fold the dossiers of ``rows`` whose fact is older than their latest event seen."""
    latest: dict[int, int] = {}
    for _pk, dossier_id, seq in rows:
        latest[dossier_id] = max(seq, latest.get(dossier_id, 0))
    folded = dict(
        DossierFact.objects.filter(dossier_id__in=latest).values_list("dossier_id", "seq")
    )
    behind = [d for d, seq in latest.items() if folded.get(d, 0) < seq]
    return dossiers_fold(behind)


def ratings_catch_up() -> int:
    cursor = cursor_locked(RATINGS)
    rated = list(
        Rating.objects.filter(pk__gt=cursor.last_id).values_list("pk", "dossier_id")[:100_000]
    )
    if not rated:
        return 0
    cursor.last_id = max(pk for pk, _dossier in rated)
    cursor.save()
    return dossiers_fold({dossier for _pk, dossier in rated})


def rebuild() -> int:
    """Every fact again from the events (``motcua indicators --rebuild``)."""
    with transaction.atomic():
        events, ratings = cursor_locked(EVENTS), cursor_locked(RATINGS)
        events.last_id = DossierEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        ratings.last_id = Rating.objects.aggregate(m=Max("pk"))["m"] or 0
        DossierFact.objects.all().delete()
        HeldTime.objects.all().delete()
        IndicatorBucket.objects.all().delete()
        snapshots_clear()
        folded = 0
        ids = Dossier.objects.filter(received_at__isnull=False).order_by("pk")
        last = 0
        while chunk := list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH]):
            folded += dossiers_fold(chunk)
            last = chunk[-1]
        events.save()
        ratings.save()
        snapshots_catch_up()
    return folded


def dossiers_fold(dossier_ids: Iterable[int]) -> int:
    """Fold the given dossiers again from all their events; write their facts. The procedures'
    limits and calendars are read once per batch (``reference_memo``)."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return 0
    with reference_memo():
        return facts_write(ids)


def facts_write(ids: list[int]) -> int:
    events: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "seq")
        .only(*EVENT_FIELDS)  # what the facts and the timeline read
    ):
        events[event.dossier_id].append(event)
    flags = document_flags(ids)
    reuses = reuse_flags(ids)
    unsatisfied = dict(
        Rating.objects.filter(dossier_id__in=ids)
        .exclude(SATISFIED)
        .values_list("dossier_id", "created_at")
    )
    facts = []
    # Whole rows but their large JSON: the legal-deadline fallback reads the case, the bundle
    # membership and the deciding unit's calendar (a deferred field would cost a query each).
    dossiers = (
        Dossier.objects.filter(pk__in=ids)
        .select_related("deciding_unit", "receiving_unit")
        .defer("applicant", "eform_data", "supplement_items", "checklist",
               "deciding_unit__attributes", "deciding_unit__note",
               "receiving_unit__attributes", "receiving_unit__note")
        .annotate(field_of_procedure=F("procedure__field_id"))
    )  # fmt: skip
    held: list[HeldTime] = []
    steps: dict[int, dict[int, StepInfo]] = {}
    at = clock_now()
    for dossier in dossiers:
        fact = fact_of(dossier, events.get(dossier.pk, []))
        if fact is None:
            continue
        held += held_of(dossier, events[dossier.pk], fact.received,
                        steps=step_infos(dossier.process_id, steps),
                        calendar=calendar_of(dossier), now=at)  # fmt: skip
        fact.digitised = flags.get((dossier.pk, DossierDocument.Kind.INPUT))
        fact.e_result = flags.get((dossier.pk, DossierDocument.Kind.RESULT))
        fact.unsatisfied = seconds(unsatisfied.get(dossier.pk))
        fact.reused, fact.from_store = reuses.get(dossier.pk, (None, None))
        facts.append(settle(fact))
    facts_store(ids, facts)
    held_write(ids, held)
    return len(facts)


def settle(fact: DossierFact) -> DossierFact:
    """Its months, and when it settled (None while open): see ``buckets.py``."""
    fact.received_month = month_of(fact.received)
    fact.end_month = None if fact.end is None else month_of(fact.end)
    instants = [value for name in COMPARED if (value := getattr(fact, name)) is not None]
    fact.settled = None if fact.end is None else max(instants)
    return fact


@transaction.atomic
def facts_store(ids: list[int], facts: list[DossierFact]) -> None:
    """The facts of dossiers ``ids`` become ``facts`` (a dossier without one has none), and
    the monthly buckets and the snapshots made follow: the old contributions off, the new on."""
    boundaries = boundaries_touched(ids, facts)
    buckets_add(ids, -1)
    for boundary in boundaries:
        snapshot_add(ids, boundary, -1)
    DossierFact.objects.filter(dossier_id__in=ids).exclude(
        dossier_id__in=[f.dossier_id for f in facts]
    ).delete()
    DossierFact.objects.bulk_create(
        facts, update_conflicts=True, unique_fields=["dossier"], update_fields=FACT_FIELDS
    )
    buckets_add(ids, 1)
    for boundary in boundaries:
        snapshot_add(ids, boundary, 1)


def document_flags(ids: list[int]) -> dict[tuple[int, str], int | None]:
    """(dossier, kind) → when its first input or result file came."""
    kinds = [DossierDocument.Kind.INPUT, DossierDocument.Kind.RESULT]
    firsts = (
        DossierDocument.objects.filter(dossier_id__in=ids, kind__in=kinds)
        .values("dossier_id", "kind")
        .annotate(first=Min("uploaded_at"))
    )
    return {(row["dossier_id"], row["kind"]): seconds(row["first"]) for row in firsts}


def fact_of(dossier: Dossier, events: list[DossierEvent]) -> DossierFact | None:
    """The dossier's fact row (unsaved); None until it is received."""
    facts = facts_fold(events)
    if facts.received is None or not events:
        return None
    if facts.due is None:
        facts.due = legal_due(dossier, facts.received)
    if facts.sup1_end is not None and facts.sup1_due is None and facts.due is not None:
        facts.sup1_due = due_after_supplement(dossier, facts)
    return DossierFact(
        dossier_id=dossier.pk, seq=events[-1].seq, receiving_unit_id=dossier.receiving_unit_id,
        deciding_unit_id=dossier.deciding_unit_id, procedure_id=dossier.procedure_id,
        field_id=getattr(dossier, "field_of_procedure", None), channel=dossier.channel, **facts.as_fields(),
    )  # fmt: skip


def moment(value: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def legal_due(dossier: Dossier, received: int, pauses: list[Pause] | None = None) -> int | None:
    """No appointment recorded (§3): the legal time limit counted from reception, if the
    procedure has one (the citizen's supplement time off the clock, as for an appointment)."""
    override = deadlines.limit_override(dossier)
    limit = override.limit if override is not None else deadlines.limit_of(dossier)
    if limit is None:
        return None
    due = deadline_compute(
        received=moment(received),
        limit=limit,
        unit=dossier.deciding_unit,
        pauses=pauses or [],
        cutoff_moves_day_limits=override.cutoff_moves_day_limits if override else None,
    ).due
    return seconds(due)


def due_after_supplement(dossier: Dossier, facts: Facts) -> int | None:
    """The appointment once the first supplement came, when its event did not record one (an
    apology kept the date, a legacy line, an end while waiting): the limit counted again with
    the wait off the clock; without a limit, the appointment moved by the wait."""
    assert facts.received is not None
    assert facts.sup1_start is not None
    assert facts.sup1_end is not None
    assert facts.due is not None
    wait = Pause(moment(facts.sup1_start), moment(facts.sup1_end), PauseKind.SUPPLEMENT)
    again = legal_due(dossier, facts.received, [wait])
    return again if again is not None else facts.due + facts.sup1_end - facts.sup1_start
