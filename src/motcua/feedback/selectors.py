"""Reads of citizen feedback: the unit's list, the sender's own, the public page, and the
counts of Decision 766/QĐ-TTg indicators 5.1–5.3 (DOMAIN.md §3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from motcua.accounts.models import User
from motcua.common.text import tokens

from .constants import FeedbackStatus
from .models import Feedback
from .permissions import handling_unit_ids
from .redaction import redact

LIST_DEFERS = ("question", "answer", "public_question", "public_answer", "search_text")


def unit_feedback(user: User, *, status: str = "") -> QuerySet[Feedback]:
    """The feedback of the units ``user`` handles: open ones first, the nearest deadline first."""
    found = Feedback.objects.filter(unit_id__in=sorted(handling_unit_ids(user)))
    if status:
        found = found.filter(status=status)
    return (
        found.select_related("unit", "procedure")
        .defer(*LIST_DEFERS)
        .order_by("status", "answer_due", "pk")
    )


def feedback_for_officer(user: User, code: str) -> Feedback | None:
    """One feedback of a unit ``user`` handles; None (a 404) for any other."""
    return (
        Feedback.objects.filter(code=code, unit_id__in=sorted(handling_unit_ids(user)))
        .select_related("unit", "procedure", "dossier", "officer", "answered_by")
        .first()
    )


def my_feedback(user: User) -> QuerySet[Feedback]:
    return Feedback.objects.filter(sender_id=user.pk).select_related("unit").defer(*LIST_DEFERS)


def my_feedback_one(user: User, code: str) -> Feedback | None:
    if not user.is_authenticated:
        return None
    return (
        Feedback.objects.filter(code=code, sender_id=user.pk)
        .select_related("unit", "procedure", "dossier")
        .first()
    )


def public_feedback(query: str = "") -> QuerySet[Feedback]:
    """Published answers, newest first; ``query`` matched without accents, every word."""
    found = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED)
    for word in tokens(query)[:10]:
        found = found.filter(search_text__contains=word)
    return (
        found.select_related("unit", "procedure")
        .only(
            "code",
            "subject",
            "public_title",
            "public_question",
            "public_answer",
            "received_at",
            "answered_at",
            "published_at",
            "unit__name",
            "procedure__name",
            "procedure__code",
        )
        .order_by("-published_at", "-pk")
    )


def redacted_again(items: Iterable[Feedback]) -> None:
    """The public copies as shown: redacted again with the rules in force, so that a copy
    written before a rule improved never shows what the rule now hides (QA). Redacting twice
    changes nothing more; the stored copies and the search's words are rewritten by
    ``feedback_redact`` (``services.public_copies_refresh``)."""
    for item in items:
        item.public_title = redact(item.public_title)
        item.public_question = redact(item.public_question)
        item.public_answer = redact(item.public_answer)


@dataclass
class FeedbackCounts:
    """Numerators and denominators of 5.1–5.3 over one period and scope."""

    rejected: int = 0
    rejected_on_time: int = 0
    handled: int = 0
    handled_on_time: int = 0
    answered: int = 0
    published_on_time: int = 0


def feedback_rows(
    *, unit_ids: frozenset[int] | None = None, procedure_ids: frozenset[int] | None = None,
    field_id: int | None = None, channel: str | None = None,
) -> QuerySet[Feedback]:  # fmt: skip
    """The feedback in a scope: units (the caller passes the units below too), procedure, field
    (of the procedure), channel."""
    rows = Feedback.objects.all()
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=sorted(unit_ids))
    if procedure_ids is not None:
        rows = rows.filter(procedure_id__in=sorted(procedure_ids))
    if field_id is not None:
        rows = rows.filter(procedure__field_id=field_id)
    if channel:
        rows = rows.filter(channel=channel)
    return rows


def feedback_count_expressions(
    start: datetime.datetime, until: datetime.datetime
) -> dict[str, Any]:
    """The aggregates of 5.1–5.3, named as the ``FeedbackCounts`` fields, over period
    [start, until); what is unfinished at ``until`` is judged there, as the on-time rule of 2.1
    judges an unfinished dossier at the period's end.

    - 5.1: refused in the period; on time when refused by its 2-working-day deadline.
    - 5.2: not refused by ``until``, received before it and not answered before ``start``; on
      time when more information, if asked, was asked within 5 working days, and the answer came
      by its deadline (15 working days, the sender's time off) — or, unanswered at ``until``,
      the deadline has not passed then (waiting for the sender: judged on the request alone).
    - 5.3: answered before ``until`` and not published before ``start``; on time when published
      within 2 working days of the answer, or unpublished at ``until`` with time still left.
    """
    rejected = Q(rejected_at__gte=start, rejected_at__lt=until)
    answered_by_end = Q(answered_at__lt=until)
    waiting = Q(requested_at__lt=until) & (Q(supplied_at__isnull=True) | Q(supplied_at__gte=until))
    handled = (
        Q(received_at__lt=until)
        & (Q(rejected_at__isnull=True) | Q(rejected_at__gte=until))
        & (Q(answered_at__isnull=True) | Q(answered_at__gte=start))
    )
    asked_in_time = (
        Q(requested_at__isnull=True)
        | Q(requested_at__gte=until)
        | Q(requested_at__lte=F("request_due"))
    )
    answer_in_time = (answered_by_end & Q(answered_at__lte=F("answer_due"))) | (
        ~answered_by_end & (waiting | Q(answer_due__gte=until))
    )
    published_by_end = Q(published_at__lt=until)
    to_publish = answered_by_end & (Q(published_at__isnull=True) | Q(published_at__gte=start))
    publish_in_time = (published_by_end & Q(published_at__lte=F("publish_due"))) | (
        ~published_by_end & Q(publish_due__gte=until)
    )
    return {
        "rejected": Count("pk", filter=rejected),
        "rejected_on_time": Count("pk", filter=rejected & Q(rejected_at__lte=F("reject_due"))),
        "handled": Count("pk", filter=handled),
        "handled_on_time": Count("pk", filter=handled & asked_in_time & answer_in_time),
        "answered": Count("pk", filter=to_publish),
        "published_on_time": Count("pk", filter=to_publish & publish_in_time),
    }


def counts_from(row: dict[str, Any]) -> FeedbackCounts:
    return FeedbackCounts(**{name: int(row.get(name) or 0) for name in FEEDBACK_FIELDS})


FEEDBACK_FIELDS = ("rejected", "rejected_on_time", "handled", "handled_on_time", "answered",
                   "published_on_time")  # fmt: skip


def feedback_counts(
    *, start: datetime.datetime, until: datetime.datetime, unit_ids: frozenset[int] | None = None,
    procedure_ids: frozenset[int] | None = None, field_id: int | None = None,
    channel: str | None = None,
) -> FeedbackCounts:  # fmt: skip
    """One aggregate over the scope (see ``feedback_count_expressions``)."""
    rows = feedback_rows(unit_ids=unit_ids, procedure_ids=procedure_ids, field_id=field_id,
                         channel=channel)  # fmt: skip
    return counts_from(rows.aggregate(**feedback_count_expressions(start, until)))


def feedback_counts_by(
    by: str, *, start: datetime.datetime, until: datetime.datetime,
    unit_ids: frozenset[int] | None = None, procedure_ids: frozenset[int] | None = None,
    field_id: int | None = None, channel: str | None = None,
) -> dict[int | None, FeedbackCounts]:  # fmt: skip
    """The same counts grouped, in one query, by ``by``: "unit_id", "procedure_id" or
    "procedure__field_id" (None: feedback without one)."""
    if by not in ("unit_id", "procedure_id", "procedure__field_id"):
        raise ValueError(by)
    rows = feedback_rows(unit_ids=unit_ids, procedure_ids=procedure_ids, field_id=field_id,
                         channel=channel)  # fmt: skip
    grouped = rows.values(by).annotate(**feedback_count_expressions(start, until)).order_by()
    return {row[by]: counts_from(row) for row in grouped}
