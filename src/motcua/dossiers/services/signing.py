"""Who signs for the deciding unit, under which delegation (``motcua.authority``): the check a
deputy passes before signing, what the action's event records, and the block its document
carries (Decree 30/2020/NĐ-CP art. 13)."""

from __future__ import annotations

import datetime
from typing import Any

from motcua.accounts.models import User
from motcua.authority import selectors
from motcua.authority.models import Delegation
from motcua.authority.signature import (
    delegation_summary,
    local_day,
    signature_block,
    signing_delegation_for,
)
from motcua.authority.signature import (
    signer_check as authority_signer_check,
)
from motcua.catalog.models import Procedure
from motcua.organizations.models import Unit

from ..models import Dossier


def procedure_of(dossier: Dossier) -> Procedure:
    """The dossier's procedure, without its large JSON columns unless the row already has it."""
    if Dossier.procedure.is_cached(dossier):
        return dossier.procedure
    return Procedure.objects.only("code", "field_id", "deciding_unit_id", "executing_bodies").get(
        pk=dossier.procedure_id
    )


def competence_delegation(
    dossier: Dossier, procedure: Procedure | None = None
) -> Delegation | None:
    """The phân cấp that made the deciding unit competent for the dossier on its reception day
    (``None`` when the unit decides by the catalog itself, or after a transfer)."""
    procedure = procedure or procedure_of(dossier)
    base = procedure.deciding_unit_id or dossier.receiving_unit_id
    received = dossier.received_at or dossier.submitted_at
    if dossier.deciding_unit_id == base or received is None:
        return None
    return selectors.devolution_into(
        unit_id=dossier.deciding_unit_id, from_unit_id=base, procedure=procedure,
        on=local_day(received),
    )  # fmt: skip


def signer_check(
    dossier: Dossier, *, unit_id: int, actor: User, at: datetime.datetime, memo: bool = False
) -> None:
    authority_signer_check(
        unit_id=unit_id, signer=actor, procedure=lambda: procedure_of(dossier), at=at, memo=memo
    )


def signing_payload(
    dossier: Dossier, *, unit_id: int, actor: User, at: datetime.datetime
) -> dict[str, Any]:
    """What the event of a signed decision records: ``delegation`` (the KT./TL./TUQ. the actor
    signed under) and ``competence`` (the phân cấp that made the unit competent), when any."""
    procedure = procedure_of(dossier)
    payload: dict[str, Any] = {}
    delegation = signing_delegation_for(unit_id=unit_id, signer=actor, procedure=procedure, at=at)
    if delegation is not None:
        payload["delegation"] = delegation_summary(delegation)
    if unit_id == dossier.deciding_unit_id:
        competence = competence_delegation(dossier, procedure)
        if competence is not None:
            payload["competence"] = delegation_summary(competence)
    return payload


def signature_facts(
    dossier: Dossier, *, unit: Unit, actor: User | None, at: datetime.datetime
) -> dict[str, Any]:
    """The signature block as the issued document freezes it."""
    procedure = procedure_of(dossier)
    competence = (
        competence_delegation(dossier, procedure) if unit.pk == dossier.deciding_unit_id else None
    )
    block = signature_block(
        unit=unit, procedure=procedure, signer=actor, at=at, competence=competence
    )
    return block.as_facts()
