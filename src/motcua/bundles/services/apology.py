"""The apology through the bundle (Decree 61/2018 art. 19(9); TT 01/2018 Mẫu 04; issue 14).

A member's agency apologises and gives a new date through the dossier kernel's own action, which
issues the form. The bundle follows it: one ``apology`` event per member, and the whole bundle's
appointment (``due_at``) moves to the new date when that is later. The whole bundle's limit
(``statutory_due_at``) never moves: the Center judges lateness by it (``pages.sla_of``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from motcua.dossiers.constants import DocumentKind

from ..constants import BundleAction
from ..models import Bundle, BundleMember
from .record import event_add


def apologies_follow(
    bundle: Bundle, members: Sequence[BundleMember], *, at: datetime.datetime
) -> None:
    """Record each member's apology once and move the bundle's appointment after it. The caller
    holds the bundle's row lock and saves the bundle. Reads nothing for members without one."""
    apologised = [m for m in members if m.dossier is not None and m.dossier.apologies]
    if not apologised:
        return
    known = set(bundle.events.filter(action=BundleAction.APOLOGY).values_list("service", flat=True))
    for member in apologised:
        if member.service not in known:
            apology_follow(bundle, member, at=at)


def apology_follow(bundle: Bundle, member: BundleMember, *, at: datetime.datetime) -> None:
    dossier = member.dossier
    assert dossier is not None
    assert dossier.due_at is not None
    issued = (
        dossier.issued_documents.filter(kind=DocumentKind.APOLOGY)
        .values_list("number", flat=True)
        .first()
    )
    before = bundle.due_at
    if bundle.due_at is None or dossier.due_at > bundle.due_at:
        bundle.due_at = dossier.due_at
    event_add(
        bundle, action=BundleAction.APOLOGY, at=at, service=member.service,
        payload={"dossier": dossier.ref, "number": issued or "", "member_due": dossier.due_at.isoformat(),
                 "previous_due": before.isoformat() if before else None,
                 "due_at": bundle.due_at.isoformat()},
    )  # fmt: skip
