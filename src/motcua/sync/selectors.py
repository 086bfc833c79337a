"""Reads of the sync outbox for other apps: whether the portal holds a dossier as received
(Decision 766 indicator 1.4: dossiers synchronised with their reception date)."""

from __future__ import annotations

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


# Per database: what the last look at the outbox found.
_seen: dict[str, bool] = {}


def sync_recorded() -> bool:
    """Whether this installation has recorded any dossier for the portal (an outbox row): then
    1.4 is counted, whatever the process asking. Asked of the data, not of this process's
    settings, so that ``motcua indicators`` run without the portal's address gives the figures
    the web app gives (QA). Looked at once per process, and again at every rollup catch-up
    (``sync_recorded_refresh``), which every report runs first: a report costs one query for
    it, always the same one."""
    name = _database()
    if name not in _seen:
        _seen[name] = DossierSync.objects.exists()
    return _seen[name]


def sync_recorded_refresh() -> None:
    """Look at the outbox again (the rollup's catch-up, before a report reads its figures)."""
    _seen[_database()] = DossierSync.objects.exists()


def sync_recorded_forget() -> None:
    """Forget what was seen (tests, whose databases are emptied between them)."""
    _seen.clear()


def sync_recorded_now() -> None:
    """An outbox row was just written by this process: no need to ask."""
    _seen[_database()] = True


def _database() -> str:
    return str(connection.settings_dict.get("NAME"))
