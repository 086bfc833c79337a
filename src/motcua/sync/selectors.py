"""Reads of the sync outbox for other apps: whether the portal holds a dossier as received
(Decision 766 indicator 1.4: dossiers synchronised with their reception date)."""

from __future__ import annotations

import time

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery

from motcua.dossiers.constants import Action
from motcua.dossiers.models import DossierEvent

from .models import DossierSync


def synced_as_received() -> Exists:
    """True for a dossier whose reception event the portal confirmed (``delivered_seq`` reached
    it; a later failure does not undo that), in a query of rows with a ``dossier_id`` column."""
    reception = (
        DossierEvent.objects.filter(dossier_id=OuterRef("dossier_id"), action=Action.RECEIVE)
        .order_by("seq")
        .values("seq")[:1]
    )
    return Exists(
        DossierSync.objects.filter(
            dossier_id=OuterRef("dossier_id"), delivered_seq__gte=Subquery(reception)
        )
    )


# Per database: True once an outbox row was seen; else the monotonic time of the last "no".
_seen: dict[str, bool | float] = {}
RECHECK_SECONDS = 5.0


def sync_recorded() -> bool:
    """Whether this installation has recorded any dossier for the portal (an outbox row): then
    1.4 is counted, whatever the process asking. Asked of the data, not of this process's
    settings, so that ``motcua indicators`` run without the portal's address gives the figures
    the web app gives (QA). A "yes" is kept (outbox rows live as long as their dossiers); a
    "no" is asked again after a few seconds, so that a report costs no query more."""
    name = str(connection.settings_dict.get("NAME"))
    seen = _seen.get(name)
    if seen is True:
        return True
    if isinstance(seen, float) and time.monotonic() - seen < RECHECK_SECONDS:
        return False
    found = DossierSync.objects.exists()
    _seen[name] = True if found else time.monotonic()
    return found


def sync_recorded_forget() -> None:
    """Forget what was seen (tests, whose databases are emptied between them)."""
    _seen.clear()


def sync_recorded_now() -> None:
    """An outbox row was just written by this process: no need to ask."""
    _seen[str(connection.settings_dict.get("NAME"))] = True
