"""Population-registry data for a dossier (docs/decisions/0030, issue 15): the e-form's prefill
for a VNeID-verified citizen, and the record that registry data was used for a dossier (the
766 flag ``population_data``, ``motcua export-dossiers``).

Online, only a verified account (VNeID level 2, ``accounts.permissions.identity_verified``) is
given its own record: an ID number typed at sign-up proves nothing. At the counter, the officer's
lookup (``services.registry_answer``) happens before the dossier exists; when the dossier is
received from the looked-up form, the use is recorded against it, provided this officer did look
the number up shortly before.
"""

from __future__ import annotations

import datetime

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.dossiers.constants import ApplicantKind
from motcua.dossiers.extensions import RegistryAnswer
from motcua.dossiers.models import Dossier

from .models import DataUse, OwnerKind
from .services import registry_answer, uses_log

ONLINE, COUNTER = "online", "counter"
# The counter's lookup and the reception it prefilled belong to the same visit.
LOOKUP_FRESH = datetime.timedelta(hours=2)


def record_name(id_number: str) -> str:
    return f"population/people/{id_number}"


def own_record(user: User, at: datetime.datetime) -> RegistryAnswer | None:
    """The registry's record of a verified citizen's own number (the lookup is logged in their
    "ai đã dùng dữ liệu của tôi"); None for any other account or without a registry."""
    if not permissions.identity_verified(user):
        return None
    return registry_answer(user.citizen_profile.id_number, {}, user, at)


def registry_used(
    dossier: Dossier, id_number: str, user: User, how: str, at: datetime.datetime,
    differences: list[tuple[str, str, str]],
) -> bool:  # fmt: skip
    """Record that the registry's record of the applicant was used for ``dossier``: one
    ``DataUse`` of kind registry against it. Refused (False) for a dossier of someone else, an
    online account that is not verified for that number, or a counter dossier whose number this
    officer did not look up shortly before."""
    if dossier.applicant_kind != ApplicantKind.PERSON or dossier.applicant_id_number != id_number:
        return False
    if how == ONLINE:
        profile = getattr(user, "citizen_profile", None)
        if not permissions.identity_verified(user) or profile is None:
            return False
        if profile.id_number != id_number:
            return False
    elif not looked_up(id_number, user, at):
        return False
    uses_log(
        (OwnerKind.PERSON, id_number), [], dossier=dossier, user=user, what=DataUse.What.REGISTRY,
        at=at, registry_record=record_name(id_number), differences=differences,
    )  # fmt: skip
    return True


def looked_up(id_number: str, user: User, at: datetime.datetime) -> bool:
    return DataUse.objects.filter(
        what=DataUse.What.REGISTRY, owner_kind=OwnerKind.PERSON, owner_id_number=id_number,
        user=user, dossier__isnull=True, at__gte=at - LOOKUP_FRESH, at__lte=at,
    ).exists()  # fmt: skip
