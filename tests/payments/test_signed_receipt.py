"""The e-receipt is an issued document of the dossier: numbered as the receipt, rendered,
signed by the unit and hashed (SHA-256) as the kernel's forms are (issue 16)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services as s
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.document_tasks import issued_document_render_task
from motcua.dossiers.models import IssuedDocument
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.payments.models import Payment
from motcua.signing.constants import VerificationStatus
from motcua.signing.selectors import pdf_verify
from tests.dossiers.conftest import at

from .conftest import World, awaiting, payer_chooses
from .test_online import deliver, start


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def paid_online(world: World, sandbox: PaymentSandbox) -> tuple[Client, Payment]:
    dossier = awaiting(world)
    client, payment = start(world, dossier)
    payer_chooses(sandbox, payment, approve=True)
    assert deliver(sandbox).status_code == 200
    payment.refresh_from_db()
    return client, payment


def test_the_online_receipt_is_issued_signed_and_hashed(
    world: World, sandbox: PaymentSandbox
) -> None:
    client, payment = paid_online(world, sandbox)
    document = IssuedDocument.objects.get(dossier=payment.dossier, kind=DocumentKind.FEE_RECEIPT)
    assert document.number == payment.receipt_number
    assert document.unit_id == payment.unit_id
    assert document.event is not None
    assert document.event.action == "pay"
    assert document.sha256 == ""  # the worker renders it after the commit
    assert issued_document_render_task.call(document_id=document.pk)  # as the worker does
    document.refresh_from_db()
    url = reverse("payments:receipt", kwargs={"ref": payment.dossier.ref, "number": payment.number})
    body = client.get(url).content
    assert hashlib.sha256(body).hexdigest() == document.sha256
    assert client.get(url).content == body  # the same bytes every time
    verification = pdf_verify(body)
    assert verification.status == VerificationStatus.VALID
    assert verification.match is not None
    assert verification.match.number == payment.receipt_number


def test_the_counter_lists_the_receipt_with_its_hash(world: World, sandbox: PaymentSandbox) -> None:
    _client, payment = paid_online(world, sandbox)
    document = IssuedDocument.objects.get(dossier=payment.dossier, kind=DocumentKind.FEE_RECEIPT)
    issued_document_render_task.call(document_id=document.pk)
    document.refresh_from_db()
    officer = Client()
    officer.force_login(world.staff.reception)
    html = officer.get(
        reverse("dossiers:detail", kwargs={"ref": payment.dossier.ref})
    ).content.decode()
    assert "Biên lai thu phí, lệ phí (điện tử)" in html
    assert document.number in html
    assert f"SHA-256 {document.sha256[:16]}" in html
    issued = officer.get(
        reverse("dossiers:issued", kwargs={"ref": payment.dossier.ref, "pk": document.pk})
    )
    assert hashlib.sha256(issued.content).hexdigest() == document.sha256


def test_cash_at_the_counter_gets_a_signed_receipt_too(world: World) -> None:
    dossier = awaiting(world)
    s.dossier_pay(
        dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 14:00"), amount_vnd=10_000
    )
    payment = Payment.objects.get(dossier=dossier)
    document = IssuedDocument.objects.get(dossier=dossier, kind=DocumentKind.FEE_RECEIPT)
    assert document.number == payment.receipt_number
    assert document.issued_by == world.staff.reception
    from motcua.dossiers.legal_forms import issued_pdf

    assert pdf_verify(issued_pdf(document)).status == VerificationStatus.VALID


def test_an_online_receipt_names_the_collecting_unit_not_the_system(
    world: World, sandbox: PaymentSandbox
) -> None:
    """Paid at the gateway, no officer took the money: the receipt and the counter's list of
    issued documents name the unit, never an internal "system" account."""
    import io

    from pypdf import PdfReader

    client, payment = paid_online(world, sandbox)
    document = IssuedDocument.objects.get(dossier=payment.dossier, kind=DocumentKind.FEE_RECEIPT)
    issued_document_render_task.call(document_id=document.pk)
    url = reverse("payments:receipt", kwargs={"ref": payment.dossier.ref, "number": payment.number})
    text = PdfReader(io.BytesIO(client.get(url).content)).pages[0].extract_text()
    signed_by = " ".join(text.partition("ĐƠN VỊ THU")[2].split()[:12])
    assert "system" not in signed_by
    assert " ".join(payment.unit.name.split()[:2]) in signed_by
    officer = Client()
    officer.force_login(world.staff.reception)
    html = officer.get(reverse("dossiers:detail", kwargs={"ref": payment.dossier.ref})).content
    assert ", system)" not in html.decode()
    assert f", {payment.unit.name})" in html.decode()
