"""Public lookup of a dossier by its code and the last 4 digits of the ID number or phone.

No enumeration: the same answer whether the code or the digits were wrong. Failed attempts are
counted (``motcua.common.throttle``, windows of 15 minutes by default) per address, per address
and dossier, and per dossier from anywhere; successes are never counted. The limits slow a
guesser without locking the dossier's owner out (issue 18, decision 0035):

- an address is refused after 20 failures (any codes), or 5 on one dossier;
- a dossier guessed at from many addresses (50 failures) is under backoff: each address then
  gets one failure on it per window instead of 5, so a guess from a fresh address is still
  answered, and the owner typing the right digits finds their dossier whatever others did.

Guesses count per dossier whichever of its two names (code, reference) was typed, and per typed
code when it names no dossier (the same answers, so nothing tells whether a code exists). A
lookup is one query (the dossier, its history and the failure counts together) when it succeeds,
plus one upsert when it fails.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from motcua.common import throttle
from motcua.common.inline import Inline, attach_all, inline_annotations
from motcua.common.models import RateCount
from motcua.common.prepared import PreparedQuery
from motcua.dossiers.models import Dossier, DossierEvent

from .ownership import citizen_dossier_filter

ADDRESS, PAIR, DOSSIER, BACKOFF = (
    "lookup-address", "lookup-address-dossier", "lookup-dossier", "lookup-dossier-backoff",
)  # fmt: skip


class TooManyLookups(throttle.Throttled):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            retry_after,
            _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau 15 phút."),
        )


@dataclass(frozen=True)
class Failures:
    address: int
    pair: int
    dossier: int

    def refused(self) -> bool:
        by_address, by_pair = throttle.rate(ADDRESS).count, throttle.rate(PAIR).count
        ceiling, backoff = throttle.rate(DOSSIER).count, throttle.rate(BACKOFF).count
        if by_address and self.address >= by_address:
            return True
        if by_pair and self.pair >= by_pair:
            return True
        return bool(ceiling and self.dossier >= ceiling and self.pair >= backoff)


def window() -> int:
    return max(throttle.rate(name).minutes for name in (ADDRESS, PAIR, DOSSIER, BACKOFF))


def failures(name: object, since: int) -> Subquery:
    rows = (
        RateCount.objects.filter(name=name, minute__gte=since)
        .order_by()
        .values("name")
        .annotate(total=Sum("hits"))
        .values("total")
    )
    return Subquery(rows)


# What the public history reads of the events (``views.timeline``): not the seals, hashes and
# facts of the audit chain, which were most of the bytes read and decoded per lookup.
PUBLIC_EVENTS = Inline(
    "events", DossierEvent, "dossier", ("seq", "at", "action", "reason", "payload"), order=("seq",)
)

# What the page shows of the procedure and the units; their large texts stay in the database.
SHOWN = ("procedure__code", "procedure__name", "procedure__online_level", "receiving_unit__name", "deciding_unit__name")  # fmt: skip


def dossiers_looked_up(name: str, address: str, pair: str, since: int) -> QuerySet[Dossier]:
    """The dossier named ``name`` (code or reference) with its history and the failed lookups
    of the address, of the address on this dossier and of the dossier, in the window."""
    fields = [f.name for f in Dossier._meta.concrete_fields]
    return (
        Dossier.objects.filter(Q(code=name) | Q(ref=name))
        .select_related("procedure", "deciding_unit", "receiving_unit")
        .only(*fields, *SHOWN)
        .annotate(
            address_failures=failures(address, since),
            pair_failures=failures(Concat(Value(pair), OuterRef("ref")), since),
            dossier_failures=failures(Concat(Value(f"{DOSSIER}:"), OuterRef("ref")), since),
            **inline_annotations(PUBLIC_EVENTS),
        )
        .order_by("-submitted_at", "-pk")[:1]
    )


LOOKED_UP = PreparedQuery(
    dossiers_looked_up, name=("A", "B"), address=("x:a", "x:b"), pair=("p:a|", "p:b|"),
    since=(1, 2),
)  # fmt: skip


def names_for(ip: str | None, dossier_name: str) -> tuple[str, str, str]:
    return (
        throttle.name_of(ADDRESS, ip),
        throttle.name_of(PAIR, ip, dossier_name),
        throttle.name_of(DOSSIER, dossier_name),
    )


def dossier_lookup(
    *, code: str, last_digits: str, ip: str | None, at: datetime.datetime
) -> Dossier | None:
    """The dossier, or None: never says which of the two inputs was wrong."""
    code = code.strip().upper()[:80]
    digits = "".join(ch for ch in last_digits if ch.isascii() and ch.isdigit())
    since = throttle.window_start(at, window())
    address, pair_prefix, _name = names_for(ip, "")
    found = LOOKED_UP(name=code, address=address, pair=pair_prefix, since=since) if code else []
    dossier = found[0] if found else None
    names = names_for(ip, dossier.ref if dossier is not None else code)
    if dossier is not None:
        attach_all(dossier, PUBLIC_EVENTS)
        counts = Failures(
            dossier.address_failures or 0,  # type: ignore[attr-defined]
            dossier.pair_failures or 0,  # type: ignore[attr-defined]
            dossier.dossier_failures or 0,  # type: ignore[attr-defined]
        )
    else:
        totals = throttle.totals(names, at, window())
        counts = Failures(*(totals.get(name, 0) for name in names))
    if counts.refused():
        raise TooManyLookups(window() * 60)
    if len(digits) == 4 and dossier is not None:
        phone = str((dossier.applicant or {}).get("phone", ""))
        if dossier.applicant_id_number.endswith(digits) or phone.endswith(digits):
            return dossier
    throttle.hit(names, at)
    return None


def citizen_dossiers(user: object) -> Q:
    """A citizen's dossiers: those they submitted, and those they proved they applied for.

    Never "every dossier filed with their ID number": an ID number typed at sign-up is no proof
    (see ``ownership``)."""
    return citizen_dossier_filter(user)
