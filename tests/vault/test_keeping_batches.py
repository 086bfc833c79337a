"""The data store keeps a batch's inputs as it keeps one dossier's: every file once per owner,
whatever the number of dossiers read per query."""

from __future__ import annotations

import hashlib

import pytest

from motcua.common.clock import now
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.vault import services
from motcua.vault.models import Origin, VaultDocument
from tests.dossiers.conftest import Staff, received, staff

__all__ = ["staff"]

pytestmark = pytest.mark.django_db


def with_input(dossier: Dossier, content: str) -> DossierDocument:
    return DossierDocument.objects.create(
        dossier=dossier, kind=DossierDocument.Kind.INPUT, name=f"Giấy tờ {content}",
        original_filename=f"{content}.pdf", file=f"documents/{content}.pdf",
        sha256=hashlib.sha256(content.encode()).hexdigest(), content_type="application/pdf",
        size=10, uploaded_at=now(),
    )  # fmt: skip


@pytest.mark.parametrize("per_query", [1, 2, 2000])
def test_a_batch_keeps_every_dossiers_inputs_once(
    staff: Staff, per_query: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "IDS_PER_QUERY", per_query)
    dossiers = [received(staff, f"2026-03-0{day} 09:00") for day in (2, 3, 4)]
    for number, dossier in enumerate(dossiers):
        with_input(dossier, f"own-{number}")
        with_input(dossier, "shared")  # the same bytes in every dossier: one row for the owner
    at = now()
    batch = [(dossier, at) for dossier in dossiers] * 2  # an event replayed in the same batch
    added = services.inputs_keep_many(batch)
    owner = dossiers[0].applicant_id_number
    kept = VaultDocument.objects.filter(owner_id_number=owner, origin=Origin.INPUT)
    assert added == kept.count() == 4
    assert kept.get(sha256=hashlib.sha256(b"shared").hexdigest()).source_dossier == dossiers[0]
    assert services.inputs_keep_many(batch) == 0
