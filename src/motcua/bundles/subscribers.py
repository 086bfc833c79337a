"""The bundle kernel listens to member dossiers: each of their events enqueues the saga's next
step (in the event's transaction, so it commits or rolls back with it; run by the worker)."""

from __future__ import annotations

from motcua.common.events import Event
from motcua.dossiers.models import Dossier

from .tasks import bundle_advance_task

# The submission of a member is the bundle kernel's own doing: nothing to react to.
IGNORED = frozenset({"dossier.submit"})


def on_dossier_event(published: Event) -> None:
    if not published.name.startswith("dossier.") or published.name in IGNORED:
        return
    dossier = published.data.get("dossier")
    if not isinstance(dossier, Dossier):
        return
    form = dossier.eform_data if isinstance(dossier.eform_data, dict) else {}
    marker = form.get("bundle")
    # Only a cheap test on the row in hand: the task reads the members themselves, so a form
    # that merely claims to be a member changes nothing.
    if isinstance(marker, dict) and isinstance(marker.get("id"), int):
        bundle_advance_task.enqueue(bundle_id=marker["id"])
