"""The indicators' counts recomputed the slow, obvious way: every dossier, every event, in Python,
walking each history up to the period's end. Written apart from the rollup (no fold, no SQL) so
that the two can disagree."""

from __future__ import annotations

import datetime
from typing import Any

from motcua.dossiers.models import Dossier, DossierDocument
from motcua.ratings.models import Rating
from motcua.supervision.compute import Counts, Scope
from motcua.supervision.populations import ONLINE_CHANNELS

ENDS = {"processed", "returned", "stopped"}


def stamp(value: Any) -> int | None:
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return int(value.timestamp())


def in_scope(dossier: Dossier, scope: Scope) -> bool:
    units = scope.unit_ids
    if units is not None and not ({dossier.receiving_unit_id, dossier.deciding_unit_id} & units):
        return False
    if scope.procedure_ids is not None and dossier.procedure_id not in scope.procedure_ids:
        return False
    if scope.field_id is not None and dossier.procedure.field_id != scope.field_id:
        return False
    return not scope.channel or dossier.channel == scope.channel


def naive_counts(scope: Scope, start: int, until: int, due_after: Any = None) -> Counts:
    """``due_after(dossier, received, wait_start, wait_end)``: the appointment once the first
    supplement came, for histories whose answer did not record one (the rollup's fallback)."""
    c = Counts()
    for dossier in Dossier.objects.select_related("procedure").order_by("pk"):
        if in_scope(dossier, scope):
            naive_add(c, dossier, start, until, due_after)
    return c


def naive_add(c: Counts, dossier: Dossier, start: int, until: int, due_after: Any) -> None:
    events = [(stamp(e.at), e) for e in dossier.events.order_by("seq")]
    receptions = [(t, e) for t, e in events if e.action == "receive"]
    if not receptions or receptions[0][0] >= until:
        return
    received, reception = receptions[0]
    after = [(t, e) for t, e in events if e.seq > reception.seq]
    end_at = next((t for t, e in after if e.to_status in ENDS), None)
    end_kind = next((e.to_status for t, e in after if e.to_status in ENDS), None)
    if end_at is not None:
        after = [(t, e) for t, e in after if t <= end_at]  # nothing counts after the end
    requests = [t for t, e in after if e.action == "request_supplement"]
    due = stamp(reception.payload.get("due_at"))
    handled = end_at is None or end_at >= start
    if handled:
        c.handled += 1
    if handled and due is not None:
        c.judged += 1
        if on_time(dossier, after, requests, received, due, until, due_after):
            c.on_time += 1
        rating = Rating.objects.filter(dossier=dossier).first()
        if rating is not None and not rating.satisfied and stamp(rating.created_at) < until:
            c.unsatisfied += 1
    if start <= received:
        c.received += 1
        c.online += dossier.channel in ONLINE_CHANNELS
    if end_kind in ("processed", "returned") and end_at is not None and start <= end_at < until:
        c.resolved += 1
        waits = sum(b - a for a, b, _answer in pauses_of(after, until=end_at + 1))
        c.resolution_seconds += end_at - received - waits
        results = first_file(dossier, DossierDocument.Kind.RESULT)
        inputs = first_file(dossier, DossierDocument.Kind.INPUT)
        if results is not None and results < until:
            c.e_result += 1
            if inputs is not None and inputs < until:
                c.digitised += 1


def first_file(dossier: Dossier, kind: str) -> int | None:
    found = dossier.documents.filter(kind=kind).order_by("uploaded_at").first()
    return stamp(found.uploaded_at) if found else None


def pauses_of(after: list[tuple[Any, Any]], *, until: int) -> list[tuple[int, int, Any]]:
    """(start, end, answering event) of each supplement wait closed before ``until``."""
    closed, waiting = [], None
    for t, e in after:
        if t >= until:
            break
        if e.action == "request_supplement" and waiting is None:
            waiting = t
        elif waiting is not None and (
            (e.action == "submit_supplement" and not e.payload.get("partial"))
            or e.to_status in ENDS
        ):
            closed.append((waiting, t, e))
            waiting = None
    return closed


def on_time(
    dossier: Dossier, after: list[tuple[Any, Any]], requests: list[int], received: int, due: int,
    until: int, due_after: Any,
) -> bool:  # fmt: skip
    if len([t for t in requests if t < until]) > 1:
        return False
    seen = [(t, e) for t, e in after if t < until]
    end = next((t for t, e in seen if e.to_status in ENDS), None)
    closed = pauses_of(after, until=until)
    first_request = requests[0] if requests else None
    answered = closed[0] if closed and closed[0][0] == first_request else None
    if end is not None:
        ended_waiting = (
            answered is not None and answered[1] == end and answered[2].to_status in ENDS
        )
        judged_at = first_request if ended_waiting else end
    elif first_request is not None and first_request < until and answered is None:
        judged_at = first_request  # still waiting for the supplement at the period's end
    else:
        judged_at = until
    assert judged_at is not None
    deadline = due
    if answered is not None and answered[1] <= judged_at:
        recorded = (
            stamp(answered[2].payload.get("due_at"))
            if answered[2].action == "submit_supplement"
            else None
        )
        deadline = recorded or due_after(dossier, received, answered[0], answered[1])
    return judged_at <= deadline
