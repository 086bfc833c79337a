"""The legal forms of the one-stop mechanism as PDFs, filled from the dossier.

Circular 01/2018/TT-VPCP art. 9 (as re-issued by Circular 03/2025/TT-VPCP): Mẫu 01 receipt and
appointment, 02 supplement request, 03 refusal of reception, 04 apology and new appointment,
05 stop notice (TT 03/2025), control slip (Phiếu kiểm soát quá trình giải quyết). A5 paper; the
layout keeps the national heading, the unit, the form number, the place and date line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from motcua.catalog.presentation import time_limit_text
from motcua.common.errors import DomainError
from motcua.worktime.engine import VIETNAM_OFFSET

from .constants import Status
from .models import Dossier


@dataclass(frozen=True)
class LegalForm:
    slug: str
    number: str
    title: str
    template: str


FORMS = {
    form.slug: form
    for form in [
        LegalForm("tiep-nhan", "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "receipt"),
        LegalForm(
            "yeu-cau-bo-sung", "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "supplement"
        ),
        LegalForm("tu-choi", "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "refusal"),
        LegalForm("xin-loi", "Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "apology"),
        LegalForm("dung-giai-quyet", "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "stop"),
        LegalForm(
            "kiem-soat", "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "control"
        ),
    ]
}


def forms_available(dossier: Dossier) -> list[LegalForm]:
    """The forms that make sense for the dossier as it stands."""
    wanted = ["kiem-soat"]
    if dossier.code:
        wanted.insert(0, "tiep-nhan")
    if dossier.supplement_requests:
        wanted.append("yeu-cau-bo-sung")
    if dossier.status == Status.NOT_RECEIVED:
        wanted.append("tu-choi")
    if dossier.apologies:
        wanted.append("xin-loi")
    if dossier.status == Status.STOPPED:
        wanted.append("dung-giai-quyet")
    return [FORMS[slug] for slug in wanted]


def date_line(value: Any) -> str:
    local = value.astimezone(VIETNAM_OFFSET)
    return f"Hà Nội, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def form_context(dossier: Dossier, form: LegalForm) -> dict[str, Any]:
    events = list(dossier.events.select_related("unit").order_by("seq"))
    last_of = {event.action: event for event in events}
    issued = issued_at(form, last_of) or (events[-1].at if events else dossier.submitted_at)
    return {
        "dossier": dossier,
        "form": form,
        "unit": dossier.receiving_unit,
        "parent": dossier.receiving_unit.parent,
        "date_line": date_line(issued),
        "qr": segno.make(lookup_url(dossier), error="m").svg_inline(scale=2, border=1),
        "limit": time_limit_text(dossier.case.time_quantity, dossier.case.time_unit)
        if dossier.case
        else limit_text(dossier),
        "received_documents": list(
            dict.fromkeys(  # once each: several files may answer one document
                [
                    *dossier.checklist,
                    *dossier.documents.filter(kind="input").values_list("name", flat=True),
                ]
            )
        ),
        "supplement": last_of.get("request_supplement"),
        "refusal": last_of.get("refuse_reception"),
        "apology": last_of.get("apologize"),
        "stop": last_of.get("withdraw"),
        "events": events,
    }


# The event each form records: its date is the form's date, however far the dossier has moved on.
FORM_EVENT = {
    "tiep-nhan": "receive",
    "yeu-cau-bo-sung": "request_supplement",
    "tu-choi": "refuse_reception",
    "xin-loi": "apologize",
    "dung-giai-quyet": "withdraw",
}


def issued_at(form: LegalForm, last_of: dict[str, Any]) -> Any:
    event = last_of.get(FORM_EVENT.get(form.slug, ""))
    return event.at if event is not None else None


def lookup_url(dossier: Dossier) -> str:
    """The public lookup page with the dossier code filled in (the code is in the URL)."""
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/?ma={quote(dossier.code or dossier.ref)}"


def limit_text(dossier: Dossier) -> str:
    case = dossier.procedure.cases.order_by("order").first()
    return (
        time_limit_text(case.time_quantity, case.time_unit)
        if case
        else str(_("Chưa có thông tin thời hạn"))
    )


def legal_form_pdf(dossier: Dossier, slug: str) -> bytes:
    from weasyprint import HTML

    form = FORMS.get(slug)
    if form is None or form not in forms_available(dossier):
        raise DomainError(_("Mẫu này không áp dụng cho hồ sơ ở trạng thái hiện tại."))
    html = render_to_string(f"dossiers/pdf/{form.template}.html", form_context(dossier, form))
    return HTML(string=html).write_pdf()
