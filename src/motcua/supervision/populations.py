"""Who each count of Decision 766 counts, for a period ``[start, until)``: the one definition
that the per-fact aggregate (``compute.py``), the monthly buckets and their corrections
(``buckets.py``) are all made of.

- *handled* (2.1, 5.4): received before the period's end and not ended before its start: the
  dossiers received in the period and those carried over into it;
- *received* (3.3): received within the period;
- *resolved* (2.2, 4.1, 4.2): a result (granted or refused) within the period.

The period's end is the next day's midnight in Hà Nội, or now when that is later than now: an
unfinished dossier is judged at that instant. The on-time rule of §3, at period end ``T``:

    late if a second supplement request came before T; otherwise
    E = the end, if before T; else the first request, if it is still waiting at T; else T;
    on time when E ≤ the appointment: the one given at reception, or, once the first supplement
    was answered by E, the one that answer gave (the citizen's time taken off, in working time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models import IntegerField as IntegerOutput

from motcua.dossiers.constants import Channel

from .facts import END_KIND_RESOLVED
from .models import DossierFact

ONLINE_CHANNELS = [Channel.ONLINE, Channel.NATIONAL_PORTAL]


@dataclass(frozen=True)
class Scope:
    """Which dossiers: those received or decided by one of ``unit_ids`` (None: every unit)."""

    unit_ids: frozenset[int] | None = None
    procedure_ids: frozenset[int] | None = None
    field_id: int | None = None
    channel: str | None = None


def scoped(scope: Scope, rows: Any = None, *, field: str = "field_id") -> Any:
    """``rows`` (the facts, or the monthly buckets whose field column is ``field_key``) of the
    scope."""
    facts = DossierFact.objects.all() if rows is None else rows
    if scope.unit_ids is not None:
        ids = sorted(scope.unit_ids)
        facts = facts.filter(Q(receiving_unit_id__in=ids) | Q(deciding_unit_id__in=ids))
    if scope.procedure_ids is not None:
        facts = facts.filter(procedure_id__in=sorted(scope.procedure_ids))
    if scope.field_id is not None:
        facts = facts.filter(**{field: scope.field_id})
    if scope.channel:
        facts = facts.filter(channel=scope.channel)
    return facts


def populations(start: int, until: int) -> dict[str, Q]:
    """The conditions of every count at period ``[start, until)`` (see the module)."""
    ended_before = Q(end__isnull=False, end__lt=until)
    waiting = Q(sup1_start__lt=until) & (Q(sup1_end__isnull=True) | Q(sup1_end__gte=until))
    effective_end = Case(
        When(ended_before, then=F("judge_end")),
        When(waiting, then=F("sup1_start")),
        default=Value(until),
        output_field=IntegerOutput(),
    )
    # The first supplement answered by then: the appointment it gave (the citizen's time off).
    answered = Q(sup1_end__isnull=False, sup1_end__lte=effective_end)
    on_time_by = (answered & Q(sup1_due__gte=effective_end)) | (
        ~answered & Q(due__gte=effective_end)
    )
    before = Q(received__lt=until)
    handled = before & (Q(end__isnull=True) | Q(end__gte=start))
    judged = handled & Q(due__isnull=False)
    received = before & Q(received__gte=start)
    resolved = before & Q(end_kind=END_KIND_RESOLVED, end__gte=start, end__lt=until)
    return {
        "handled": handled, "judged": judged,
        "on_time": judged & (Q(sup2__isnull=True) | Q(sup2__gte=until)) & on_time_by,
        "received": received, "resolved": resolved,
        "had_result": resolved & Q(e_result__lt=until),
    }  # fmt: skip


def count_parts(start: int, until: int) -> dict[str, tuple[Any, Q]]:
    """Each count of ``Counts`` at period ``[start, until)`` (1.4 aside) as (what is summed, None
    for a count of dossiers; the condition): the one definition that the per-fact aggregate,
    the monthly buckets and their corrections (``buckets.py``) all build on."""
    p = populations(start, until)
    judged, received, resolved, had_result = (
        p["judged"],
        p["received"],
        p["resolved"],
        p["had_result"],
    )
    return {
        "handled": (None, p["handled"]),
        "judged": (None, judged),
        "on_time": (None, p["on_time"]),
        "unsatisfied": (None, judged & Q(unsatisfied__lt=until)),
        "received": (None, received),
        "online": (None, received & Q(channel__in=ONLINE_CHANNELS)),
        "resolved": (None, resolved),
        "resolution_seconds": (F("end") - F("received") - F("citizen"), resolved),
        "e_result": (None, had_result),
        "digitised": (None, had_result & Q(digitised__lt=until)),
        "reused": (None, received & Q(reused__lt=until)),
        "from_store": (None, received & Q(from_store__lt=until)),
        "fee": (None, received & Q(fee__lt=until)),
        "paid_online": (None, received & Q(paid_online__lt=until)),
    }


def aggregate_of(summed: Any, condition: Q) -> Any:
    return Count("pk", filter=condition) if summed is None else Sum(summed, filter=condition)
