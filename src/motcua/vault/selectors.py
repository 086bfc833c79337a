"""Reading the store: the citizen's documents and uses, the officer's panel, the flags that the
indicators (766: 4.3, 4.4) and the export read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.common.clock import VIETNAM
from motcua.common.prepared import PreparedQuery
from motcua.dossiers.constants import Channel
from motcua.dossiers.extensions import PERSON_FIELDS
from motcua.dossiers.models import Dossier

from . import evidence
from .models import DataUse, Reuse, VaultDocument
from .services import documents_of, owner_of_account, source_text


def citizen_documents(user: User) -> list[VaultDocument]:
    owner = owner_of_account(user)
    if owner is None:
        return []
    documents = documents_of(owner[0], owner[1], user).select_related("source_dossier")
    return list(documents.order_by("-added_at", "-pk")[:500])


def citizen_document(user: User, pk: int) -> VaultDocument | None:
    owner = owner_of_account(user)
    if owner is None:
        return None
    return documents_of(owner[0], owner[1], user).filter(pk=pk).first()


def citizen_uses(user: User, limit: int = 500) -> list[DataUse]:
    """Every use of the account's data. An account sees the uses of its own documents (those it
    may open) and of the dossiers it submitted or proved it applied for; a verified identity,
    every use under its number."""
    owner = owner_of_account(user)
    if owner is None:
        return []
    mine = documents_of(owner[0], owner[1], user).values("pk")
    own_dossiers = Q(dossier__owner=user) | Q(dossier__applicant_links__user=user)
    uses = DataUse.objects.filter(owner_kind=owner[0], owner_id_number=owner[1])
    if not permissions.identity_verified(user):
        # A number typed at sign-up proves nothing: only what the account can show is its own.
        # A verified identity (VNeID level 2) is the number's: every use, registry lookups too.
        uses = uses.filter(Q(document_id__in=mine) | own_dossiers)
    return list(uses.select_related("document").distinct().order_by("-at", "-pk")[:limit])


REGISTRY_LABEL = _("Thông tin của bạn trong Cơ sở dữ liệu quốc gia về dân cư")


@dataclass
class UseRow:
    """One line of "ai đã dùng dữ liệu của tôi": the same use by the same person, of the same
    data, for the same dossier, on the same day, is one line with its count (an officer looking a
    number up several times at the counter is one fact to the citizen, not a flood)."""

    latest: DataUse
    first_at: Any
    times: int = 1

    @property
    def data(self) -> Any:
        return self.latest.document.name if self.latest.document else REGISTRY_LABEL


def use_rows(uses: list[DataUse]) -> list[UseRow]:
    rows: list[UseRow] = []
    for use in uses:  # newest first
        previous = rows[-1] if rows else None
        if previous is not None and same_line(previous.latest, use):
            previous.times += 1
            previous.first_at = use.at
        else:
            rows.append(UseRow(latest=use, first_at=use.at))
    return rows


def same_line(a: DataUse, b: DataUse) -> bool:
    def key(use: DataUse) -> tuple[Any, ...]:
        return (
            use.user_id, use.user_name, use.unit_name, use.what, use.document_id,
            use.registry_record, use.dossier_label, use.at.astimezone(VIETNAM).date(),
        )  # fmt: skip

    return key(a) == key(b)


def type_label(document: VaultDocument) -> str:
    return evidence.type_name(document.evidence_type)


def reuses_of(dossier_id: int) -> QuerySet[Reuse]:
    return Reuse.objects.filter(dossier_id=dossier_id).select_related(
        "document", "document__source_dossier"
    )


def registry_uses_of(dossier_id: int) -> QuerySet[DataUse]:
    return DataUse.objects.filter(dossier_id=dossier_id, what=DataUse.What.REGISTRY).only(
        "differences"
    )


# Asked on every officer's view of a dossier: compiled once (``common.prepared``). Compiling
# them was a third of the page's CPU (the source dossier's columns, the models' orderings).
REUSES = PreparedQuery(reuses_of, routed=Reuse, dossier_id=(1, 2))
REGISTRY_USES = PreparedQuery(registry_uses_of, routed=DataUse, dossier_id=(1, 2))


def officer_panel(dossier: Dossier, user: User) -> dict[str, Any] | None:
    """The dossier page's block: each component taken from the applicant's store, and from
    where; each value the applicant sent otherwise than the population registry holds. None
    when there is neither (the page shows no block)."""
    reuses = REUSES(dossier_id=dossier.pk)
    # Only an online submission records them: at the counter the officer saw them while typing.
    online = dossier.channel == Channel.ONLINE
    differences = registry_differences(dossier) if online else []
    if not reuses and not differences:
        return None
    rows = [
        {"reuse": r, "source": source_text(r.document) if r.document else r.registry_record}
        for r in reuses
    ]
    return {"rows": rows, "dossier": dossier, "differences": differences}


def registry_differences(dossier: Dossier) -> list[tuple[Any, str, str]]:
    """(field label, sent, registry) recorded when the registry's record was used for it."""
    return [
        (PERSON_FIELDS.get(field, field), typed, held)
        for use in REGISTRY_USES(dossier_id=dossier.pk)
        for field, typed, held in use.differences or []
    ]


def reuse_flags(dossier_ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
    """dossier → (first reuse of any data, first component from the store), in epoch seconds."""
    if not dossier_ids:
        return {}
    rows = (
        Reuse.objects.filter(dossier_id__in=dossier_ids)
        .values("dossier_id")
        .annotate(first=Min("at"), first_store=Min("at", filter=Q(source=Reuse.Source.STORE)))
    )
    return {row["dossier_id"]: (seconds(row["first"]), seconds(row["first_store"])) for row in rows}


def seconds(at: Any) -> int | None:
    return None if at is None else int(at.timestamp())


def export_columns(dossier_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``reused_components`` (data already held, any source) and ``from_store`` (from the
    personal store) per dossier, zero when none."""
    if not dossier_ids:
        return {}
    # A range of ids, not a list of 20,000 parameters (the export asks range by range).
    counted = {
        row["dossier_id"]: row
        for row in Reuse.objects.filter(
            dossier_id__gte=min(dossier_ids), dossier_id__lte=max(dossier_ids)
        )
        .values("dossier_id")
        .annotate(n=Count("pk"), store=Count("pk", filter=Q(source=Reuse.Source.STORE)))
    }
    return {
        pk: {
            "reused_components": counted[pk]["n"] if pk in counted else 0,
            "from_store": counted[pk]["store"] if pk in counted else 0,
        }
        for pk in dossier_ids
    }
