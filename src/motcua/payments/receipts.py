"""The electronic receipt (biên lai điện tử) of a paid payment, as a PDF rendered like the legal
forms (weasyprint, A5, the national motto). Rendered on request from the payment's stored facts:
the same payment always gives the same receipt."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from motcua.catalog.presentation import money_text
from motcua.common.clock import VIETNAM
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.legal_forms import date_line, html_to_pdf
from motcua.dossiers.models import IssuedDocument
from motcua.dossiers.services.documents import lookup_url

from .constants import Method
from .models import Payment

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]


def three_digits(n: int, full: bool) -> str:
    """0–999 in words; ``full`` when a higher group precedes (then "không trăm", "lẻ")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        else:
            words.append(DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """10000 → "Mười nghìn đồng"; the receipt states the sum in words as well as in figures."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        full = index < len(groups) - 1
        words.append(three_digits(groups[index], full))
        if GROUPS[index]:
            words.append(GROUPS[index])
    text = " ".join(words) + " đồng"
    return text[:1].upper() + text[1:]


def receipt_pdf(payment: Payment) -> bytes:
    dossier, unit = payment.dossier, payment.unit
    paid_at = (payment.paid_at or payment.created_at).astimezone(VIETNAM)
    lines = [
        {**line, "text_amount": f"{int(line['amount_vnd']):,}".replace(",", ".") + " đ"}
        for line in payment.lines or []
    ]
    if sum(int(line["amount_vnd"]) for line in lines) != payment.amount_vnd:
        lines = [{"label": "Phí, lệ phí", "amount_vnd": payment.amount_vnd,
                  "text_amount": money_text(payment.amount_vnd)}]  # fmt: skip
    with translation.override("vi"):  # a legal document: Vietnamese whatever the page's language
        context = {
            "form": {"title": "BIÊN LAI THU PHÍ, LỆ PHÍ (ĐIỆN TỬ)", "number": ""},
            "dossier": dossier, "unit": unit, "parent": unit.parent, "payment": payment,
            "number": payment.receipt_number, "date_line": date_line(paid_at), "lines": lines,
            "total": money_text(payment.amount_vnd), "words": amount_in_words(payment.amount_vnd),
            "method": Method(payment.method).label, "paid_at": paid_at,
            "lookup_url": lookup_url(dossier),
        }  # fmt: skip
        return html_to_pdf(render_to_string("payments/pdf/receipt.html", context))


def receipt_document_pdf(document: IssuedDocument) -> bytes:
    """The unsigned PDF of an issued fee receipt (the kernel signs and stores it)."""
    payment = (
        Payment.objects.select_related("unit", "unit__parent", "dossier")
        .filter(number=document.facts.get("payment", ""))
        .get()
    )
    return receipt_pdf(payment)


def receipt_document(payment: Payment) -> IssuedDocument | None:
    return (
        payment.dossier.issued_documents.filter(
            kind=DocumentKind.FEE_RECEIPT, number=payment.receipt_number
        )
        .select_related("unit")
        .first()
    )
