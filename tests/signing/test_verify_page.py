"""The public page "Kiểm tra văn bản điện tử": anyone uploads a PDF and reads its signature."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.dossiers import legal_forms
from motcua.dossiers.models import IssuedDocument

pytestmark = pytest.mark.django_db
URL = "/kiem-tra-van-ban/"


def upload(client: Client, content: bytes, name: str = "van-ban.pdf") -> str:
    response = client.post(URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    return response.content.decode()


def english() -> Client:
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def test_the_page_is_public_and_in_vietnamese() -> None:
    assert reverse("signing:verify") == URL
    page = Client().get(URL).content.decode()
    assert '<html lang="vi">' in page
    assert "Kiểm tra văn bản điện tử" in page
    assert 'type="file"' in page
    assert "tối đa 10 MB" in page


def test_the_page_answers_in_english() -> None:
    page = english().get(URL).content.decode()
    assert '<html lang="en">' in page
    assert "Check an electronic document" in page


def test_a_signed_receipt_shows_its_signer_and_the_issued_form_but_no_person(
    receipt: IssuedDocument, receipt_pdf: bytes
) -> None:
    page = upload(Client(), receipt_pdf)
    assert "Chữ ký số hợp lệ" in page
    assert "Phường Hoàn Kiếm" in page
    assert "Thành phố Hà Nội" in page
    assert f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả số {receipt.number}" in page  # the reason
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01)" in page
    assert "02/03/2026" in page  # issued on
    for personal in ("Lê Văn Cường", "001090012345", receipt.dossier.code):
        assert personal not in page


def test_a_signed_receipt_in_english(receipt_pdf: bytes) -> None:
    page = upload(english(), receipt_pdf)
    assert "Valid digital signature" in page
    assert "Phường Hoàn Kiếm" in page


def test_an_unsigned_pdf_is_said_to_be_unsigned(receipt: IssuedDocument) -> None:
    page = upload(Client(), legal_forms.render_issued(receipt))
    assert "Văn bản không có chữ ký số" in page


@pytest.mark.parametrize(
    "content", [b"not a pdf at all", b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64]
)
def test_garbage_gets_a_clear_vietnamese_error(content: bytes) -> None:
    page = upload(Client(), content, "gia-mao.pdf")
    assert "Không đọc được tệp: đây không phải tệp PDF hợp lệ" in page
    assert 'class="error-summary"' in page


def test_garbage_gets_a_clear_english_error() -> None:
    page = upload(english(), b"not a pdf at all")
    assert "is not a valid PDF" in page


def test_no_file_asks_for_one() -> None:
    response = Client().post(URL, {})
    assert response.status_code == 200
    assert "Chọn tệp PDF cần kiểm tra." in response.content.decode()


def test_a_file_over_the_limit_is_refused_unread(settings: Any) -> None:
    settings.MOTCUA_MAX_UPLOAD_MB = 1
    page = upload(Client(), b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert "Tệp quá lớn: chỉ kiểm tra tệp tối đa 1 MB." in page


def test_a_tampered_receipt_is_broken(receipt_pdf: bytes) -> None:
    position = receipt_pdf.index(b"WeasyPrint") + 2
    changed = bytearray(receipt_pdf)
    changed[position] ^= 0x01
    page = upload(Client(), bytes(changed))
    assert "Chữ ký số không còn nguyên vẹn" in page
    assert "không trùng với văn bản nào" in page
