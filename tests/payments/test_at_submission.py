"""Paying the online fee with the submission, before the unit receives the dossier (issue 16):
ticked on the one submission page, paid through the sandbox gateway (a real HTTP server); a
declined payment leaves the submitted dossier as it is, with a clear message; the counter sees
it paid."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.constants import ChannelMethod, FeeType
from motcua.catalog.models import Channel, Fee, Procedure
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.errors import TransitionNotAllowed
from motcua.dossiers.models import Dossier
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.organizations.models import Unit
from motcua.payments.constants import PaymentStatus
from motcua.payments.models import Payment
from motcua.portal.models import Draft
from tests.dossiers.conftest import POLICE, at, residence
from tests.portal.test_online_submission import BIRTH_ANSWER, PDF, WARD, certificate_item

from .conftest import World, payer_chooses
from .test_online import deliver

BIRTH = "1.001193"


def birth_with_online_fee(amount: int = 8_000) -> Procedure:
    """The birth registration is free in the catalogue; here its online channel costs ``amount``."""
    procedure = Procedure.objects.get(code=BIRTH, in_hanoi_set=True)
    channel = Channel.objects.create(procedure=procedure, method=ChannelMethod.ONLINE, order=9)
    Fee.objects.create(channel=channel, fee_type=FeeType.FEE, amount_vnd=amount)
    return procedure


def citizen_client(world: World, language: str = "vi") -> Client:
    client = Client()
    client.force_login(world.citizen)
    if language != "vi":
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def send(client: Client, *, pay_now: bool) -> tuple[Any, Draft]:
    """The one page: start, fill, upload the certificate and press "Nộp hồ sơ"."""
    client.post(reverse("portal:online-start", kwargs={"code": BIRTH}))
    draft = Draft.objects.get(procedure__code=BIRTH, dossier__isnull=True)
    url = reverse("portal:draft", kwargs={"key": draft.key})
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    answer = {"unit": WARD, **BIRTH_ANSWER, f"file-{certificate_item(draft)}": upload}
    assert client.post(url, {**answer, "save": "1"}).status_code == 302
    extra = {"pay_now": "1"} if pay_now else {}
    return client.post(url, {"unit": WARD, **BIRTH_ANSWER, "send": "1", **extra}), draft


def to_gateway(client: Client, response: Any, sandbox: PaymentSandbox) -> Payment:
    """The submission's answer leads, through one page of ours, to the gateway's payer page."""
    assert response.status_code == 302
    onwards = client.get(response["Location"])
    assert onwards.status_code == 302
    assert onwards["Location"].startswith(sandbox.url + "/pay/")
    return Payment.objects.get(pay_url=onwards["Location"])


def test_the_page_offers_the_online_fee_only_when_there_is_one_and_a_gateway(
    world: World, sandbox: PaymentSandbox, settings: Any
) -> None:
    client = citizen_client(world)
    client.post(reverse("portal:online-start", kwargs={"code": BIRTH}))
    draft = Draft.objects.get(procedure__code=BIRTH)
    url = reverse("portal:draft", kwargs={"key": draft.key})
    assert 'id="pay-now"' not in client.get(url).content.decode()  # free in the catalogue
    birth_with_online_fee()
    html = client.get(url).content.decode()
    assert 'id="pay-now"' in html
    assert "8.000 đ" in html
    settings.MOTCUA_PAYMENT_URL = ""
    assert 'id="pay-now"' not in client.get(url).content.decode()


def test_a_visitor_sees_the_fee_before_making_an_account(
    world: World, sandbox: PaymentSandbox
) -> None:
    birth_with_online_fee()
    html = Client().get(reverse("portal:online-start", kwargs={"code": BIRTH})).content.decode()
    assert 'id="submission-fee"' in html
    assert "8.000 đ" in html
    assert 'id="pay-now"' not in html  # paying is offered once signed in


def test_paying_with_the_submission_attaches_the_payment_and_the_counter_sees_it_paid(
    world: World, sandbox: PaymentSandbox
) -> None:
    birth_with_online_fee()
    client = citizen_client(world)
    response, draft = send(client, pay_now=True)
    payment = to_gateway(client, response, sandbox)
    dossier = Dossier.objects.get(pk=Draft.objects.get(pk=draft.pk).dossier_id)
    assert payment.dossier_id == dossier.pk
    assert payment.amount_vnd == 8_000
    assert dossier.status == Status.NEW
    payer_chooses(sandbox, payment, approve=True)
    assert deliver(sandbox).status_code == 200
    dossier.refresh_from_db()
    payment.refresh_from_db()
    assert dossier.status == Status.NEW  # still waiting for reception: no clock runs
    assert (dossier.fees_due_vnd, dossier.fees_paid_vnd) == (8_000, 8_000)
    assert payment.status == PaymentStatus.PAID
    assert payment.receipt_number
    paid = dossier.events.get(action=Action.PAY)  # the kernel's action: sealed in the history
    assert paid.payload["at_submission"] is True
    assert paid.payload["payment"]["number"] == payment.number
    assert paid.from_status == paid.to_status == Status.NEW
    # The counter opens the dossier to receive it and sees it paid.
    officer = world_ward_reception()
    counter = Client()
    counter.force_login(officer)
    html = counter.get(reverse("dossiers:detail", kwargs={"ref": dossier.ref})).content.decode()
    assert 'id="fees-paid"' in html
    assert "Đã thanh toán" in html
    assert "8.000 đ" in html
    # Nothing more to pay before reception.
    again = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}), follow=True)
    assert "không chờ nộp phí" in again.content.decode()
    # Nor at the counter: the fee is not taken a second time (QA: "Nộp phí" was still offered).
    now = timezone.now()
    assert Action.PAY not in {spec.action for spec in s.offered_specs(dossier, officer, now)}
    with pytest.raises(TransitionNotAllowed):
        s.dossier_pay(dossier=dossier, actor=officer, at=now, amount_vnd=8_000)
    dossier.refresh_from_db()
    assert (dossier.fees_due_vnd, dossier.fees_paid_vnd) == (8_000, 8_000)


def world_ward_reception() -> Any:
    from motcua.accounts.constants import OfficerRoleName
    from tests import factories

    return factories.officer(WARD, OfficerRoleName.RECEPTION, username="hk.tiepnhan.pay")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("vi", "Hồ sơ của bạn đã được nộp và vẫn chờ tiếp nhận"),
        ("en", "Your application has been submitted and is waiting to be received"),
    ],
)
def test_a_declined_payment_leaves_the_submission_intact_and_says_so(
    world: World, sandbox: PaymentSandbox, language: str, words: str
) -> None:
    birth_with_online_fee()
    client = citizen_client(world, language)
    response, _draft = send(client, pay_now=True)
    payment = to_gateway(client, response, sandbox)
    payer_chooses(sandbox, payment, approve=False)
    back = reverse("payments:back", kwargs={"ref": payment.dossier.ref, "number": payment.number})
    page = client.get(back, follow=True)
    assert words in page.content.decode()
    dossier = Dossier.objects.get(pk=payment.dossier_id)
    assert dossier.status == Status.NEW
    assert dossier.fees_paid_vnd == 0
    assert dossier.documents.count() == 1  # the submission as sent, files included
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.DECLINED
    assert 'id="pay-online"' in page.content.decode()  # paying again is offered at once


def test_without_the_box_ticked_the_submission_goes_to_the_dossier_page(
    world: World, sandbox: PaymentSandbox
) -> None:
    birth_with_online_fee()
    client = citizen_client(world)
    response, _draft = send(client, pay_now=False)
    assert response.status_code == 302
    assert "/ho-so-cua-toi/" in response["Location"]
    assert not Payment.objects.exists()


def test_a_link_alone_starts_no_payment(world: World, sandbox: PaymentSandbox) -> None:
    birth_with_online_fee()
    client = citizen_client(world)
    _response, draft = send(client, pay_now=False)
    ref = Dossier.objects.get(pk=Draft.objects.get(pk=draft.pk).dossier_id).ref
    page = client.get(reverse("payments:at-submission", kwargs={"ref": ref}))
    assert page.status_code == 302
    assert not Payment.objects.exists()


def test_residence_online_fee_is_paid_before_reception_from_the_dossier_page(
    world: World, sandbox: PaymentSandbox
) -> None:
    """1.004222 online: 10.000 đ (the counter's 20.000 đ is not asked)."""
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="online",
        at=at("2026-03-02 09:00"), actor=world.citizen, owner=world.citizen,
    )  # fmt: skip
    client = citizen_client(world)
    mine = client.get(reverse("portal:my-dossier", kwargs={"ref": dossier.ref})).content.decode()
    assert "10.000 đ" in mine
    assert 'id="pay-online"' in mine
    response = client.post(reverse("payments:pay", kwargs={"ref": dossier.ref}))
    payment = Payment.objects.get(dossier=dossier)
    assert response["Location"] == payment.pay_url
    assert payment.amount_vnd == 10_000
    payer_chooses(sandbox, payment, approve=True)
    deliver(sandbox)
    dossier.refresh_from_db()
    assert dossier.fees_paid_vnd == 10_000
    received = s.dossier_receive(
        dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 09:30")
    )
    assert received.status in (Status.PROCESSING, Status.RECEIVED)
    assert received.fees_paid_vnd == 10_000


def test_the_kernel_takes_no_payment_once_received_unless_asked(
    world: World,
) -> None:
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="online",
        at=at("2026-03-02 09:00"), actor=world.citizen, owner=world.citizen,
    )  # fmt: skip
    dossier = s.dossier_receive(
        dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 09:30")
    )
    with pytest.raises(TransitionNotAllowed):
        s.dossier_pay(dossier=dossier, actor=None, at=at("2026-03-02 10:00"), amount_vnd=10_000)
