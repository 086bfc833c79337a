"""The dossier kernel's ``paid`` event, in its transaction: the payment it settled is marked paid
and numbered; a payment recorded at the counter (the officer's "Nộp phí" action, a replayed
import) becomes a cash payment with its own receipt."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import F

from motcua.common.clock import VIETNAM
from motcua.common.events import Event
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.document_tasks import issued_document_render_task
from motcua.dossiers.models import Dossier, DossierEvent, IssuedDocument

from .constants import Method, PaymentStatus
from .flags import pay_event_flag
from .models import Payment, ReceiptSequence


def receipt_number_next(unit_id: int, year: int) -> str:
    """The unit's next receipt number of the year, without gaps (the row is locked)."""
    sequence, _created = ReceiptSequence.objects.select_for_update().get_or_create(
        unit_id=unit_id, year=year
    )
    ReceiptSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{sequence.last:06d}/{year}/BLĐT"


def payment_number_new(prefix: str, at: Any) -> str:
    return f"{prefix}{at:%y%m%d}-{secrets.token_hex(4).upper()}"


def cash_payment_number(dossier: Dossier, recorded: DossierEvent) -> str:
    """A payment known only from the ``pay`` event (cash at the counter, an imported payment):
    named after the dossier and its event, so a replayed import names it the same again and two
    dossiers never draw the same number (random suffixes collide at a city's volume)."""
    return f"TM-{dossier.code or dossier.ref}-{recorded.seq}"[:40]


def on_paid(event: Event) -> None:
    dossier: Dossier = event.data["dossier"]
    recorded: DossierEvent = event.data["event"]
    actor = event.data.get("actor")
    payload = recorded.payload if isinstance(recorded.payload, dict) else {}
    given = payload.get("payment")
    info: dict[str, Any] = given if isinstance(given, dict) else {}
    amount = int(payload.get("amount_vnd") or 0)
    at = recorded.at
    number = str(info.get("number") or "")
    payment = Payment.objects.filter(number=number).first() if number else None
    if payment is None:
        # Cash at the counter, or an online payment known only from an imported event (its
        # 766 flag given with it: a legacy system's or the national portal's payment).
        flag = pay_event_flag(payload)
        payment = Payment(
            dossier=dossier, number=number or cash_payment_number(dossier, recorded),
            method=Method.ONLINE if flag else Method.CASH, flag=flag, amount_vnd=amount,
            unit_id=dossier.receiving_unit_id,
            created_at=at, payer_name=dossier.applicant_name,
            lines=[{"label": "Phí, lệ phí", "amount_vnd": amount, "type": "fee", "text": ""}],
        )  # fmt: skip
    payment.status = PaymentStatus.PAID
    payment.paid_at = at
    # Paid at the gateway, no officer took the money: blank, so the receipt names the unit.
    payment.recorded_by_name = actor.get_full_name()[:150] if actor is not None else ""
    if not payment.receipt_number:
        local = at.astimezone(VIETNAM)
        payment.receipt_number = receipt_number_next(payment.unit_id, local.year)
    payment.save()
    receipt_issue(payment, recorded, actor)


def receipt_issue(payment: Payment, event: DossierEvent, actor: Any) -> IssuedDocument:
    """The e-receipt as one of the dossier's issued documents, in the payment's transaction:
    numbered as the receipt is, rendered, signed by the unit and hashed (SHA-256) by the worker
    as the kernel's forms are, so anyone holding the file can check it (/xac-minh/)."""
    seq, _slash, rest = payment.receipt_number.partition("/")
    year = int(rest.partition("/")[0])
    document = IssuedDocument(
        dossier=payment.dossier, kind=DocumentKind.FEE_RECEIPT, unit_id=payment.unit_id,
        year=year, seq=int(seq), number=payment.receipt_number, issued_at=payment.paid_at or event.at,
        issued_by=actor, issued_by_name=payment.recorded_by_name or payment.unit.name, event=event,
        facts={"payment": payment.number, "amount_vnd": payment.amount_vnd},
    )  # fmt: skip
    document.save(force_insert=True)
    issued_document_render_task.enqueue(document_id=document.pk)  # commits with the payment
    return document
