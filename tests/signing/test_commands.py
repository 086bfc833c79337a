"""`motcua verify-pdf FILE` and `motcua signing-ca`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers import legal_forms
from motcua.dossiers.models import IssuedDocument

from .conftest import WARD

pytestmark = pytest.mark.django_db


def run(*args: Any, **options: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_verify_pdf_says_valid_and_names_the_form(
    receipt: IssuedDocument, receipt_pdf: bytes, tmp_path: Path
) -> None:
    file = tmp_path / "bien-nhan.pdf"
    file.write_bytes(receipt_pdf)
    text = run("verify_pdf", str(file))
    assert "Chữ ký số hợp lệ (valid)" in text
    assert "Phường Hoàn Kiếm — Thành phố Hà Nội" in text
    assert f"số {receipt.number}" in text
    answer = json.loads(run("verify_pdf", str(file), "--json"))
    assert answer["status"] == "valid"
    assert answer["issued"]["number"] == receipt.number
    assert answer["signatures"][0]["signer"] == "Phường Hoàn Kiếm"


def test_verify_pdf_exits_1_for_an_unsigned_pdf(receipt: IssuedDocument, tmp_path: Path) -> None:
    file = tmp_path / "chua-ky.pdf"
    file.write_bytes(legal_forms.render_issued(receipt))
    with pytest.raises(CommandError) as caught:
        run("verify_pdf", str(file))
    assert caught.value.returncode == 1


def test_verify_pdf_exits_2_for_garbage(tmp_path: Path) -> None:
    file = tmp_path / "rac.pdf"
    file.write_bytes(b"garbage")
    with pytest.raises(CommandError) as caught:
        run("verify_pdf", str(file))
    assert caught.value.returncode == 2
    assert "không phải tệp PDF hợp lệ" in str(caught.value)


def test_signing_ca_makes_the_root_and_a_units_certificate(settings: Any, tmp_path: Path) -> None:
    settings.MOTCUA_SIGNING_DIR = tmp_path / "signing"
    text = run("signing_ca", "--unit", WARD, "--export-root", str(tmp_path / "root.pem"))
    assert "Một Cửa Hà Nội — CA thử nghiệm" in text
    assert f"{WARD}: " in text
    root = x509.load_pem_x509_certificate((tmp_path / "root.pem").read_bytes())
    assert root.subject == root.issuer
    assert (tmp_path / "signing" / "test-ca" / "units" / f"{WARD}.crt.pem").exists()


def test_signing_ca_refuses_production(settings: Any) -> None:
    settings.EMBEDDED = False
    with pytest.raises(CommandError, match="production"):
        run("signing_ca")
