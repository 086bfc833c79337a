"""The payment gateway's protocol, as Một Cửa speaks it (decision 0028).

- ``POST /payments`` (JSON: ``order_id``, ``amount_vnd``, ``description``, ``return_url``,
  ``callback_url``; header ``Authorization: Bearer <merchant token>``) → 201 with ``payment_id``,
  ``pay_url`` (where the payer's browser goes), ``status`` ``pending`` and ``expires_at``. The same
  ``order_id`` twice gets the same payment (200).
- The payer approves or declines on the gateway's page; the gateway then POSTs the outcome to
  ``callback_url``: a JSON object ``{order_id, payment_id, status, amount_vnd, at}`` signed in
  the header ``X-Signature: <hex HMAC-SHA256 of the raw body with the shared secret>``. It may send
  it more than once.
- ``GET /payments/<order_id>`` → the payment as it stands (the status query, for a lost callback).
- ``GET /payments?date=yyyy-mm-dd`` → every payment of that day (Hà Nội time), for reconciliation.

Statuses: ``pending``, ``paid``, ``declined``, ``expired``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Protocol

PENDING, PAID, DECLINED, EXPIRED = "pending", "paid", "declined", "expired"
STATUSES = frozenset({PENDING, PAID, DECLINED, EXPIRED})
SIGNATURE_HEADER = "X-Signature"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, signature: str) -> bool:
    """Compared in constant time: a forger learns nothing from how long a refusal takes."""
    return bool(secret) and hmac.compare_digest(sign(secret, body), (signature or "").strip())


@dataclass(frozen=True)
class GatewayPayment:
    order_id: str
    payment_id: str
    status: str
    amount_vnd: int
    pay_url: str = ""
    expires_at: str = ""
    paid_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GatewayPayment:
        status = str(data.get("status") or "")
        if status not in STATUSES:
            raise GatewayError(f"gateway answered an unknown status {status!r}", permanent=True)
        return cls(
            order_id=str(data.get("order_id") or ""), payment_id=str(data.get("payment_id") or ""),
            status=status, amount_vnd=int(data.get("amount_vnd") or 0),
            pay_url=str(data.get("pay_url") or ""), expires_at=str(data.get("expires_at") or ""),
            paid_at=str(data.get("paid_at") or ""),
        )  # fmt: skip


class GatewayError(Exception):
    """The gateway did not answer usefully; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


class Gateway(Protocol):
    flag: int  # the 766 flag DuocThanhToanTrucTuyen: 1 national platform, 2 local gateway

    def create(
        self, *, order_id: str, amount_vnd: int, description: str, return_url: str,
        callback_url: str,
    ) -> GatewayPayment: ...  # fmt: skip

    def query(self, order_id: str) -> GatewayPayment: ...

    def day(self, date: str) -> list[GatewayPayment]: ...
