"""The legal forms of the one-stop mechanism as PDFs.

Circular 01/2018/TT-VPCP art. 9 (re-issued by Circular 03/2025/TT-VPCP): Mẫu 01 receipt and
appointment, 02 supplement request, 03 refusal of reception (and, after appraisal, refusal to
decide), 04 apology and new appointment, 05 stop notice (TT 03/2025), 06 control slip. A5 paper
(the control slip A4); the layout keeps the national heading, the unit, the form's number, the
place and date line.

Every form but the control slip is an issued record (``IssuedDocument``): its PDF is rendered
once from the facts frozen when it was issued, signed with the issuing unit's certificate
(PAdES, ``motcua.signing``; art. 10: the forms are electronic and digitally signed), stored with
the SHA-256 of the signed bytes, and served as stored ever after. The control slip is the
running record of hand-overs between steps and units, printed from them whenever it is asked
for.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.signing.selectors import IssuedMatch
from motcua.signing.services import pdf_sign
from motcua.worktime.engine import VIETNAM_OFFSET

from . import extensions
from .constants import DocumentKind, Status
from .models import Dossier, DossierEvent, DossierStep, IssuedDocument


@dataclass(frozen=True)
class LegalForm:
    slug: str
    number: str
    title: str
    template: str
    kind: str


FORMS = {
    form.slug: form
    for form in [
        LegalForm("tiep-nhan", "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "receipt", DocumentKind.RECEIPT),
        LegalForm("yeu-cau-bo-sung", "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "supplement", DocumentKind.SUPPLEMENT_REQUEST),
        LegalForm("tu-choi", "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "refusal", DocumentKind.REFUSAL),
        LegalForm("tu-choi-giai-quyet", "Mẫu số 03", "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ", "rejection", DocumentKind.REJECTION),
        LegalForm("xin-loi", "Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "apology", DocumentKind.APOLOGY),
        LegalForm("dung-giai-quyet", "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "stop", DocumentKind.STOP),
        LegalForm("kiem-soat", "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "control", DocumentKind.CONTROL_SLIP),
        # Not a form of the circulars: the signed decision's notice, with its signature block.
        LegalForm("ket-qua-giai-quyet", "", "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "decision", DocumentKind.DECISION),
    ]
}  # fmt: skip
FORM_OF_KIND = {form.kind: form for form in FORMS.values()}
CONTROL = "kiem-soat"
# For dossiers from before documents were issued as records: the event that issued each form.
ISSUING_ACTION = {
    DocumentKind.RECEIPT: "receive",
    DocumentKind.SUPPLEMENT_REQUEST: "request_supplement",
    DocumentKind.REFUSAL: "refuse_reception",
    DocumentKind.REJECTION: "reject",
    DocumentKind.APOLOGY: "apologize",
    DocumentKind.STOP: "withdraw",
}


def issued_documents(dossier: Dossier) -> list[IssuedDocument]:
    return list(dossier.issued_documents.order_by("issued_at", "pk"))


def forms_available(dossier: Dossier) -> list[LegalForm]:
    """The forms issued for the dossier (each kind once, its latest), then the control slip.

    Reads the dossier's issued documents and events once (the prefetched ones when the page has
    them), whatever the number of kinds."""
    kinds = {document.kind for document in dossier.issued_documents.all()}
    actions = {event.action for event in dossier.events.all()}
    kinds |= {
        kind
        for kind, action in ISSUING_ACTION.items()
        if issued_before_records(dossier, kind, action, actions)
    }
    wanted = [form for form in FORMS.values() if form.kind in kinds and form.slug != CONTROL]
    return [*wanted, FORMS[CONTROL]]


def issued_before_records(dossier: Dossier, kind: str, action: str, actions: set[str]) -> bool:
    """A form that the dossier's history says was issued before issued records existed."""
    if kind == DocumentKind.REFUSAL and dossier.status != Status.NOT_RECEIVED:
        return False
    return action in actions


def latest_issued(dossier: Dossier, kind: str) -> IssuedDocument | None:
    found = dossier.issued_documents.filter(kind=kind).order_by("-issued_at", "-pk").first()
    if found is None and kind in ISSUING_ACTION:
        found = backfill(dossier, kind)
    return found


def backfill(dossier: Dossier, kind: str) -> IssuedDocument | None:
    """Issue, once, a form that an older dossier's event issued before records existed."""
    from .services.documents import document_issue

    event = (
        dossier.events.filter(action=ISSUING_ACTION[DocumentKind(kind)]).order_by("-seq").first()
    )
    if event is None or (kind == DocumentKind.REFUSAL and dossier.status != Status.NOT_RECEIVED):
        return None
    with transaction.atomic():
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        existing = dossier.issued_documents.filter(kind=kind).first()
        if existing is not None:
            return existing
        return document_issue(
            dossier=dossier, kind=kind, event=event, actor=event.actor, at=event.at
        )


def legal_form_pdf(dossier: Dossier, slug: str) -> bytes:
    form = FORMS.get(slug)
    if form is None:
        raise DomainError(_("Không có mẫu này."))
    if slug == CONTROL:
        return control_slip_pdf(dossier)
    document = latest_issued(dossier, form.kind)
    if document is None:
        raise DomainError(_("Mẫu này chưa được ban hành cho hồ sơ."))
    return issued_pdf(document)


def issued_pdf(document: IssuedDocument) -> bytes:
    """The stored PDF; rendered and signed the first time it is asked for. Rendering and
    signing happen outside any transaction (they take a while and must not hold the database);
    the first signed rendering to be stored wins and every later request gets exactly those
    bytes. A unit that cannot sign raises SigningUnavailable: nothing is stored unsigned."""
    if not document.sha256:
        document.refresh_from_db(fields=["sha256", "file"])
    if not document.sha256:
        body = signed(document, render_issued(document))
        digest = hashlib.sha256(body).hexdigest()
        with transaction.atomic():
            current = IssuedDocument.objects.select_for_update().get(pk=document.pk)
            if not current.sha256:
                current.sha256 = digest
                current.file.save(digest, ContentFile(body), save=False)
                current.rendered_at = now()
                current.save(update_fields=["sha256", "file", "rendered_at"])
        document.sha256, document.file = current.sha256, current.file
    with document.file.open("rb") as stored:
        return stored.read()


# Where the forms are signed (the signature's /Location), as the date line says.
SIGNING_PLACE = "Hà Nội"


def signing_reason(document: IssuedDocument) -> str:
    """The signature's /Reason: what is signed, e.g. "Giấy tiếp nhận hồ sơ và hẹn trả kết quả số
    1/TNHS" (in Vietnamese whatever the language of the request that caused the rendering)."""
    with translation.override("vi"):
        return f"{DocumentKind(document.kind).label} số {document.number}"


def signed(document: IssuedDocument, pdf: bytes) -> bytes:
    return pdf_sign(
        pdf, unit=document.unit, reason=signing_reason(document), location=SIGNING_PLACE
    )


def issued_document_find(digests: Sequence[str]) -> IssuedMatch | None:
    """The issued document stored with one of these SHA-256, in facts that name no person
    (the public verification page shows them to whoever holds the file)."""
    document = (
        IssuedDocument.objects.filter(sha256__in=digests[:8])
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    if document is None:
        return None
    form = FORM_OF_KIND.get(document.kind)
    label = document.get_kind_display()
    return IssuedMatch(
        form=f"{label} ({form.number})" if form else label, number=document.number,
        unit=document.unit.name, issued_at=document.issued_at, exact=True,
    )  # fmt: skip


def issued_document_render(document: IssuedDocument) -> str:
    """Render and store the PDF if it is not yet; its SHA-256."""
    issued_pdf(document)
    return document.sha256


# The facts that are instants; only these are turned back into date-times (a reason or a name
# that merely looks like a date stays text).
INSTANTS = frozenset(
    {"issued_at", "received_at", "due_at", "statutory_due_at", "at", "previous_due", "new_due"}
)


def thaw(value: Any, key: str = "") -> Any:
    """Facts back into template values: the known instants become date-times again."""
    if isinstance(value, dict):
        return {name: thaw(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    if key in INSTANTS and isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def date_line(value: datetime.datetime) -> str:
    local = value.astimezone(VIETNAM_OFFSET)
    return f"Hà Nội, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def render_issued(document: IssuedDocument) -> bytes:
    if (own := extensions.RENDERERS.get(document.kind)) is not None:
        return own(document)
    import segno  # here, as WeasyPrint below: only a process that draws a form loads them

    facts = thaw(document.facts)
    form = FORM_OF_KIND[DocumentKind(document.kind)]
    context = {
        **facts,
        "form": form,
        "date_line": date_line(facts["issued_at"]),
        "qr": segno.make(facts["lookup_url"], error="m").svg_inline(scale=2, border=1),
    }
    return html_to_pdf(render_to_string(f"dossiers/pdf/{form.template}.html", context))


def html_to_pdf(html: str) -> bytes:
    """Rendered with a fetcher that reads only our static files (``common.pdf_fetch``)."""
    from motcua.common import pdf_fetch  # WeasyPrint loads only when a PDF is drawn

    return pdf_fetch.html_to_pdf(html)


@dataclass(frozen=True)
class HandOver:
    """One row of the control slip: who handed the dossier to whom, when, and how it went."""

    visit: DossierStep
    giver_unit: str
    result: str


def hand_overs(dossier: Dossier) -> list[HandOver]:
    visits = list(dossier.step_visits.select_related("unit").order_by("started_at", "pk"))
    rows, giver = [], dossier.receiving_unit.name
    for visit in visits:
        if visit.on_time is None:
            result = "Đang xử lý" if visit.ended_at is None else ""
        elif (
            visit.ended_at is not None
            and visit.due_at is not None
            and visit.ended_at < visit.due_at
        ):
            result = "Trước hạn"
        else:
            result = "Đúng hạn" if visit.on_time else "Quá hạn"
        rows.append(HandOver(visit, giver, result))
        giver = visit.unit.name
    return rows


def control_slip_pdf(dossier: Dossier) -> bytes:
    receipt = dossier.issued_documents.filter(kind=DocumentKind.RECEIPT).first()
    consultations = list(dossier.consultations.select_related("unit"))
    context = {
        "form": FORMS[CONTROL],
        "dossier": dossier,
        "unit": dossier.receiving_unit,
        "parent": dossier.receiving_unit.parent,
        "receipt": receipt,
        "deciding_unit": dossier.deciding_unit,
        "partners": sorted({c.unit.name for c in consultations}),
        "consultations": consultations,
        "rows": hand_overs(dossier),
        "date_line": date_line(dossier.received_at or dossier.submitted_at),
        "qr": "",
        "events": list(DossierEvent.objects.filter(dossier=dossier).order_by("seq")),
    }
    return html_to_pdf(render_to_string("dossiers/pdf/control.html", context))
