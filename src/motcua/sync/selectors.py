"""Reads of the sync outbox for other apps: whether the portal holds a dossier as received
(Decision 766 indicator 1.4: dossiers synchronised with their reception date)."""

from __future__ import annotations

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
