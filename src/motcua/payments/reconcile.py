"""Daily reconciliation (decision 0028): the gateway's payments of a day against ours. Pending
payments the gateway has settled are applied (a lost callback); what still differs is listed for
the finance officer: paid at the gateway but not here, paid here but unknown or unpaid there,
amounts that differ, money taken for a dossier that no longer waited for it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from motcua.common.clock import VIETNAM, now
from motcua.integrations.payment.base import PAID, GatewayPayment
from motcua.integrations.payment.client import gateway

from .constants import Method, PaymentStatus
from .errors import PaymentUnavailable
from .models import Payment
from .services import payment_apply


@dataclass
class Reconciliation:
    date: datetime.date
    gateway_count: int = 0
    ours_count: int = 0
    matched: int = 0
    applied: list[str] = field(default_factory=list)  # settled now from the gateway's answer
    differences: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


def day_bounds(date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(date, datetime.time.min, tzinfo=VIETNAM)
    return start, start + datetime.timedelta(days=1)


def payments_reconcile(
    *, date: datetime.date, at: datetime.datetime | None = None
) -> Reconciliation:
    remote = gateway()
    if remote is None:
        raise PaymentUnavailable("MOTCUA_PAYMENT_URL is not set: no gateway to reconcile with")
    theirs = {p.order_id: p for p in remote.day(date.isoformat())}
    start, end = day_bounds(date)
    ours = {
        p.number: p
        for p in Payment.objects.filter(
            method=Method.ONLINE, created_at__gte=start, created_at__lt=end
        ).select_related("dossier")
    }
    result = Reconciliation(date=date, gateway_count=len(theirs), ours_count=len(ours))
    for number, mine in sorted(ours.items()):
        compare(result, mine, theirs.get(number), at or now())
    for number in sorted(set(theirs) - set(ours)):
        if theirs[number].status == PAID:
            result.differences.append(f"{number}: paid at the gateway, unknown here")
    return result


def compare(
    result: Reconciliation, mine: Payment, theirs: GatewayPayment | None, at: datetime.datetime
) -> None:
    if theirs is None:
        if mine.status == PaymentStatus.PAID:
            result.differences.append(f"{mine.number}: paid here, unknown at the gateway")
        else:
            result.matched += 1
        return
    if mine.status == PaymentStatus.PENDING and theirs.status != "pending":
        payment_apply(mine, status=theirs.status, amount_vnd=theirs.amount_vnd, at=at)
        mine.refresh_from_db()
        result.applied.append(f"{mine.number}: {mine.status}")
    if theirs.amount_vnd != mine.amount_vnd:
        result.differences.append(
            f"{mine.number}: amount {mine.amount_vnd} here, {theirs.amount_vnd} at the gateway"
        )
    elif (theirs.status == PAID) != (mine.status == PaymentStatus.PAID):
        result.differences.append(f"{mine.number}: {mine.status} here, {theirs.status} there")
    elif mine.status == PaymentStatus.PAID and mine.message:
        result.differences.append(f"{mine.number}: {mine.message}")
    else:
        result.matched += 1
