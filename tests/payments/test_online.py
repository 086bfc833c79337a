"""Paying a fee online through the sandbox gateway: approved, declined, expired, a callback
twice, a forged one, the gateway down (decision 0028)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from motcua.integrations.payment.base import sign
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.payments.constants import CallbackOutcome, OnlineFlag, PaymentStatus
from motcua.payments.models import Callback, Payment
from motcua.payments.selectors import online_payment_flag

from .conftest import World, awaiting, callbacks, payer_chooses

CALLBACK = "/thanh-toan/thong-bao/"


def start(world: World, dossier: Dossier, language: str = "vi") -> tuple[Client, Payment]:
    client = Client()
    client.force_login(world.citizen)
    if language != "vi":
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    payment = Payment.objects.get(dossier=dossier)
    assert response.status_code == 302
    assert response["Location"] == payment.pay_url
    return client, payment


def deliver(sandbox: PaymentSandbox, index: int = -1) -> Any:
    """The sandbox's callback, its exact bytes and signature, to our callback URL."""
    sent = callbacks(sandbox)[index]
    return Client().post(
        CALLBACK, sent["body"].encode(), content_type="application/json",
        HTTP_X_SIGNATURE=sent["signature"],
    )  # fmt: skip


def test_a_citizen_pays_online_and_the_dossier_goes_on(
    world: World, sandbox: PaymentSandbox
) -> None:
    dossier = awaiting(world)
    client, payment = start(world, dossier)
    assert payment.amount_vnd == 10_000
    assert payment.status == PaymentStatus.PENDING
    payer_chooses(sandbox, payment, approve=True)
    assert deliver(sandbox).status_code == 200
    dossier.refresh_from_db()
    payment.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.fees_paid_vnd == 10_000
    last = dossier.events.order_by("-seq").first()
    assert last is not None
    assert last.action == Action.PAY
    assert last.payload["payment"] == {"number": payment.number, "method": "online", "flag": 2}
    assert payment.status == PaymentStatus.PAID
    assert payment.receipt_number.endswith("/2026/BLĐT")
    assert online_payment_flag(dossier) == OnlineFlag.LOCAL
    page = client.get(
        reverse("payments:back", kwargs={"ref": dossier.ref, "number": payment.number}), follow=True
    )
    assert "Biên lai điện tử số" in page.content.decode()
    receipt = client.get(
        reverse("payments:receipt", kwargs={"ref": dossier.ref, "number": payment.number})
    )
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("language", "words"),
    [("vi", "Thanh toán không thành công"), ("en", "The payment did not go through")],
)
def test_a_declined_payment_leaves_the_dossier_waiting_with_a_clear_message(
    world: World, sandbox: PaymentSandbox, language: str, words: str
) -> None:
    dossier = awaiting(world)
    client, payment = start(world, dossier, language)
    payer_chooses(sandbox, payment, approve=False)
    back = reverse("payments:back", kwargs={"ref": dossier.ref, "number": payment.number})
    page = client.get(back, follow=True)  # before the callback: the gateway is asked
    assert words in page.content.decode()
    assert deliver(sandbox).json() == {"outcome": CallbackOutcome.DUPLICATE}
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.fees_paid_vnd == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.DECLINED
    again = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    assert again.status_code == 302  # a new attempt is possible at once
    assert Payment.objects.filter(dossier=dossier).count() == 2


def test_an_expired_payment_changes_nothing_and_says_so(
    world: World, sandbox: PaymentSandbox
) -> None:
    sandbox.ttl_seconds = 0  # expired as soon as it is made
    dossier = awaiting(world)
    client, payment = start(world, dossier)
    payer_chooses(sandbox, payment, approve=True)  # too late: the gateway refuses to take it
    back = reverse("payments:back", kwargs={"ref": dossier.ref, "number": payment.number})
    assert "đã hết hạn" in client.get(back, follow=True).content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED


def test_a_callback_received_twice_settles_the_fee_once(
    world: World, sandbox: PaymentSandbox
) -> None:
    sandbox.faults(duplicate_callbacks=2)
    dossier = awaiting(world)
    _client, payment = start(world, dossier)
    payer_chooses(sandbox, payment, approve=True)
    outcomes = [deliver(sandbox, i).json()["outcome"] for i in range(3)]
    assert outcomes == [
        CallbackOutcome.APPLIED,
        CallbackOutcome.DUPLICATE,
        CallbackOutcome.DUPLICATE,
    ]
    dossier.refresh_from_db()
    assert dossier.fees_paid_vnd == 10_000
    assert dossier.events.filter(action=Action.PAY).count() == 1


def test_a_forged_callback_is_refused_and_logged(
    world: World, sandbox: PaymentSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    dossier = awaiting(world)
    _client, payment = start(world, dossier)
    body = json.dumps({"order_id": payment.number, "payment_id": payment.gateway_id,
                       "status": "paid", "amount_vnd": 10_000}).encode()  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="motcua.payments.services"):
        for signature in ("", sign("not-the-secret", body), sign("shared-secret", body + b" ")):
            answer = Client().post(
                CALLBACK, body, content_type="application/json", HTTP_X_SIGNATURE=signature
            )
            assert answer.status_code == 403
    assert "wrong signature" in caplog.text
    assert Callback.objects.filter(outcome=CallbackOutcome.FORGED).count() == 3
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.fees_paid_vnd == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


def test_the_gateway_down_is_retried_then_said_plainly(
    world: World, sandbox: PaymentSandbox
) -> None:
    dossier = awaiting(world)
    client = Client()
    client.force_login(world.citizen)
    sandbox.faults(fail_next=1)  # one 503, then the retry gets through
    first = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    assert first.status_code == 302
    assert first["Location"].startswith(sandbox.url)
    Payment.objects.all().delete()
    sandbox.faults(fail_next=10)
    page = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}), follow=True)
    assert "bạn chưa bị trừ tiền" in page.content.decode()
    assert Payment.objects.get(dossier=dossier).status == PaymentStatus.FAILED


def test_only_the_applicant_may_pay_and_only_when_asked(
    world: World, sandbox: PaymentSandbox
) -> None:
    dossier = awaiting(world)
    stranger = Client()
    stranger.force_login(world.stranger)
    assert stranger.post(reverse("payments:pay", kwargs={"ref": dossier.ref})).status_code == 404
    dossier.fees_due_vnd = 0
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.PROCESSING)
    owner = Client()
    owner.force_login(world.citizen)
    page = owner.post(reverse("payments:pay", kwargs={"ref": dossier.ref}), follow=True)
    assert "không chờ nộp phí" in page.content.decode()
    assert not Payment.objects.exists()


def test_the_counter_sees_a_declined_payment_without_the_citizens_advice(
    world: World, sandbox: PaymentSandbox
) -> None:
    """ "Bạn có thể thanh toán lại" is said to the citizen; the officer's panel says declined."""
    dossier = awaiting(world)
    _client, payment = start(world, dossier)
    payer_chooses(sandbox, payment, approve=False)
    deliver(sandbox)
    officer = Client()
    officer.force_login(world.staff.reception)
    html = officer.get(reverse("dossiers:detail", kwargs={"ref": dossier.ref})).content.decode()
    assert "Bị từ chối" in html
    assert "bạn có thể thanh toán lại" not in html
