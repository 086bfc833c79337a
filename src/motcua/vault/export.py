"""The 766 flags of each dossier in ``export-dossiers`` (indicators 4.1–4.5): a fixed number of
queries per range of ids, whatever the number of dossiers in it (the export asks range by range,
decision 0016), each a set of the ids that carry the flag."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from motcua.accounts.models import VERIFIED_LEVEL
from motcua.catalog.constants import OnlineLevel
from motcua.dossiers.constants import Channel, Decision
from motcua.dossiers.models import Dossier, DossierDocument

from .models import DataUse, Reuse

FLAGS = ("digitised", "electronic_result", "identity_verified", "population_data")


def flag_columns(dossier_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``digitised``: a paper was digitised at the counter; ``electronic_result``: its result
    file was issued as an electronic original (a granted, fully-online procedure submitted
    online: ``dossiers.results.result_is_electronic``); ``identity_verified``: the account that
    submitted it was bound to its ID number by VNeID level 2 before submitting (a counter dossier
    has no such account: false); ``population_data``: a component was met by, or the dossier
    logged a lookup of, the population registry."""
    if not dossier_ids:
        return {}
    low, high = min(dossier_ids), max(dossier_ids)
    found = {
        "digitised": digitised(low, high),
        "electronic_result": electronic_result(low, high),
        "identity_verified": identity_verified(low, high),
        "population_data": population_data(low, high),
    }
    return {pk: {flag: pk in found[flag] for flag in FLAGS} for pk in dossier_ids}


def ids(rows: QuerySet[Any], field: str = "pk") -> set[int]:
    return set(rows.values_list(field, flat=True).distinct())


def digitised(low: int, high: int) -> set[int]:
    # A range of ids, not a list of 20,000 parameters.
    documents = DossierDocument.objects.filter(
        dossier_id__gte=low, dossier_id__lte=high, digitised_at_counter=True
    )
    return ids(documents, "dossier_id")


def electronic_result(low: int, high: int) -> set[int]:
    # The rule of result_is_electronic, for the whole range at once, and a result file issued.
    granted = Dossier.objects.filter(
        pk__gte=low, pk__lte=high, channel=Channel.ONLINE, decision=Decision.APPROVED,
        procedure__online_level=OnlineLevel.FULL,
    )  # fmt: skip
    with_result = DossierDocument.objects.filter(
        dossier_id__gte=low, dossier_id__lte=high, kind=DossierDocument.Kind.RESULT
    )
    return ids(granted) & ids(with_result, "dossier_id")


def identity_verified(low: int, high: int) -> set[int]:
    # Verified at submission: a verification after the dossier was sent says nothing of it.
    profile = "owner__citizen_profile__"
    verified = Dossier.objects.filter(
        Q(**{f"{profile}identity_level__gte": VERIFIED_LEVEL})
        & Q(**{f"{profile}identity_verified_at__lte": F("submitted_at")}),
        pk__gte=low,
        pk__lte=high,
    )
    return ids(verified)


def population_data(low: int, high: int) -> set[int]:
    """Registry data used for the dossier: a component met from the registry (``Reuse`` of
    source registry) or a registry lookup logged against it (``DataUse`` of kind registry)."""
    reused = Reuse.objects.filter(
        dossier_id__gte=low, dossier_id__lte=high, source=Reuse.Source.REGISTRY
    )
    looked = DataUse.objects.filter(
        dossier_id__gte=low, dossier_id__lte=high, what=DataUse.What.REGISTRY
    )
    return ids(reused, "dossier_id") | ids(looked, "dossier_id")
