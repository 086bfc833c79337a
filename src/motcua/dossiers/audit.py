"""The hash chain of dossier events: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import Dossier, DossierEvent


def event_digest(dossier_ref: str, event: DossierEvent) -> str:
    content: dict[str, Any] = {
        "dossier": dossier_ref,
        "seq": event.seq,
        # UTC, so that the value read back from any database hashes the same.
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_name,
        "unit": event.unit_id,
        "action": event.action,
        "from": [event.from_status, event.from_step],
        "to": [event.to_status, event.to_step],
        "reason": event.reason,
        "payload": event.payload,
        "prev": event.prev_hash,
    }
    text = json.dumps(
        content, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    dossier: str
    seq: int | None
    problem: str


def chain_problems(dossier: Dossier, events: Iterable[DossierEvent]) -> list[ChainProblem]:
    """Edited, deleted or re-ordered events, and a dossier row that disagrees with its history."""
    problems = []
    previous, expected_seq, last = "", 1, None
    for event in events:
        if event.seq != expected_seq:
            problems.append(ChainProblem(dossier.ref, expected_seq, "event missing (deleted?)"))
            expected_seq = event.seq
        if event.prev_hash != previous:
            problems.append(
                ChainProblem(dossier.ref, event.seq, "chain broken: previous hash differs")
            )
        if event_digest(dossier.ref, event) != event.hash:
            problems.append(
                ChainProblem(dossier.ref, event.seq, "event content changed after it was written")
            )
        previous, expected_seq, last = event.hash, expected_seq + 1, event
    if last is None:
        return [ChainProblem(dossier.ref, None, "dossier has no history")]
    # One event per version: a missing tail shows as a version ahead of the last event.
    if last.seq != dossier.version:
        problems.append(ChainProblem(dossier.ref, last.seq + 1, "latest events missing (deleted?)"))
    if last.to_status != dossier.status:
        problems.append(ChainProblem(dossier.ref, None, "dossier status differs from its history"))
    return problems


def audit_verify(dossiers: QuerySet[Dossier] | None = None) -> tuple[int, list[ChainProblem]]:
    """Check every dossier's chain; returns (dossiers checked, problems found)."""
    queryset = dossiers if dossiers is not None else Dossier.objects.order_by("pk")
    checked, problems = 0, []
    for dossier in queryset.iterator(chunk_size=500):
        events = DossierEvent.objects.filter(dossier=dossier).order_by("seq")
        problems.extend(chain_problems(dossier, events))
        checked += 1
    return checked, problems
