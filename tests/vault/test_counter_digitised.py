"""Papers digitised at the counter reach the applicant's store only once the dossier is received
(Decree 107/2021; Circular 01/2023; Resolution 27/2025), once, with their SHA-256; a dossier
refused at reception was never received, so nothing of it is stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.common import events
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.vault.models import Origin, VaultDocument
from motcua.vault.subscribers import on_inputs
from tests import factories
from tests.files import tiny_pdf
from tests.portal.test_online_submission import WARD, media
from tests.portal.test_supplement_and_result import WardStaff, ward

__all__ = ["media", "ward"]

NUMBER = "001090055555"


def paper(label: str) -> bytes:
    return tiny_pdf(label)


def waiting(ward: WardStaff) -> Dossier:
    """A dossier at the counter, submitted and not yet received."""
    return s.dossier_submit(
        procedure=Procedure.objects.get(code="1.001193", in_hanoi_set=True),
        receiving_unit=factories.unit(WARD), applicant=s.Applicant("Phạm Thị Dung", NUMBER),
        channel="counter", at=now(), actor=ward.reception,
    )  # fmt: skip


def scan(ward: WardStaff, dossier: Dossier, content: bytes) -> DossierDocument:
    return s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy tờ chỗ ở",
        upload=SimpleUploadedFile("scan.pdf", content, content_type="application/pdf"),
        kind=DossierDocument.Kind.INPUT, digitised_at_counter=True,
    )  # fmt: skip


def stored(content: bytes) -> list[VaultDocument]:
    digest = hashlib.sha256(content).hexdigest()
    return list(VaultDocument.objects.filter(owner_id_number=NUMBER, sha256=digest))


def test_a_scanned_paper_reaches_the_store_only_after_reception_and_once(
    ward: WardStaff, media: Path
) -> None:
    content = paper("so ho khau")
    dossier = waiting(ward)
    document = scan(ward, dossier, content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert stored(content) == []  # before reception: nothing
    assert not VaultDocument.objects.filter(owner_id_number=NUMBER).exists()
    dossier = s.dossier_receive(dossier=dossier, actor=ward.reception, at=now())
    [kept] = stored(content)
    assert kept.origin == Origin.DIGITISED
    assert not kept.electronic_original  # a digitised copy, not an electronic original
    assert kept.sha256 == document.sha256
    assert kept.source_dossier == dossier
    assert kept.source_document == document
    assert kept.owner_kind == "person"
    # The reception event replayed keeps nothing twice.
    received = dossier.events.get(action="receive")
    on_inputs([events.Event("dossier.received", {"dossier": dossier, "event": received})])
    on_inputs([events.Event("dossier.received", {"dossier": dossier, "event": received})])
    assert len(stored(content)) == 1


def test_a_dossier_refused_at_reception_stores_nothing(ward: WardStaff, media: Path) -> None:
    content = paper("giay to bi tu choi")
    dossier = waiting(ward)
    scan(ward, dossier, content)
    s.dossier_refuse_reception(
        dossier=dossier, actor=ward.reception, at=now(), reason="Thiếu tờ khai có chữ ký."
    )
    assert stored(content) == []
    assert not VaultDocument.objects.filter(owner_id_number=NUMBER).exists()


def test_a_paper_scanned_after_reception_is_stored_when_scanned(
    ward: WardStaff, media: Path
) -> None:
    """At the counter the dossier is received as it is created; the officer scans its papers
    right after: they belong to a received dossier and go in as they are attached."""
    content = paper("giay chung nhan ket hon")
    dossier = s.dossier_receive(dossier=waiting(ward), actor=ward.reception, at=now())
    assert stored(content) == []
    document = scan(ward, dossier, content)
    [kept] = stored(content)
    assert kept.origin == Origin.DIGITISED
    assert kept.source_document == document
    scan(ward, dossier, content)  # the same bytes scanned twice: still one row
    assert len(stored(content)) == 1
