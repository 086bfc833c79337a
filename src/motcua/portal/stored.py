"""Components the applicant's data store already holds (docs/decisions/0030): offered on the
e-form as "Đã có", with where they come from; taken in place of an upload only once the
applicant agreed, once for the dossier. The store itself sits above the kernel and fills in
``dossiers.extensions.DATA``; the portal never imports it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from motcua.common import clock
from motcua.dossiers import extensions
from motcua.dossiers.constants import ApplicantKind
from motcua.dossiers.models import Dossier

from .models import Draft

if TYPE_CHECKING:
    from motcua.accounts.models import User

    from .submission import Checklist, Item

OFFERED = ("upload", "optional", "present")
CONSENT_SHOWN = "reuse_consent_shown"


def owner_of(user: Any) -> tuple[str, str] | None:
    business = getattr(user, "business_profile", None)
    if business is not None:
        return ApplicantKind.ORGANISATION, business.tax_code
    citizen = getattr(user, "citizen_profile", None)
    if citizen is not None and citizen.id_number:
        return ApplicantKind.PERSON, citizen.id_number
    return None


def offers_fill(draft: Draft, items: list[Item]) -> None:
    """Mark the items the store can satisfy (``item.stored``); on the first look too, before
    any draft is kept (a signed-in account's preview has its owner)."""
    if draft.owner_id is None:
        return
    owner = owner_of(draft.owner)
    wanted = [item.requirement for item in items if item.how in OFFERED]
    if owner is None or not wanted:
        return
    offers = extensions.DATA.offers(owner[0], owner[1], wanted, draft.owner, clock.today())
    for item in items:
        item.stored = offers.get(item.requirement.pk)


def consent_take(draft: Draft, post: Any) -> None:
    """The page showed the consent box: keep what the applicant chose."""
    if CONSENT_SHOWN not in post:
        return
    given = post.get("reuse_consent") == "yes"
    if given != draft.reuse_consent:
        draft.reuse_consent = given
        draft.save(update_fields=["reuse_consent", "updated_at"])


def reuse_at_submit(
    dossier: Dossier, checklist: Checklist, user: User, at: datetime.datetime
) -> int:
    """The dossier takes what the store holds for the items the applicant did not upload."""
    if not checklist.consent:
        return 0
    taken = [i.stored for i in checklist.items if i.stored is not None and not i.files]
    if not taken:
        return 0
    return extensions.DATA.reuse(dossier, taken, user, "online", at)
