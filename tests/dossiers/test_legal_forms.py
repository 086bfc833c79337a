"""The legal forms open as PDFs and carry the dossier code, applicant, procedure and dates."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services as s
from motcua.dossiers.legal_forms import forms_available, legal_form_pdf
from tests.storage import stored_files

from .conftest import Staff, at, received, submitted

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join((page.extract_text() or "") for page in reader.pages)


def compact(text: str) -> str:
    return " ".join(text.split())


def test_receipt_carries_code_applicant_procedure_and_dates(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    text = compact(text_of(legal_form_pdf(dossier, "tiep-nhan")))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code in text
    assert "Lê Văn Cường" in text
    assert "Đăng ký thường trú" in text
    assert "02/03/2026" in text  # received
    assert "11/03/2026" in text  # appointment
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_each_form_appears_when_it_applies(staff: Staff) -> None:
    dossier = s.dossier_request_supplement(
        dossier=received(staff),
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        reason="Thiếu giấy tờ chỗ ở",
    )
    dossier = s.dossier_apologize(
        dossier=s.dossier_submit_supplement(
            dossier=dossier, actor=staff.reception, at=at("2026-03-04 09:00")
        ),
        actor=staff.leader,
        at=at("2026-03-05 09:00"),
        reason="Cần xác minh",
        new_due=at("2026-03-20 17:00"),
    )
    slugs = [form.slug for form in forms_available(dossier)]
    # The issued forms (in the order of the circular), then the live control slip (Mẫu 06).
    assert slugs == ["tiep-nhan", "yeu-cau-bo-sung", "xin-loi", "kiem-soat"]
    assert sorted(dossier.issued_documents.values_list("kind", flat=True)) == [
        "apology", "receipt", "supplement_request",
    ]  # fmt: skip
    assert "Thiếu giấy tờ chỗ ở" in compact(text_of(legal_form_pdf(dossier, "yeu-cau-bo-sung")))
    apology = compact(text_of(legal_form_pdf(dossier, "xin-loi")))
    assert "20/03/2026" in apology
    assert "Cần xác minh" in apology


def test_refusal_and_stop_notices(staff: Staff) -> None:
    refused = s.dossier_refuse_reception(
        dossier=submitted(staff),
        actor=staff.reception,
        at=at("2026-03-02 09:00"),
        reason="Không thuộc thẩm quyền",
    )
    assert "Không thuộc thẩm quyền" in compact(text_of(legal_form_pdf(refused, "tu-choi")))
    stopped = s.dossier_withdraw(
        dossier=received(staff),
        actor=staff.reception,
        at=at("2026-03-03 09:00"),
        reason="Người nộp xin rút",
    )
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in compact(
        text_of(legal_form_pdf(stopped, "dung-giai-quyet"))
    )


def test_the_rejection_is_issued_by_the_leader_at_the_signing_step(staff: Staff) -> None:
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-03 09:00")
    )
    rejected = s.dossier_reject(
        dossier=dossier, actor=staff.leader, at=at("2026-03-04 09:00"),
        reason="Không thuộc địa bàn cư trú",
    )  # fmt: skip
    assert "tu-choi-giai-quyet" in [form.slug for form in forms_available(rejected)]
    text = compact(text_of(legal_form_pdf(rejected, "tu-choi-giai-quyet")))
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text
    assert "Không thuộc địa bàn cư trú" in text


def test_the_control_slip_lists_each_hand_over(staff: Staff) -> None:
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-03 09:00")
    )
    assert [v.order for v in dossier.step_visits.order_by("started_at", "pk")] == [2, 3]
    text = compact(text_of(legal_form_pdf(dossier, "kiem-soat")))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Thẩm định hồ sơ" in text
    assert "Lãnh đạo ký, phê duyệt kết quả" in text
    assert "Đang xử lý" in text  # the signing step is still open


@pytest.mark.s3
def test_officers_download_the_receipt_from_the_dossier_page(staff: Staff) -> None:
    dossier = received(staff)
    client = Client()
    client.force_login(staff.reception)
    response = client.get(reverse("dossiers:form", args=[dossier.ref, "tiep-nhan"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    receipt = dossier.issued_documents.get(kind="receipt")
    assert stored_files("issued") == [receipt.file.name]  # stored once, served as stored
    assert client.get(reverse("dossiers:form", args=[dossier.ref, "tiep-nhan"])).content == (
        response.content
    )
    assert client.get(reverse("dossiers:form", args=[dossier.ref, "xin-loi"])).status_code == 404
