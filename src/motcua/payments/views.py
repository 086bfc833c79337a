"""The payment pages: the applicant pays online and comes back from the gateway, both download
the e-receipt, officers exempt a dossier; the gateway's callback (signed, not a person)."""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.common.client import client_address
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.common.text import unaccent
from motcua.dossiers.access import access_record
from motcua.dossiers.legal_forms import issued_pdf
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.dossiers.selectors import dossier_for_officer
from motcua.integrations.payment.base import SIGNATURE_HEADER
from motcua.portal.online import PAY_AFTER_SUBMISSION
from motcua.portal.services import citizen_dossiers

from . import services
from .constants import CallbackOutcome, Method, PaymentStatus
from .models import Payment
from .receipts import receipt_document, receipt_pdf
from .selectors import receipt_of

log = logging.getLogger(__name__)


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (the views are behind ``login_required``)."""
    return cast(User, request.user)


def own_dossier(request: HttpRequest, ref: str) -> Dossier:
    """The signed-in applicant's dossier, else 404 (never "it exists but is not yours")."""
    found = (
        Dossier.objects.filter(citizen_dossiers(request.user))
        .select_related("procedure", "receiving_unit")
        .filter(ref=ref)
        .first()
    )
    if found is None:
        raise Http404(_("Không có hồ sơ này trong tài khoản của bạn."))
    return found


def base_url(request: HttpRequest) -> str:
    """Where the gateway returns the payer and sends its callback: the configured public URL,
    else the one this request came to."""
    return settings.MOTCUA_PAYMENT_BASE_URL or request.build_absolute_uri("/")


@login_required
@require_POST
def pay(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = own_dossier(request, ref)
    try:
        payment = services.payment_start(
            dossier=dossier,
            payer=signed_in(request),
            at=now(),
            base_url=base_url(request),
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("portal:my-dossier", ref=dossier.ref)
    return redirect(payment.pay_url)


@login_required
def at_submission(request: HttpRequest, ref: str) -> HttpResponse:
    """Right after "Nộp hồ sơ" with "pay now" ticked: to the gateway. Only once, and only for
    the dossier the submission named (a link alone starts nothing); the dossier is submitted
    whatever happens here."""
    dossier = own_dossier(request, ref)
    if request.session.pop(PAY_AFTER_SUBMISSION, None) != dossier.ref:
        return redirect("portal:my-dossier", ref=dossier.ref)
    try:
        payment = services.payment_start(
            dossier=dossier, payer=signed_in(request), at=now(), base_url=base_url(request)
        )
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("portal:my-dossier", ref=dossier.ref)
    return redirect(payment.pay_url)


@login_required
def back(request: HttpRequest, ref: str, number: str) -> HttpResponse:
    """The gateway sends the payer back here: the outcome in words (the callback may not have
    arrived yet: the gateway is asked)."""
    dossier = own_dossier(request, ref)
    payment = dossier.payments.filter(number=number).first()
    if payment is None:
        raise Http404(_("Không có giao dịch này."))
    status = services.payment_refresh(payment, at=now())
    payment.refresh_from_db()
    if status == PaymentStatus.PAID and payment.receipt_number:
        messages.success(
            request,
            _("Đã nộp %(amount)s. Biên lai điện tử số %(number)s đã sẵn sàng để tải về.")
            % {"amount": f"{payment.amount_vnd:,}".replace(",", ".") + " đ",
               "number": payment.receipt_number},
        )  # fmt: skip
    elif status in (PaymentStatus.DECLINED, PaymentStatus.EXPIRED) or payment.message:
        messages.error(
            request, _(payment.message) if payment.message else _("Thanh toán không thành công.")
        )
    elif payment.method == Method.ONLINE and status == PaymentStatus.PENDING:
        messages.info(
            request, _("Cổng thanh toán chưa xác nhận giao dịch; hãy tải lại trang sau ít phút.")
        )
    return redirect("portal:my-dossier", ref=dossier.ref)


def pdf_response(payment: Payment) -> HttpResponse:
    """The signed e-receipt as issued (the same bytes every time, the hash listed with the
    dossier's documents); a receipt from before receipts were issued documents is rendered."""
    document = receipt_document(payment)
    body = issued_pdf(document) if document is not None else receipt_pdf(payment)
    response = HttpResponse(body, content_type="application/pdf")
    name = unaccent(payment.receipt_number).replace("/", "-")  # an ASCII header
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{name}.pdf"'
    return response


@login_required
def citizen_receipt(request: HttpRequest, ref: str, number: str) -> HttpResponse:
    payment = receipt_of(own_dossier(request, ref), number)
    if payment is None:
        raise Http404(_("Không có biên lai này."))
    return pdf_response(payment)


@login_required
def officer_receipt(request: HttpRequest, ref: str, number: str) -> HttpResponse:
    """The unit's officers who may read the dossier read its receipts (and the read is logged)."""
    if not permissions.is_officer(request.user):
        raise Http404
    dossier = dossier_for_officer(signed_in(request), ref)
    payment = receipt_of(dossier, number) if dossier is not None else None
    if dossier is None or payment is None:
        raise Http404(_("Không có biên lai này."))
    access_record(
        user=signed_in(request), dossier=dossier, what=DossierAccess.What.FORM,
        item=f"Biên lai {payment.receipt_number}",
    )  # fmt: skip
    return pdf_response(payment)


@login_required
@require_POST
def exempt(request: HttpRequest, ref: str) -> HttpResponse:
    if not permissions.is_officer(request.user):
        raise Http404
    dossier = dossier_for_officer(signed_in(request), ref)
    if dossier is None:
        raise Http404
    try:
        if request.POST.get("revoke"):
            services.fee_exemption_revoke(dossier=dossier, actor=signed_in(request), at=now())
            messages.success(request, _("Đã bỏ miễn phí, lệ phí."))
        else:
            services.fee_exempt(
                dossier=dossier,
                actor=signed_in(request),
                basis=request.POST.get("basis", ""),
                at=now(),
            )
            messages.success(request, _("Đã ghi nhận miễn phí, lệ phí."))
    except DomainError as refused:
        messages.error(request, str(refused.message))
    return redirect("dossiers:detail", ref=dossier.ref)


@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> JsonResponse:
    """The gateway's signed callback; 200 for a callback taken (or a repeat), 403 forged."""
    outcome = services.callback_receive(
        body=request.body, signature=request.headers.get(SIGNATURE_HEADER, ""),
        remote=client_address(request) or "", at=now(),
    )  # fmt: skip
    status = {CallbackOutcome.FORGED: 403, CallbackOutcome.INVALID: 400,
              CallbackOutcome.UNKNOWN: 404}.get(CallbackOutcome(outcome), 200)  # fmt: skip
    return JsonResponse({"outcome": outcome}, status=status)
