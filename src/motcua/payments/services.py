"""Writes of the payments app (decision 0028): start an online payment, take the gateway's
callback or status answer, exempt a dossier from its fees.

NĐ 61/2018 Điều 22 and Điều 25 khoản 6: fees are paid in cash, by transfer, or online through
the national payment platform or a local gateway. Paying is the dossier kernel's ``pay`` action
(``dossier_pay``): its event carries the payment's number, method and 766 flag, and the payments
app's subscriber numbers the receipt in the same transaction."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.integrations.payment import base
from motcua.integrations.payment.client import gateway

from .constants import FINAL, CallbackOutcome, Method, PaymentStatus
from .errors import NothingToPay, PaymentUnavailable
from .fees import amount_payable, fee_quote
from .models import Callback, FeeExemption, Payment
from .subscribers import payment_number_new

log = logging.getLogger(__name__)

DECLINED_MESSAGE = _(
    "Thanh toán không thành công: giao dịch bị từ chối. Hồ sơ vẫn chờ bạn nộp phí; "
    "bạn có thể thanh toán lại."
)
EXPIRED_MESSAGE = _(
    "Giao dịch thanh toán đã hết hạn trước khi được xác nhận. Hồ sơ vẫn chờ bạn nộp phí; "
    "bạn có thể thanh toán lại."
)

# Paying with the submission (issue 16): the dossier is submitted either way.
SUBMISSION_DECLINED = _(
    "Thanh toán không thành công: giao dịch bị từ chối. Hồ sơ của bạn đã được nộp và vẫn chờ "
    "tiếp nhận; bạn có thể thanh toán lại tại đây hoặc nộp phí tại bộ phận một cửa."
)
SUBMISSION_EXPIRED = _(
    "Giao dịch thanh toán đã hết hạn trước khi được xác nhận. Hồ sơ của bạn đã được nộp và vẫn "
    "chờ tiếp nhận; bạn có thể thanh toán lại tại đây hoặc nộp phí tại bộ phận một cửa."
)


def payment_start(
    *, dossier: Dossier, payer: User, at: datetime.datetime, base_url: str
) -> Payment:
    """The applicant starts paying online what a payment request (status 6) asks, or the online
    fee of a dossier just submitted and not yet received; the payment page of the gateway is
    ``pay_url``. A payment still pending is given again, not doubled."""
    if not dossier_services.is_applicant(dossier, payer):
        raise NotAllowed(_("Chỉ người nộp hồ sơ được thanh toán phí của hồ sơ này."))
    owed = amount_payable(dossier)
    if owed <= 0:
        raise NothingToPay(_("Hồ sơ này hiện không chờ nộp phí."))
    remote = gateway()
    if remote is None:
        raise PaymentUnavailable(
            _("Đơn vị chưa hỗ trợ thanh toán trực tuyến; hãy nộp tại bộ phận một cửa.")
        )
    waiting = dossier.payments.filter(
        status=PaymentStatus.PENDING, method=Method.ONLINE, amount_vnd=owed
    ).exclude(pay_url="")
    for payment in waiting:
        if payment_refresh(payment, at=at) == PaymentStatus.PENDING:
            return payment
    quote = fee_quote(dossier)
    payment = Payment.objects.create(
        dossier=dossier, number=payment_number_new("TT", at), method=Method.ONLINE,
        flag=remote.flag, amount_vnd=owed, unit_id=dossier.receiving_unit_id, created_at=at,
        payer=payer, payer_name=dossier.applicant_name, lines=quote.lines or [
            {"label": "Phí, lệ phí", "amount_vnd": owed, "type": "fee", "text": ""}
        ],
    )  # fmt: skip
    root = base_url.rstrip("/")
    try:
        created = remote.create(
            order_id=payment.number, amount_vnd=owed,
            description=f"Nộp phí, lệ phí hồ sơ {dossier.code or dossier.ref}",
            return_url=f"{root}/ho-so-cua-toi/{dossier.ref}/nop-phi/{payment.number}/",
            callback_url=f"{root}/thanh-toan/thong-bao/",
        )  # fmt: skip
    except base.GatewayError as error:
        log.warning("payment %s not created at the gateway: %s", payment.number, error)
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentStatus.FAILED, message=str(error)[:300]
        )
        raise PaymentUnavailable() from error
    payment.gateway_id, payment.pay_url = created.payment_id, created.pay_url
    payment.save(update_fields=["gateway_id", "pay_url", "updated_at"])
    return payment


def payment_apply(payment: Payment, *, status: str, amount_vnd: int, at: datetime.datetime) -> str:
    """What the gateway says of a payment, applied once: a payment already settled is a
    duplicate (nothing changes); paid settles the dossier's fee through its ``pay`` action."""
    with transaction.atomic():
        current = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
        if current.status in FINAL or status == base.PENDING:
            return CallbackOutcome.DUPLICATE if current.status in FINAL else CallbackOutcome.APPLIED
        if status == base.PAID and amount_vnd != current.amount_vnd:
            log.error("payment %s: gateway says %s paid, we asked %s", current.number,
                      amount_vnd, current.amount_vnd)  # fmt: skip
            return CallbackOutcome.INVALID
        if status == base.PAID:
            settle(current, at)
        else:
            current.status = (
                PaymentStatus.DECLINED if status == base.DECLINED else PaymentStatus.EXPIRED
            )
            with translation.override("vi"):  # stored as the catalogue's source, shown translated
                current.message = str(failure_message(current.dossier, status))
            current.save(update_fields=["status", "message", "updated_at"])
        return CallbackOutcome.APPLIED


def failure_message(dossier: Dossier, status: str) -> Any:
    """What a payment that did not go through tells the applicant: a submission stays intact."""
    if dossier.status == Status.NEW:
        return SUBMISSION_DECLINED if status == base.DECLINED else SUBMISSION_EXPIRED
    return DECLINED_MESSAGE if status == base.DECLINED else EXPIRED_MESSAGE


def settle(payment: Payment, at: datetime.datetime) -> None:
    """The money arrived: the dossier's ``pay`` action (the subscriber numbers the receipt). A
    dossier no longer waiting (paid at the counter meanwhile, withdrawn) keeps the payment as
    paid and unapplied, for the unit to refund; reconciliation lists it."""
    info = {"number": payment.number, "method": payment.method, "flag": payment.flag}
    try:
        dossier_services.dossier_pay(
            dossier=payment.dossier, actor=None, at=at, amount_vnd=payment.amount_vnd,
            payment=info,
        )  # fmt: skip
    except DomainError as refused:
        payment.status = PaymentStatus.PAID
        payment.paid_at = at
        with translation.override("vi"):
            payment.message = str(
                _("Đã thu tiền nhưng hồ sơ không còn chờ nộp phí (%(why)s); cần hoàn trả.")
                % {"why": refused.message}
            )[:300]
        payment.save(update_fields=["status", "paid_at", "message", "updated_at"])
        log.error("payment %s paid but not applied: %s", payment.number, refused.message)


def payment_refresh(payment: Payment, *, at: datetime.datetime) -> str:
    """Ask the gateway how a pending payment stands (a callback may have been lost)."""
    remote = gateway()
    if payment.status != PaymentStatus.PENDING or remote is None or not payment.gateway_id:
        return payment.status
    try:
        found = remote.query(payment.number)
    except base.GatewayError as error:
        log.warning("payment %s: status query failed: %s", payment.number, error)
        return payment.status
    payment_apply(payment, status=found.status, amount_vnd=found.amount_vnd, at=at)
    payment.refresh_from_db()
    return payment.status


def callback_receive(*, body: bytes, signature: str, remote: str, at: datetime.datetime) -> str:
    """The gateway's signed callback. Every callback is kept; a forged one (wrong or missing
    signature) changes nothing and is logged."""
    record = Callback(at=at, body=body.decode("utf-8", "replace")[:4000],
                      signature=(signature or "")[:128], remote=remote[:64])  # fmt: skip
    data = parsed(body)
    record.order_id = str(data.get("order_id") or "")[:40]
    record.status = str(data.get("status") or "")[:16]
    if not base.signature_valid(settings.MOTCUA_PAYMENT_SECRET, body, signature):
        log.warning("payment callback with a wrong signature from %s refused (order %s)",
                    remote, record.order_id)  # fmt: skip
        record.outcome = CallbackOutcome.FORGED
    elif not data or record.status not in base.STATUSES:
        record.outcome = CallbackOutcome.INVALID
    else:
        payment = Payment.objects.filter(number=record.order_id, method=Method.ONLINE).first()
        if payment is None:
            record.outcome = CallbackOutcome.UNKNOWN
        else:
            amount = data.get("amount_vnd")
            record.outcome = payment_apply(
                payment, status=record.status,
                amount_vnd=amount if isinstance(amount, int) else -1, at=at,
            )  # fmt: skip
    record.save()
    return record.outcome


def parsed(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # deep nesting: parsed before the signature is checked
        return {}
    return data if isinstance(data, dict) else {}


def may_exempt(dossier: Dossier, actor: User) -> bool:
    """The one-stop that received it, and the deciding unit's processing officers and leaders."""
    receiving = permissions.unit_ids_with(actor, Capability.RECEIVE_DOSSIER)
    deciding = permissions.unit_ids_with(actor, Capability.PROCESS_DOSSIER).union(
        permissions.unit_ids_with(actor, Capability.APPROVE_DOSSIER)
    )  # a new set: the ones given are remembered on the user object
    return dossier.receiving_unit_id in receiving or dossier.deciding_unit_id in deciding


def fee_exempt(*, dossier: Dossier, actor: User, basis: str, at: datetime.datetime) -> FeeExemption:
    """An officer ticks an exemption (e.g. TT 75/2022/TT-BTC Điều 4 for residence fees), with
    its basis; recorded with who and when, and shown in the dossier's payment panel."""
    if not may_exempt(dossier, actor):
        raise NotAllowed(_("Bạn không có quyền miễn phí, lệ phí cho hồ sơ này."))
    basis = (basis or "").strip()
    if not basis:
        raise DomainError(_("Cần ghi căn cứ miễn phí, lệ phí (văn bản, điều khoản)."))
    if dossier.fees_paid_vnd > 0:
        raise DomainError(_("Hồ sơ đã nộp phí; không thể miễn sau khi đã thu."))
    with transaction.atomic():
        existing = dossier.fee_exemptions.select_for_update().filter(revoked_at__isnull=True)
        if existing.exists():
            raise DomainError(_("Hồ sơ đã được miễn phí, lệ phí."))
        return FeeExemption.objects.create(
            dossier=dossier, basis=basis[:300], by=actor, by_name=actor.get_full_name()[:150],
            at=at,
        )  # fmt: skip


def fee_exemption_revoke(*, dossier: Dossier, actor: User, at: datetime.datetime) -> None:
    if not may_exempt(dossier, actor):
        raise NotAllowed(_("Bạn không có quyền miễn phí, lệ phí cho hồ sơ này."))
    dossier.fee_exemptions.filter(revoked_at__isnull=True).update(
        revoked_at=at, revoked_by_name=actor.get_full_name()[:150]
    )
