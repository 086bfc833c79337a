"""Hostile uploads (decision 0033): every file of a generated corpus is refused with its message
at the counter and in online submission, and nothing of it is kept; the size is cut while the
body streams in; the virus-scan hook; ordinary files still pass."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject, NumberObject
from reportlab.pdfgen.canvas import Canvas

from motcua.common.errors import DomainError
from motcua.common.files import checked_upload
from motcua.common.uploads import OversizeUpload
from motcua.dossiers.models import DossierDocument
from motcua.portal.models import Draft, DraftDocument
from tests import factories
from tests.files import JPEG, PNG, tiny_image, tiny_pdf
from tests.hostile import corpus, written

from .conftest import Staff, received

CORPUS = corpus()
BIRTH = "1.001193"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    settings.MOTCUA_UPLOAD_SCANNER = ""
    return settings.MEDIA_ROOT


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(DomainError) as caught:
        checked_upload(SimpleUploadedFile(name, content))
    return str(caught.value.message)


@pytest.mark.parametrize(("case", "name", "content", "words"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_hostile_file_is_refused_with_its_message(
    case: str, name: str, content: bytes, words: str
) -> None:
    assert words in refusal(name, content)


def test_the_corpus_is_refused_at_the_counter_and_nothing_is_kept(
    staff: Staff, media: Path
) -> None:
    dossier = received(staff)
    client = Client()
    client.force_login(staff.reception)
    url = reverse("dossiers:attach", args=[dossier.ref])
    for case, name, content, words in [*CORPUS, oversize()]:
        upload = SimpleUploadedFile(name, content)
        response = client.post(url, {"file": upload, "name": "Bản quét", "digitised": "on"})
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert response.status_code == 302, case
        assert any(words in m for m in said), (case, said)
    assert not DossierDocument.objects.exists()
    assert files_in(media) == []


def test_the_corpus_is_refused_online_and_nothing_is_kept(db: None, media: Path) -> None:
    client = Client()
    client.force_login(factories.citizen("001190001234", "0912000111"))
    assert client.post(reverse("portal:online-start", kwargs={"code": BIRTH})).status_code == 302
    draft = Draft.objects.get(dossier__isnull=True)
    from motcua.portal.submission import checklist_for

    item = next(i for i in checklist_for(draft).items if i.required).requirement.pk
    url = reverse("portal:draft", kwargs={"key": draft.key})
    for case, name, content, words in [*CORPUS, oversize()]:
        upload = SimpleUploadedFile(name, content)
        response = client.post(url, {f"file-{item}": upload, "save": "1"})
        assert response.status_code == 400, case
        assert words in response.content.decode(), case
    assert not DraftDocument.objects.exists()
    assert files_in(media) == []


def oversize() -> tuple[str, str, bytes, str]:
    """Larger than the limit the tests set (1 MB) yet a valid start of a PDF."""
    return ("oversize", "to.pdf", tiny_pdf() + b"0" * (1024 * 1024), "Tệp quá lớn: tối đa 1 MB")


@pytest.fixture(autouse=True)
def one_megabyte(settings: Any) -> None:
    settings.MOTCUA_MAX_UPLOAD_MB = 1


def test_the_size_is_cut_while_the_body_streams_in(settings: Any, tmp_path: Path) -> None:
    """Through the configured handler chain: past the limit nothing more is kept, the partial
    temporary file is removed, and the view gets an empty file marked with the size seen."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # past this, Django spools to a temporary file
    big = SimpleUploadedFile("to.pdf", b"%PDF-" + b"0" * 3_000_000)
    request = RequestFactory().post("/", {"file": big})
    kept = request.FILES["file"]
    assert isinstance(kept, OversizeUpload)
    assert kept.size > 1024 * 1024
    assert kept.read() == b""
    assert files_in(tmp_path) == []  # the partial temporary file is gone
    assert "Tệp quá lớn: tối đa 1 MB" in refusal_of(kept)


def refusal_of(upload: Any) -> str:
    with pytest.raises(DomainError) as caught:
        checked_upload(upload)
    return str(caught.value.message)


def test_a_pdf_with_more_pages_than_allowed_is_refused(settings: Any) -> None:
    settings.MOTCUA_UPLOAD_MAX_PDF_PAGES = 2
    assert checked_upload(SimpleUploadedFile("a.pdf", tiny_pdf(pages=2))).content_type
    assert "tối đa 2 trang" in refusal("a.pdf", tiny_pdf(pages=3))


def found_eicar(content: bytes, name: str) -> str | None:
    return "EICAR-Test-File" if b"EICAR" in content else None


def scanner_down(content: bytes, name: str) -> str | None:
    raise ConnectionRefusedError("clamd")


def test_the_virus_scan_hook_refuses_with_a_clear_message(settings: Any) -> None:
    settings.MOTCUA_UPLOAD_SCANNER = f"{__name__}.found_eicar"
    assert "diệt virus từ chối (EICAR-Test-File)" in refusal("a.pdf", tiny_pdf("EICAR test"))
    assert checked_upload(SimpleUploadedFile("a.pdf", tiny_pdf("sạch"))).size
    settings.MOTCUA_UPLOAD_SCANNER = f"{__name__}.scanner_down"
    assert "Chưa kiểm tra virus được" in refusal("a.pdf", tiny_pdf())


def ordinary_files() -> list[tuple[str, bytes]]:
    canvas_out = io.BytesIO()
    canvas = Canvas(canvas_out)
    canvas.drawString(72, 720, "Giay khai sinh")
    canvas.linkURL("https://dichvucong.gov.vn", (72, 700, 200, 720))
    canvas.save()
    opening = PdfWriter()
    opening.add_blank_page(width=72, height=72)
    destination = ArrayObject([opening.pages[0].indirect_reference, NameObject("/Fit")])
    opening._root_object[NameObject("/OpenAction")] = destination
    opening.pages[0][NameObject("/Rotate")] = NumberObject(90)
    progressive = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (64, 48), (1, 2, 3)).save(progressive, format="JPEG", progressive=True)
    return [
        ("reportlab.pdf", canvas_out.getvalue()),
        ("open-at-page-1.pdf", written(opening)),
        ("anh.png", PNG),
        ("anh.jpg", JPEG),
        ("anh.jpeg", progressive.getvalue()),
        ("mpf.jpg", tiny_image("JPEG", (32, 32)) + tiny_image("JPEG", (8, 8))),  # camera extras
        ("no-extension", tiny_pdf()),
    ]


def test_ordinary_files_still_pass() -> None:
    for name, content in ordinary_files():
        assert checked_upload(SimpleUploadedFile(name, content)).size == len(content), name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("clean_named.exe", "clean_named.exe.pdf"), ("to-khai.PDF", "to-khai.PDF"),
     ("C:\\Users\\an\\giay.pdf", "giay.pdf"), ("../../etc/passwd", "passwd.pdf")],
)  # fmt: skip
def test_a_kept_file_is_named_as_what_it_really_is(sent: str, kept: str) -> None:
    """A harmless PDF sent as "clean_named.exe" is kept, but never downloaded as an .exe."""
    assert checked_upload(SimpleUploadedFile(sent, tiny_pdf())).name == kept
