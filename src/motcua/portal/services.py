"""Public lookup of a dossier by its code and the last 4 digits of the ID number or phone.

No enumeration: the same answer whether the code or the digits were wrong, and attempts are
throttled per address and per code.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError
from motcua.dossiers.models import Dossier

from .models import LookupAttempt
from .ownership import citizen_dossier_filter

WINDOW = datetime.timedelta(minutes=15)


class TooManyLookups(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau 15 phút."))


def limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "MOTCUA_LOOKUP_LIMIT_PER_ADDRESS", 20)),
        int(getattr(settings, "MOTCUA_LOOKUP_LIMIT_PER_CODE", 5)),
    )


def dossier_lookup(
    *, code: str, last_digits: str, ip: str | None, at: datetime.datetime
) -> Dossier | None:
    """The dossier, or None: never says which of the two inputs was wrong."""
    code = code.strip().upper()[:80]
    digits = "".join(ch for ch in last_digits if ch.isascii() and ch.isdigit())
    per_address, per_code = limits()
    dossier = (
        Dossier.objects.select_related("procedure", "deciding_unit", "receiving_unit")
        .filter(Q(code=code) | Q(ref=code))
        .first()
        if code
        else None
    )
    # Guesses count per dossier, whichever of its two names (code, reference) was typed.
    key = dossier.ref if dossier is not None else code
    recent = LookupAttempt.objects.filter(at__gte=at - WINDOW, found=False)
    if recent.filter(ip=ip).count() >= per_address or recent.filter(code=key).count() >= per_code:
        raise TooManyLookups()
    found = None
    if len(digits) == 4 and dossier is not None:
        phone = str((dossier.applicant or {}).get("phone", ""))
        if dossier.applicant_id_number.endswith(digits) or phone.endswith(digits):
            found = dossier
    LookupAttempt.objects.create(ip=ip, code=key, at=at, found=found is not None)
    return found


def citizen_dossiers(user: object) -> Q:
    """A citizen's dossiers: those they submitted, and those they proved they applied for.

    Never "every dossier filed with their ID number": an ID number typed at sign-up is no proof
    (see ``ownership``)."""
    return citizen_dossier_filter(user)
