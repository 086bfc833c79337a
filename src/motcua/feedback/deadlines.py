"""The four feedback deadlines in working time (DOMAIN.md §3, indicators 5.1–5.3)."""

from __future__ import annotations

import datetime

from motcua.organizations.models import Unit
from motcua.worktime.engine import Pause, PauseKind
from motcua.worktime.rules import Limit
from motcua.worktime.services import deadline_compute

from .constants import ANSWER_LIMIT, PUBLISH_LIMIT, REJECT_LIMIT, REQUEST_LIMIT


def due(start: datetime.datetime, limit: Limit, unit: Unit) -> datetime.datetime:
    return deadline_compute(received=start, limit=limit, unit=unit).due


def reception_deadlines(received: datetime.datetime, unit: Unit) -> dict[str, datetime.datetime]:
    """Refuse within 2, ask for more within 5, answer within 15 working days of reception."""
    return {
        "reject_due": due(received, REJECT_LIMIT, unit),
        "request_due": due(received, REQUEST_LIMIT, unit),
        "answer_due": due(received, ANSWER_LIMIT, unit),
    }


def answer_due_after_supply(
    received: datetime.datetime, requested: datetime.datetime, supplied: datetime.datetime,
    unit: Unit,
) -> datetime.datetime:  # fmt: skip
    """The answer's deadline once the sender brought what was asked: the 15 working days with
    the sender's time (request → reply) off the clock, as a dossier's supplement is counted."""
    wait = Pause(requested, supplied, PauseKind.SUPPLEMENT)
    return deadline_compute(
        received=received, limit=ANSWER_LIMIT, unit=unit, pauses=[wait]
    ).due_if_paused


def publish_due(answered: datetime.datetime, unit: Unit) -> datetime.datetime:
    """Publish the answer within 2 working days of answering."""
    return due(answered, PUBLISH_LIMIT, unit)
