"""Reads of the payments app: what the dossier pages show, who may read a receipt, and the 766
flag of a dossier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.catalog.presentation import money_text
from motcua.common.prepared import PreparedQuery
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier

from .constants import OnlineFlag, PaymentStatus
from .fees import amount_owed, fee_quote, payable_at_submission
from .flags import pay_event_flag
from .models import Payment


def payments_of(dossier_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier_id=dossier_id).order_by("-created_at", "-pk")


# Read by every dossier page: compiled once (``common.prepared``).
PAYMENTS = PreparedQuery(payments_of, routed=Payment, dossier_id=(1, 2))


@dataclass(frozen=True)
class PaymentPanel:
    dossier: Dossier
    quote_lines: list[dict[str, Any]]
    quote_total: str
    exemption: Any
    owed: int
    owed_text: str
    payments: list[Payment]
    waiting: bool
    may_exempt: bool = False
    at_submission: bool = False  # an online submission may be paid before reception
    paid_text: str = ""  # what the dossier's fees paid come to, for the counter


def panel(dossier: Dossier, *, may_exempt: bool = False) -> PaymentPanel:
    quote = fee_quote(dossier)
    owed = amount_owed(dossier)
    exemption = quote.exemption_row
    # Offered only where a gateway is configured: without one, nothing to do before reception.
    early = bool(settings.MOTCUA_PAYMENT_URL) and payable_at_submission(dossier, quote) > 0
    return PaymentPanel(
        dossier=dossier,
        quote_lines=[{**line, "text_amount": money_text(line["amount_vnd"])} for line in quote.lines],
        quote_total=str(money_text(quote.total)) if quote.lines or exemption else "",
        exemption=exemption, owed=owed if not early else quote.total,
        owed_text=str(money_text(owed if not early else quote.total)),
        at_submission=early,
        paid_text=str(money_text(dossier.fees_paid_vnd)) if dossier.fees_paid_vnd else "",
        payments=PAYMENTS(dossier_id=dossier.pk),
        waiting=dossier.status == Status.AWAITING_PAYMENT and owed > 0,
        # Nothing to exempt from on a free procedure; an exemption made stays revocable.
        may_exempt=may_exempt and (quote.total > 0 or exemption is not None),
    )  # fmt: skip


def officer_panel(dossier: Dossier, user: User) -> PaymentPanel:
    from .services import may_exempt

    return panel(dossier, may_exempt=may_exempt(dossier, user))


def receipt_of(dossier: Dossier, number: str) -> Payment | None:
    return (
        dossier.payments.filter(number=number, status=PaymentStatus.PAID)
        .exclude(receipt_number="")
        .select_related("unit", "dossier", "dossier__procedure")
        .first()
    )


def online_payment_flag(dossier: Dossier) -> int:
    """Decision 766, DuocThanhToanTrucTuyen: 1 paid through the national platform, 2 through a
    local gateway, 0 otherwise (cash, not paid, no fee); read from the ``pay`` events as
    indicator 3.6 reads it (``flags``)."""
    payloads = dossier.events.filter(action=Action.PAY).values_list("payload", flat=True)
    return max((pay_event_flag(payload) for payload in payloads), default=OnlineFlag.NONE)
