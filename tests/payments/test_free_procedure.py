"""A procedure the catalogue states free ("Miễn lệ phí": every stated amount 0) takes no fee
with the submission: "Nộp phí" is not offered and is refused before reception (found by a
Chromium pass, session 32: a 50.000 đ cash receipt on a marriage registration). A fee the
catalogue does not state (most national records) stays the officer's to take; after reception
an officer may still ask for another fee (copies), which is then paid."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Fee
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.errors import TransitionNotAllowed
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from tests.dossiers.conftest import POLICE, at, residence

from .conftest import World

WHEN = at("2026-03-02 10:00")


def submitted_online(world: World) -> Dossier:
    return s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="online",
        at=at("2026-03-02 09:00"), actor=world.citizen, owner=world.citizen,
    )  # fmt: skip


def state_online_fees(amount: int | None) -> None:
    """Every online fee of the procedure stated at ``amount`` (saved: the catalog's token moves)."""
    fees = Fee.objects.filter(channel__procedure=residence(), channel__method="online")
    assert fees.exists()
    for fee in fees:
        fee.amount_vnd = amount
        fee.save()


def offered(dossier: Dossier, world: World) -> set[str]:
    return {spec.action for spec in s.offered_specs(dossier, world.staff.reception, WHEN)}


def test_a_free_procedure_takes_no_fee_with_the_submission(world: World) -> None:
    state_online_fees(0)
    dossier = submitted_online(world)
    assert Action.PAY not in offered(dossier, world)
    with pytest.raises(TransitionNotAllowed, match="miễn phí, lệ phí"):
        s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=WHEN, amount_vnd=50_000)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.fees_due_vnd, dossier.fees_paid_vnd) == (Status.NEW, 0, 0)
    assert not dossier.events.filter(action=Action.PAY).exists()


def test_the_page_refuses_it_in_vietnamese_and_keeps_the_dossier(world: World) -> None:
    state_online_fees(0)
    dossier = submitted_online(world)
    officer = Client()
    officer.force_login(world.staff.reception)
    page = reverse("dossiers:detail", kwargs={"ref": dossier.ref})
    act = reverse("dossiers:act", kwargs={"ref": dossier.ref, "action": "pay"})
    assert act not in officer.get(page).content.decode()
    answer = officer.post(act, {"amount_vnd": "50000", "version": dossier.version}, follow=True)
    assert answer.status_code == 200
    assert "miễn phí, lệ phí" in answer.content.decode()
    dossier.refresh_from_db()
    assert dossier.fees_paid_vnd == 0


def test_a_fee_the_catalogue_does_not_state_is_still_taken(world: World) -> None:
    state_online_fees(None)  # "theo quy định": the officer knows the amount
    dossier = submitted_online(world)
    assert Action.PAY in offered(dossier, world)
    paid = s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=WHEN, amount_vnd=8_000)
    assert (paid.status, paid.fees_paid_vnd) == (Status.NEW, 8_000)


def test_after_reception_another_fee_may_be_asked_and_paid(world: World) -> None:
    state_online_fees(0)
    dossier = s.dossier_receive(
        dossier=submitted_online(world), actor=world.staff.reception, at=at("2026-03-02 09:30")
    )
    dossier = s.dossier_assign(
        dossier=dossier, actor=world.staff.head, at=WHEN, assignee=world.staff.specialist
    )
    dossier = s.dossier_request_payment(
        dossier=dossier, actor=world.staff.specialist, at=at("2026-03-02 11:00"),
        amount_vnd=8_000, reason="Phí cấp bản sao trích lục",
    )  # fmt: skip
    paid = s.dossier_pay(
        dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 14:00"), amount_vnd=8_000
    )
    assert (paid.status, paid.fees_paid_vnd) == (Status.PROCESSING, 8_000)
