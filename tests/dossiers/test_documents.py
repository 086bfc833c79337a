"""Files of a dossier: checked by content, size-limited, hashed, never partial, never public."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.common.errors import DomainError
from motcua.dossiers import services as s
from motcua.dossiers.models import DossierDocument, DossierEvent
from tests.files import tiny_image, tiny_pdf
from tests.storage import stored_files

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db
PDF = tiny_pdf()
PNG = tiny_image("PNG")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.s3
def test_a_pdf_is_stored_with_its_hash_and_an_event(staff: Staff, media: Path) -> None:
    dossier = received(staff)
    document = s.dossier_attach(
        dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:30"),
        upload=SimpleUploadedFile("to-khai.pdf", PDF), name="Tờ khai CT01", digitised_at_counter=True,
    )  # fmt: skip
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert document.file.read() == PDF
    event = DossierEvent.objects.get(dossier=dossier, action="attach")
    assert event.payload["sha256"] == document.sha256


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.pdf", "Tệp trống"),
        (b"this is plain text, not a PDF", "renamed.pdf", "Chỉ nhận tệp PDF, PNG hoặc JPEG"),
        (b"MZ\x90\x00 executable", "virus.pdf", "Chỉ nhận tệp PDF, PNG hoặc JPEG"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(
    staff: Staff, media: Path, content: bytes, filename: str, message: str
) -> None:
    dossier = received(staff)
    with pytest.raises(DomainError) as caught:
        s.dossier_attach(
            dossier=dossier,
            actor=staff.reception,
            at=at("2026-03-02 09:30"),
            upload=SimpleUploadedFile(filename, content),
            name="x",
        )
    assert message in str(caught.value.message)
    assert not DossierDocument.objects.exists()
    assert files_in(media) == []


def test_an_oversized_file_is_refused(staff: Staff, settings: Any, media: Path) -> None:
    settings.MOTCUA_MAX_UPLOAD_MB = 1
    big = PNG + b"\x00" * (1024 * 1024)
    with pytest.raises(DomainError) as caught:
        s.dossier_attach(
            dossier=received(staff),
            actor=staff.reception,
            at=at("2026-03-02 09:30"),
            upload=SimpleUploadedFile("scan.png", big),
            name="x",
        )
    assert "tối đa 1 MB" in str(caught.value.message)
    assert files_in(media) == []


@pytest.mark.s3
def test_a_refused_actor_leaves_no_file(staff: Staff) -> None:
    with pytest.raises(DomainError):
        s.dossier_attach(
            dossier=received(staff),
            actor=staff.outsider,
            at=at("2026-03-02 09:30"),
            upload=SimpleUploadedFile("a.pdf", PDF),
            name="x",
        )
    assert stored_files() == []


@pytest.mark.s3
def test_files_are_served_only_to_officers_who_see_the_dossier(staff: Staff) -> None:
    dossier = received(staff)
    document = s.dossier_attach(
        dossier=dossier,
        actor=staff.reception,
        at=at("2026-03-02 09:30"),
        upload=SimpleUploadedFile("a.pdf", PDF),
        name="Tờ khai",
    )
    url = reverse("dossiers:document", args=[dossier.ref, document.pk])
    own = Client()
    own.force_login(staff.specialist)
    response = own.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    other = Client()
    other.force_login(staff.outsider)
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to login
    assert Client().get(f"/media/{document.file.name}").status_code == 404  # no public media


def test_upload_from_the_dossier_page(staff: Staff) -> None:
    dossier = received(staff)
    client = Client()
    client.force_login(staff.reception)
    response = client.post(
        reverse("dossiers:attach", args=[dossier.ref]),
        {
            "file": SimpleUploadedFile("scan.png", PNG),
            "name": "Bản quét giấy tờ nhà",
            "digitised": "on",
        },
        follow=True,
    )
    assert "Đã đính kèm giấy tờ" in response.content.decode()
    assert DossierDocument.objects.get(dossier=dossier).digitised_at_counter
