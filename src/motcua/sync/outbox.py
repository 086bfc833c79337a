"""The outbox: each dossier event, in its own transaction, marks the dossier as having a change
for the portal (one upsert of its ``DossierSync`` row). If the action rolls back, so does the mark;
if it commits, the worker will see it: nothing is lost between the commit and the delivery.

Only when sync is on (``MOTCUA_DVCQG_URL`` set). Off, nothing is written at all, so that a
deployment without the portal grows no table and pays no statement; when it is turned on,
``motcua sync reconcile`` sends what happened before (decision 0027).

A counter dossier is submitted and received in one transaction: two events, one mark. The second
event finds the dossier already marked in this transaction (the instance remembers it until the
commit) and writes nothing: the worker sends every event above what was delivered, whichever
event marked it.
"""

from __future__ import annotations

from django.db import transaction

from motcua.common.clock import now
from motcua.common.events import Event
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.dvcqg.client import sync_enabled
from motcua.sync.selectors import sync_recorded_now

from .models import DossierSync

MARK = "_motcua_portal_sync_marked"


def on_dossier_event(published: Event) -> None:
    """Subscriber of every event, in its transaction."""
    dossier, event = published.data.get("dossier"), published.data.get("event")
    if not isinstance(dossier, Dossier) or not isinstance(event, DossierEvent):
        return
    if not sync_enabled() or dossier.__dict__.get(MARK):
        return
    outbox_mark(dossier, event.seq)


def outbox_mark(dossier: Dossier, seq: int) -> None:
    """One statement: the row is created, or its pending sequence raised and made due now.

    A dead row stays dead (``dead_at`` is not touched): its older change must go first, and an
    officer sends it again from the list of failures."""
    row = DossierSync(
        dossier_id=dossier.pk, unit_id=dossier.receiving_unit_id, enqueued_seq=seq,
        next_attempt_at=now(),
    )  # fmt: skip
    DossierSync.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["dossier"],
        update_fields=["enqueued_seq", "next_attempt_at"],
    )  # fmt: skip
    dossier.__dict__[MARK] = True
    transaction.on_commit(lambda: dossier.__dict__.pop(MARK, None))
    transaction.on_commit(sync_recorded_now)
