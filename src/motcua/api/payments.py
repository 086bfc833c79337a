"""The fees and payments of a dossier, for the officers who may read it (decision 0028). Paying
in cash is the ``pay`` action (``POST /dossiers/{ref}/actions/pay``); paying online is the
applicant's, in the browser."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from motcua.dossiers.access import access_record
from motcua.dossiers.models import DossierAccess
from motcua.payments.fees import amount_owed, fee_quote
from motcua.payments.selectors import online_payment_flag

from .auth import SessionAuth, TokenAuth
from .dossiers import officer, visible_or_404
from .schemas import ErrorOut

router = Router(tags=["payments"], auth=[TokenAuth(), SessionAuth()])


class FeeLineOut(Schema):
    type: str
    label: str
    amount_vnd: int
    text: str


class PaymentOut(Schema):
    number: str
    method: str
    status: str
    amount_vnd: int
    flag: int
    receipt_number: str
    created_at: datetime.datetime
    paid_at: datetime.datetime | None


class PaymentsOut(Schema):
    fees: list[FeeLineOut]
    exemption: str
    fees_due_vnd: int
    fees_paid_vnd: int
    owed_vnd: int
    online_payment_flag: int
    payments: list[PaymentOut]


@router.get(
    "/dossiers/{ref}/payments",
    response={200: PaymentsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def dossier_payments(request: HttpRequest, ref: str) -> dict[str, Any]:
    """The catalogue's fees for the dossier's channel, an exemption, what is owed, every payment
    with its receipt number, and the 766 flag (1 national platform, 2 local gateway, 0 none)."""
    user = officer(request)
    dossier = visible_or_404(user, ref)
    access_record(
        user=user, dossier=dossier, what=DossierAccess.What.PAGE, item="Phí, lệ phí", via="api"
    )
    quote = fee_quote(dossier)
    return {
        "fees": quote.lines, "exemption": quote.exemption, "fees_due_vnd": dossier.fees_due_vnd,
        "fees_paid_vnd": dossier.fees_paid_vnd, "owed_vnd": amount_owed(dossier),
        "online_payment_flag": online_payment_flag(dossier),
        "payments": list(dossier.payments.order_by("created_at", "pk")),
    }  # fmt: skip
