from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.models import Procedure
from motcua.dossiers import legal_forms
from motcua.dossiers import services as s
from motcua.dossiers.models import IssuedDocument
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories

WARD = "hn-phuong-hoan-kiem"


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VIETNAM_OFFSET)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def ward_receipt() -> IssuedDocument:
    """A counter dossier received at Phường Hoàn Kiếm: its receipt (Mẫu 01), issued by
    receive() and not yet rendered."""
    reception = factories.officer(WARD, Role.RECEPTION)
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    dossier = s.dossier_receive(
        dossier=s.dossier_submit(
            procedure=procedure, receiving_unit=Unit.objects.get(code=WARD),
            applicant=s.Applicant("Lê Văn Cường", "001090012345"), channel="counter",
            at=at("2026-03-02 09:00"), actor=reception,
        ),
        actor=reception, at=at("2026-03-02 09:00"),
    )  # fmt: skip
    return dossier.issued_documents.get(kind="receipt")


@pytest.fixture
def receipt(db: None) -> IssuedDocument:
    return ward_receipt()


@pytest.fixture
def receipt_pdf(receipt: IssuedDocument) -> bytes:
    """The receipt as stored: rendered and signed at its first download."""
    return legal_forms.issued_pdf(receipt)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
