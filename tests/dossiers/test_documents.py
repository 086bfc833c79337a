"""Files of a dossier: checked by content, size-limited, hashed, never partial, never public."""

from __future__ import annotations

import hashlib
import socket
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


def files_to_a_store_that_does_not_answer(settings: Any) -> None:
    """Files in an S3 store that does not answer: a loopback port nobody listens on, no retry."""
    from botocore.config import Config

    from motcua.common.storage import s3_storage_from_env

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    setting = s3_storage_from_env(
        {"MOTCUA_S3_BUCKET": "down", "MOTCUA_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
         "MOTCUA_S3_ACCESS_KEY_ID": "k", "MOTCUA_S3_SECRET_ACCESS_KEY": "s"}
    )  # fmt: skip
    assert setting is not None
    config = Config(connect_timeout=2, retries={"max_attempts": 1, "mode": "standard"})
    setting["OPTIONS"]["client_config"] = config
    settings.STORAGES = {**settings.STORAGES, "default": setting}


def test_an_upload_while_the_store_does_not_answer_is_a_503_that_saves_nothing(
    staff: Staff, settings: Any
) -> None:
    dossier = received(staff)
    files_to_a_store_that_does_not_answer(settings)
    client = Client()
    client.force_login(staff.reception)
    response = client.post(
        reverse("dossiers:attach", args=[dossier.ref]),
        {"file": SimpleUploadedFile("scan.png", PNG), "name": "Bản quét"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Kho lưu trữ tệp tạm thời không phản hồi" in page
    assert "A file you just sent was not saved" in page
    assert not DossierDocument.objects.filter(dossier=dossier).exists()
    assert not DossierEvent.objects.filter(dossier=dossier, action="attach").exists()
    version = dossier.version
    dossier.refresh_from_db()
    assert dossier.version == version


def test_a_download_while_the_store_does_not_answer_is_a_503(staff: Staff, settings: Any) -> None:
    dossier = received(staff)
    document = s.dossier_attach(
        dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:30"),
        upload=SimpleUploadedFile("to-khai.pdf", PDF), name="Tờ khai",
    )  # fmt: skip
    files_to_a_store_that_does_not_answer(settings)
    client = Client()
    client.force_login(staff.reception)
    response = client.get(reverse("dossiers:document", args=[dossier.ref, document.pk]))
    assert response.status_code == 503
    assert "Kho lưu trữ tệp tạm thời không phản hồi" in response.content.decode()


def test_the_api_tells_a_store_that_does_not_answer_in_its_error_shape(
    staff: Staff, settings: Any
) -> None:
    from motcua.accounts.tokens import api_token_issue

    dossier = received(staff)
    receipt = dossier.issued_documents.get(kind="receipt")
    _token, secret = api_token_issue(actor=None, owner=staff.reception, name="store", scope="read")
    files_to_a_store_that_does_not_answer(settings)
    response = Client().get(
        f"/api/v1/dossiers/{dossier.ref}/documents/{receipt.pk}",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 503
    answer = response.json()
    assert answer["code"] == "storage_unavailable"
    assert "not saved" in answer["message_en"]
    assert "chưa được lưu" in answer["message"]
