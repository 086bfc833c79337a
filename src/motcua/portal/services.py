"""Public lookup of a dossier by its code and the last 4 digits of the ID number or phone.

No enumeration: the same answer whether the code or the digits were wrong, and failed attempts
are throttled per address and per dossier (``throttle``). A lookup is one query (the dossier,
its history and the failure counts together) when it succeeds, plus one upsert when it fails.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError
from motcua.common.inline import attach_all, inline_annotations
from motcua.common.prepared import PreparedQuery
from motcua.dossiers.models import Dossier
from motcua.dossiers.reading import EVENTS

from . import throttle
from .models import LookupFailure
from .ownership import citizen_dossier_filter


class TooManyLookups(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau 15 phút."))


def limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "MOTCUA_LOOKUP_LIMIT_PER_ADDRESS", 20)),
        int(getattr(settings, "MOTCUA_LOOKUP_LIMIT_PER_CODE", 5)),
    )


def failures(name: object, since: int) -> Subquery:
    rows = (
        LookupFailure.objects.filter(name=name, minute__gte=since)
        .order_by()
        .values("name")
        .annotate(total=Sum("failures"))
        .values("total")
    )
    return Subquery(rows)


# What the page shows of the procedure and the units; their large texts stay in the database.
SHOWN = ("procedure__code", "procedure__name", "procedure__online_level", "receiving_unit__name", "deciding_unit__name")  # fmt: skip


def dossiers_looked_up(name: str, address: str, since: int) -> QuerySet[Dossier]:
    """The dossier named ``name`` (code or reference) with its history and the failed lookups
    of the address and of the dossier in the window."""
    fields = [f.name for f in Dossier._meta.concrete_fields]
    return (
        Dossier.objects.filter(Q(code=name) | Q(ref=name))
        .select_related("procedure", "deciding_unit", "receiving_unit")
        .only(*fields, *SHOWN)
        .annotate(
            address_failures=failures(address, since),
            dossier_failures=failures(Concat(Value("code:"), OuterRef("ref")), since),
            **inline_annotations(EVENTS),
        )
        .order_by("-submitted_at", "-pk")[:1]
    )


LOOKED_UP = PreparedQuery(dossiers_looked_up, name=("A", "B"), address=("ip:a", "ip:b"), since=(1, 2))  # fmt: skip


def dossier_lookup(
    *, code: str, last_digits: str, ip: str | None, at: datetime.datetime
) -> Dossier | None:
    """The dossier, or None: never says which of the two inputs was wrong."""
    code = code.strip().upper()[:80]
    digits = "".join(ch for ch in last_digits if ch.isascii() and ch.isdigit())
    per_address, per_code = limits()
    address = throttle.address_name(ip)
    found = LOOKED_UP(name=code, address=address, since=throttle.window_start(at)) if code else []
    dossier = found[0] if found else None
    # Guesses count per dossier, whichever of its two names (code, reference) was typed.
    name = throttle.dossier_name(dossier.ref if dossier is not None else code)
    if dossier is not None:
        attach_all(dossier, EVENTS)
        by_address = dossier.address_failures or 0  # type: ignore[attr-defined]
        by_name = dossier.dossier_failures or 0  # type: ignore[attr-defined]
    else:
        counted = throttle.failures_of([address, name], at)
        by_address, by_name = counted.get(address, 0), counted.get(name, 0)
    if by_address >= per_address or by_name >= per_code:
        raise TooManyLookups()
    if len(digits) == 4 and dossier is not None:
        phone = str((dossier.applicant or {}).get("phone", ""))
        if dossier.applicant_id_number.endswith(digits) or phone.endswith(digits):
            return dossier
    throttle.failure_record([address, name], at)
    return None


def citizen_dossiers(user: object) -> Q:
    """A citizen's dossiers: those they submitted, and those they proved they applied for.

    Never "every dossier filed with their ID number": an ID number typed at sign-up is no proof
    (see ``ownership``)."""
    return citizen_dossier_filter(user)
