from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError

GATEWAY_DOWN = _(
    "Cổng thanh toán đang không trả lời; bạn chưa bị trừ tiền. Hãy thử lại sau ít phút."
)


class PaymentUnavailable(DomainError):
    """The gateway is off or did not answer: nothing was charged."""

    def __init__(self, message: str | Promise = GATEWAY_DOWN) -> None:
        super().__init__(message)


class NothingToPay(DomainError):
    """The dossier is not waiting for a payment by this person."""
