"""What an attacker tries on payments: a callback built to crash the parser, a stranger paying,
returning from or downloading the receipt of someone else's dossier, an officer of another unit
exempting it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.integrations.payment.base import sign
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.payments.constants import CallbackOutcome, PaymentStatus
from motcua.payments.models import Callback, FeeExemption, Payment

from .conftest import SECRET, World, awaiting

CALLBACK = "/thanh-toan/thong-bao/"
DEEP = b"[" * 100_000  # deeper than the JSON parser recurses


def post(body: bytes, signature: str) -> Any:
    return Client(raise_request_exception=False).post(
        CALLBACK, body, content_type="application/json", HTTP_X_SIGNATURE=signature
    )


def test_a_deeply_nested_callback_is_refused_not_a_crash(
    world: World, sandbox: PaymentSandbox
) -> None:
    assert post(DEEP, "").status_code == 403
    assert post(DEEP, sign(SECRET, DEEP)).status_code == 400
    outcomes = list(Callback.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [CallbackOutcome.FORGED, CallbackOutcome.INVALID]


def test_a_stranger_can_neither_pay_nor_see_nor_exempt_the_dossier(
    world: World, sandbox: PaymentSandbox
) -> None:
    dossier = awaiting(world)
    owner = Client()
    owner.force_login(world.citizen)
    owner.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    payment = Payment.objects.get(dossier=dossier)
    stranger = Client()
    stranger.force_login(world.stranger)
    ref, number = dossier.ref, payment.number
    assert stranger.post(f"/ho-so-cua-toi/{ref}/nop-phi/").status_code == 404
    assert stranger.get(f"/ho-so-cua-toi/{ref}/nop-phi/{number}/").status_code == 404
    assert stranger.get(f"/ho-so-cua-toi/{ref}/bien-lai/{number}.pdf").status_code == 404
    assert stranger.get(f"/api/v1/dossiers/{ref}/payments").status_code in (403, 404)
    assert Payment.objects.filter(dossier=dossier).count() == 1
    outsider = Client()
    outsider.force_login(world.staff.outsider)
    answer = outsider.post(f"/can-bo/ho-so/{ref}/mien-phi/", {"basis": "TT 75/2022"})
    assert answer.status_code == 404
    assert outsider.get(f"/can-bo/ho-so/{ref}/bien-lai/{number}.pdf").status_code == 404
    assert not FeeExemption.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


@pytest.mark.parametrize("amount", [-10_000, 0, 10**30, "10000", 10_000.0, True])
def test_a_signed_callback_with_another_amount_changes_nothing(
    world: World, sandbox: PaymentSandbox, amount: object
) -> None:
    dossier = awaiting(world)
    owner = Client()
    owner.force_login(world.citizen)
    owner.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    payment = Payment.objects.get(dossier=dossier)
    body = json.dumps({"order_id": payment.number, "status": "paid", "amount_vnd": amount}).encode()
    assert post(body, sign(SECRET, body)).status_code == 400
    dossier.refresh_from_db()
    assert dossier.fees_paid_vnd == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


def test_an_officer_of_another_unit_reads_neither_payments_nor_timeline(
    world: World, sandbox: PaymentSandbox
) -> None:
    ref = awaiting(world).ref
    outsider = Client()
    outsider.force_login(world.staff.outsider)
    for url in (f"/api/v1/dossiers/{ref}/payments", f"/api/v1/dossiers/{ref}/timeline",
                f"/can-bo/dong-thoi-gian/{ref}/"):  # fmt: skip
        answer = outsider.get(url)
        assert answer.status_code == 404, url
        assert "Dung" not in answer.content.decode()  # the applicant's name (the ref is echoed)
    insider = Client()
    insider.force_login(world.staff.specialist)
    assert insider.get(f"/api/v1/dossiers/{ref}/payments").status_code == 200
