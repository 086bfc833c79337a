"""What a dossier owes, from the catalogue: the fees of its procedure for the channel it came by
(online 10.000 đ, counter 20.000 đ for 1.004222), less an exemption an officer ticked.

The national records give fees per channel, not per case; a case of its own fee would be read
here first once the catalogue carries it (decision 0028)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from motcua.catalog.constants import FeeType
from motcua.catalog.selectors import stated_fees
from motcua.common.prepared import PreparedQuery
from motcua.dossiers.constants import Channel, Status, catalogue_method
from motcua.dossiers.models import Dossier

from .models import FeeExemption


@dataclass(frozen=True)
class FeeQuote:
    lines: list[dict[str, Any]] = field(default_factory=list)
    exemption_row: FeeExemption | None = None  # when an officer exempted the dossier

    @property
    def exemption(self) -> str:
        return self.exemption_row.basis if self.exemption_row else ""

    @property
    def catalogue_total(self) -> int:
        return sum(int(line["amount_vnd"]) for line in self.lines)

    @property
    def total(self) -> int:
        return 0 if self.exemption else self.catalogue_total


def fee_lines(procedure_id: int, channel: str) -> list[dict[str, Any]]:
    """The catalogue's fees of a procedure for a dossier channel; the amounts it states only (a
    fee "theo quy định" without an amount is for the officer to ask)."""
    return [
        {"type": fee.fee_type, "label": str(dict(FeeType.choices).get(fee.fee_type, fee.fee_type)),
         "amount_vnd": fee.amount_vnd, "text": fee.text[:300]}
        for fee in stated_fees(procedure_id, catalogue_method(channel))
        if fee.amount_vnd is not None
    ]  # fmt: skip


def exemptions_active(dossier_id: int) -> QuerySet[FeeExemption]:
    return FeeExemption.objects.filter(dossier_id=dossier_id, revoked_at__isnull=True)[:1]


# Asked by every dossier page and payment: compiled once (``common.prepared``).
ACTIVE_EXEMPTION = PreparedQuery(exemptions_active, routed=FeeExemption, dossier_id=(1, 2))


def active_exemption(dossier: Dossier) -> FeeExemption | None:
    """The exemption in force (the newest, by the model's order), if any."""
    return ACTIVE_EXEMPTION.one_or_none(dossier_id=dossier.pk)


def fee_quote(dossier: Dossier) -> FeeQuote:
    exemption = active_exemption(dossier)
    return FeeQuote(fee_lines(dossier.procedure_id, dossier.channel), exemption)


def amount_owed(dossier: Dossier) -> int:
    """What the applicant still has to pay on a payment request (status 6)."""
    return max(dossier.fees_due_vnd - dossier.fees_paid_vnd, 0)


def payable_at_submission(dossier: Dossier, quote: FeeQuote | None = None) -> int:
    """The catalogue's online fee an applicant may pay with an online submission, before the
    unit receives it (issue 16): once, unless an officer exempted the dossier."""
    if dossier.status != Status.NEW or dossier.channel != Channel.ONLINE or dossier.fees_paid_vnd:
        return 0
    return (quote or fee_quote(dossier)).total


def amount_payable(dossier: Dossier) -> int:
    """What the applicant may pay online now: a payment request, else the submission's fee."""
    if dossier.status == Status.AWAITING_PAYMENT:
        return amount_owed(dossier)
    return payable_at_submission(dossier)
