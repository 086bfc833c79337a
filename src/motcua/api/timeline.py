"""Delay attribution of one dossier: who held it, when, in working time (issue 17). The same
access as the dossier itself: a dossier the caller may not read is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from motcua.supervision.attribution import dossier_timeline

from .auth import SessionAuth, TokenAuth
from .dossiers import officer, visible_or_404
from .schemas import ErrorOut

router = Router(tags=["supervision"], auth=[TokenAuth(), SessionAuth()])


class SegmentOut(Schema):
    unit: str = Field(description="code of the unit that held the dossier")
    step: str = Field(
        description="step of the internal process ('' while a transfer waits, or when the "
        "procedure has no internal process)"
    )
    holder: str = Field(
        description="officer (username): the assignee of the specialist's step (or of a dossier "
        "without internal process), else who moved it on; '' for the citizen's time or a step "
        "still open"
    )
    start: str = Field(alias="from")
    end: str | None = Field(alias="to", description="null: still open (counted up to now)")
    working_seconds: int
    over_budget_seconds: int = Field(description="working seconds beyond the step's budget")
    citizen: bool = Field(description="the citizen's time (supplement, payment): clock stopped")


class TimelineOut(Schema):
    ref: str
    segments: list[SegmentOut]


@router.get(
    "/dossiers/{ref}/timeline",
    response={200: TimelineOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    by_alias=True,
)
def dossier_timeline_get(request: HttpRequest, ref: str) -> dict[str, Any]:
    """Who held the dossier: unit, step, officer, in working seconds, with the time beyond each
    step's budget and the citizen's time apart (``citizen``)."""
    user = officer(request)
    dossier = visible_or_404(user, ref)
    segments = dossier_timeline(dossier)
    return {"ref": dossier.ref, "segments": [segment.as_json() for segment in segments]}
