"""Issued forms are signed with the issuing unit's certificate; the signature is checked."""

from __future__ import annotations

import datetime
import io
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from motcua.dossiers import legal_forms
from motcua.dossiers.models import IssuedDocument
from motcua.signing.backends import KeptKeySigner
from motcua.signing.constants import VerificationStatus
from motcua.signing.identity import SigningUnavailable, SigningUnit
from motcua.signing.selectors import UnreadablePdf, pdf_verify
from motcua.signing.services import pdf_sign
from motcua.signing.testca import TestCertificateAuthority, common_name, usage
from tests.storage import stored_files

from .conftest import WARD, sha256

pytestmark = pytest.mark.django_db


def byte_range(data: bytes) -> list[int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found is not None
    return [int(n) for n in found.groups()]


def stream_byte(data: bytes) -> int:
    """A byte inside the first stream of the signed part: changing it keeps the file readable."""
    start = data.index(b"stream\n") + len(b"stream\n")
    return start + 5


def producer_byte(data: bytes) -> int:
    return data.index(b"WeasyPrint") + 2


def flipped(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_a_receipt_issued_at_the_ward_verifies_with_the_test_ca(
    receipt: IssuedDocument, receipt_pdf: bytes
) -> None:
    result = pdf_verify(receipt_pdf)
    assert result.status == VerificationStatus.VALID
    assert len(result.signatures) == 1
    signature = result.signatures[0]
    assert (signature.signer, signature.authority) == ("Phường Hoàn Kiếm", "Thành phố Hà Nội")
    assert signature.issuer == "Một Cửa Hà Nội — CA thử nghiệm"
    assert signature.reason == (f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả số {receipt.number}")
    assert signature.location == "Hà Nội"
    assert signature.covers_whole_file
    assert signature.signed_at is not None
    assert abs(signature.signed_at - timezone.now()) < datetime.timedelta(minutes=10)


@pytest.mark.s3
def test_the_stored_sha256_is_that_of_the_signed_bytes(
    receipt: IssuedDocument, receipt_pdf: bytes
) -> None:
    receipt.refresh_from_db()
    assert receipt.sha256 == sha256(receipt_pdf)
    assert receipt.file.read() == receipt_pdf
    assert legal_forms.issued_pdf(receipt) == receipt_pdf  # served as stored, not signed again


def test_a_verified_receipt_names_the_issued_form_without_personal_facts(
    receipt: IssuedDocument, receipt_pdf: bytes
) -> None:
    match = pdf_verify(receipt_pdf).match
    assert match is not None
    assert match.exact
    assert str(match.form) == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01)"
    assert (match.number, match.unit) == (receipt.number, "Phường Hoàn Kiếm")
    assert match.issued_at == receipt.issued_at
    assert not {"applicant", "name", "id_number", "phone"} & set(vars(match))


@pytest.mark.parametrize("where", [stream_byte, producer_byte], ids=["content", "metadata"])
def test_changing_one_byte_inside_the_signed_range_breaks_the_signature(
    receipt_pdf: bytes, where: Any
) -> None:
    position = where(receipt_pdf)
    first_start, first_length, _second_start, _second_length = byte_range(receipt_pdf)
    assert first_start <= position < first_start + first_length
    result = pdf_verify(flipped(receipt_pdf, position))
    assert result.status == VerificationStatus.BROKEN
    assert not result.signatures[0].intact
    assert result.match is None  # neither the file nor its signed part is the issued one


def test_content_added_after_signing_breaks_it_but_names_the_original(
    receipt: IssuedDocument, receipt_pdf: bytes
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(receipt_pdf))
    square = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 10 10 200 200 re f"))
    writer.add_stream_to_page(0, square)
    out = io.BytesIO()
    writer.write(out)
    result = pdf_verify(out.getvalue())
    assert result.status == VerificationStatus.BROKEN
    assert result.signatures[0].intact  # what was signed is still there, unchanged
    assert result.match is not None
    assert not result.match.exact
    assert result.match.number == receipt.number


def test_a_pdf_signed_by_another_ca_is_an_unknown_signer(
    receipt: IssuedDocument, settings: Any, tmp_path: Path
) -> None:
    unsigned = legal_forms.render_issued(receipt)
    ours = settings.MOTCUA_SIGNING_DIR
    settings.MOTCUA_SIGNING_DIR = tmp_path / "another-ca"
    elsewhere = pdf_sign(unsigned, unit=receipt.unit, reason="Giả mạo", location="Hà Nội")
    settings.MOTCUA_SIGNING_DIR = ours
    result = pdf_verify(elsewhere)
    assert result.status == VerificationStatus.UNKNOWN_SIGNER
    assert result.signatures[0].signer == "Phường Hoàn Kiếm"  # claims the name, proves nothing
    assert result.match is None


def test_a_signature_by_an_expired_certificate_of_our_ca_says_so(
    receipt: IssuedDocument,
) -> None:
    ca = TestCertificateAuthority(Path(django_settings.MOTCUA_SIGNING_DIR) / "test-ca")
    root, root_key = ca.root()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Phường Hoàn Kiếm")])
    ended = timezone.now() - datetime.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(root.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(ended - datetime.timedelta(days=365)).not_valid_after(ended)
        .add_extension(usage(signs_documents=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    signer = KeptKeySigner(key=key, certificate=certificate, chain=[root])
    metadata = signers.PdfSignatureMetadata(
        field_name="ChuKy", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(legal_forms.render_issued(receipt)))
    late = signers.sign_pdf(writer, metadata, signer=signer).getvalue()
    assert pdf_verify(late).status == VerificationStatus.CERTIFICATE_INVALID


def test_an_unsigned_pdf_is_unsigned(receipt: IssuedDocument) -> None:
    result = pdf_verify(legal_forms.render_issued(receipt))
    assert result.status == VerificationStatus.UNSIGNED
    assert result.signatures == []


@pytest.mark.parametrize(
    "garbage",
    [b"", b"hello, this is not a PDF", b"%PDF-1.7\n1 0 obj <</Type /Catalog", b"\x00" * 2048],
    ids=["empty", "text", "truncated", "zeros"],
)
def test_garbage_is_refused_with_a_clear_vietnamese_message(garbage: bytes) -> None:
    with pytest.raises(UnreadablePdf) as caught:
        pdf_verify(garbage)
    assert "không phải tệp PDF hợp lệ" in str(caught.value.message)


def test_the_unit_certificate_names_the_unit_in_utf8_and_its_key_is_private(
    receipt_pdf: bytes,
) -> None:
    ca = TestCertificateAuthority(Path(django_settings.MOTCUA_SIGNING_DIR) / "test-ca")
    key_path, cert_path = ca.unit_paths(WARD)
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Phường Hoàn Kiếm"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Thành phố Hà Nội"
    certificate.verify_directly_issued_by(ca.root_certificate())
    for private in (key_path, ca.root_key_path):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(ca.folder.stat().st_mode) == 0o700


def test_a_long_unit_name_keeps_its_own_part_in_the_certificate() -> None:
    branch = (
        "Chi nhánh Trung tâm Phục vụ hành chính công thành phố Hà Nội - Chi nhánh số 2 "
        "(Cầu Giấy - Thanh Xuân)"
    )
    assert common_name(branch) == "Chi nhánh số 2 (Cầu Giấy - Thanh Xuân)"
    long_name = "Ban Quản lý Khu công nghệ cao và khu công nghiệp thành phố Hà Nội"
    assert len(common_name(long_name).encode()) <= 64
    assert common_name(long_name).endswith("…")


@pytest.mark.s3
def test_without_a_key_in_production_nothing_is_stored_unsigned(
    receipt: IssuedDocument, settings: Any, tmp_path: Path
) -> None:
    settings.EMBEDDED = False
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = tmp_path / "empty"
    with pytest.raises(SigningUnavailable) as caught:
        legal_forms.issued_pdf(receipt)
    assert "Phường Hoàn Kiếm" in str(caught.value)
    assert "units/hn-phuong-hoan-kiem.p12" in str(caught.value)
    receipt.refresh_from_db()
    assert (receipt.sha256, receipt.file.name) == ("", "")
    assert stored_files() == []


def test_production_refuses_the_test_ca(receipt: IssuedDocument, settings: Any) -> None:
    settings.EMBEDDED = False
    with pytest.raises(SigningUnavailable, match="CA thử nghiệm"):
        legal_forms.issued_pdf(receipt)


def unit_archive(folder: Path, unit: SigningUnit, passphrase: bytes) -> bytes:
    """A PKCS#12 as a CA would hand it over: key, certificate and the CA above it."""
    ca = TestCertificateAuthority(folder)
    credentials = ca.unit_credentials(unit)
    return pkcs12.serialize_key_and_certificates(
        name=unit.code.encode(), key=credentials.key, cert=credentials.certificate,
        cas=list(credentials.chain),
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )  # fmt: skip


def production_signing(settings: Any, folder: Path, receipt: IssuedDocument, secret: str) -> None:
    """Production settings: the ward's PKCS#12 and its passphrase, the CA's root trusted."""
    unit = SigningUnit.of(receipt.unit)
    (folder / "units").mkdir(parents=True)
    (folder / "trust").mkdir()
    (folder / "units" / f"{unit.code}.p12").write_bytes(
        unit_archive(folder / "issuing-ca", unit, b"dung-mat-khau")
    )
    (folder / "units" / f"{unit.code}.pass").write_text(secret)
    root = TestCertificateAuthority(folder / "issuing-ca").root_certificate()
    (folder / "trust" / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    settings.EMBEDDED = False
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = folder


def test_production_signs_with_the_units_pkcs12_and_trusts_its_root(
    receipt: IssuedDocument, settings: Any, tmp_path: Path
) -> None:
    production_signing(settings, tmp_path / "signing", receipt, "dung-mat-khau")
    result = pdf_verify(legal_forms.issued_pdf(receipt))
    assert result.status == VerificationStatus.VALID
    assert result.signatures[0].signer == "Phường Hoàn Kiếm"


def test_a_wrong_passphrase_says_so(receipt: IssuedDocument, settings: Any, tmp_path: Path) -> None:
    production_signing(settings, tmp_path / "signing", receipt, "sai-mat-khau")
    with pytest.raises(SigningUnavailable, match="sai mật khẩu"):
        legal_forms.issued_pdf(receipt)
