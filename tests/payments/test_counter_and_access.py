"""Fees from the catalogue, exemptions, cash at the counter, who reads a receipt, and the daily
reconciliation (decision 0028)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import DossierAccess
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.payments import services as pay
from motcua.payments.constants import Method, OnlineFlag, PaymentStatus
from motcua.payments.fees import fee_lines, fee_quote
from motcua.payments.models import FeeExemption, Payment
from motcua.payments.receipts import amount_in_words
from motcua.payments.reconcile import payments_reconcile
from motcua.payments.selectors import online_payment_flag
from motcua.supervision.facts import facts_fold
from tests import factories
from tests.dossiers.conftest import at, received, residence

from .conftest import NOWHERE, World, awaiting, online_dossier, payer_chooses


def test_fees_come_from_the_catalogue_per_channel(db: None) -> None:
    procedure = residence()
    assert [f["amount_vnd"] for f in fee_lines(procedure.pk, "online")] == [10_000]
    assert [f["amount_vnd"] for f in fee_lines(procedure.pk, "counter")] == [20_000]


def test_an_officer_exempts_a_dossier_with_its_basis_and_a_stranger_may_not(world: World) -> None:
    dossier = online_dossier(world)
    assert fee_quote(dossier).total == 10_000
    with pytest.raises(NotAllowed):
        pay.fee_exempt(
            dossier=dossier, actor=world.staff.outsider, basis="x", at=at("2026-03-02 11:00")
        )
    with pytest.raises(DomainError):
        pay.fee_exempt(
            dossier=dossier, actor=world.staff.reception, basis=" ", at=at("2026-03-02 11:00")
        )
    pay.fee_exempt(
        dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 11:00"),
        basis="TT 75/2022/TT-BTC Điều 4 (người có công)",
    )  # fmt: skip
    exemption = FeeExemption.objects.get(dossier=dossier)
    assert exemption.by == world.staff.reception
    assert exemption.at == at("2026-03-02 11:00")
    assert fee_quote(dossier).total == 0
    with pytest.raises(DomainError):  # not twice
        pay.fee_exempt(
            dossier=dossier, actor=world.staff.reception, basis="y", at=at("2026-03-02 11:05")
        )
    pay.fee_exemption_revoke(
        dossier=dossier, actor=world.staff.specialist, at=at("2026-03-02 12:00")
    )
    assert fee_quote(dossier).total == 10_000
    assert FeeExemption.objects.filter(dossier=dossier).count() == 1  # revoked, kept


def test_cash_at_the_counter_is_the_pay_action_and_gives_a_receipt(world: World) -> None:
    dossier = awaiting(world, 20_000)
    dossier = s.dossier_perform(
        dossier=dossier, action=Action.PAY, actor=world.staff.reception,
        at=at("2026-03-02 14:00"), given=s.ActionInput(amount_vnd=20_000), expected_version=None,
    )  # fmt: skip
    assert dossier.status == Status.PROCESSING
    payment = Payment.objects.get(dossier=dossier)
    assert payment.method == Method.CASH
    assert payment.status == PaymentStatus.PAID
    assert payment.amount_vnd == 20_000
    assert payment.receipt_number == "000001/2026/BLĐT"
    assert online_payment_flag(dossier) == OnlineFlag.NONE
    officer = Client()
    officer.force_login(world.staff.reception)
    url = reverse("payments:officer-receipt", kwargs={"ref": dossier.ref, "number": payment.number})
    answer = officer.get(url)
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert DossierAccess.objects.filter(dossier=dossier, item__startswith="Biên lai").exists()
    page = officer.get(reverse("dossiers:detail", kwargs={"ref": dossier.ref}))
    assert "000001/2026/BLĐT" in page.content.decode()


def test_a_stranger_cannot_see_the_receipt(world: World) -> None:
    dossier = awaiting(world)
    dossier = s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 14:00"),
                            amount_vnd=10_000)  # fmt: skip
    payment = Payment.objects.get(dossier=dossier)
    kwargs = {"ref": dossier.ref, "number": payment.number}
    owner = Client()
    owner.force_login(world.citizen)
    assert owner.get(reverse("payments:receipt", kwargs=kwargs)).status_code == 200
    stranger = Client()
    stranger.force_login(world.stranger)
    assert stranger.get(reverse("payments:receipt", kwargs=kwargs)).status_code == 404
    assert stranger.get(reverse("payments:officer-receipt", kwargs=kwargs)).status_code == 404
    outsider = Client()
    outsider.force_login(factories.officer("hn-cong-an-phuong-cua-nam", Role.LEADER))
    assert outsider.get(reverse("payments:officer-receipt", kwargs=kwargs)).status_code == 404
    assert Client().get(reverse("payments:receipt", kwargs=kwargs)).status_code == 302  # sign in


def test_the_receipts_of_a_unit_are_numbered_without_gaps(world: World) -> None:
    numbers = []
    for hour in (13, 14):
        dossier = received(world.staff, f"2026-03-03 0{hour - 5}:00")
        dossier = s.dossier_assign(dossier=dossier, actor=world.staff.head,
                                   at=at(f"2026-03-03 {hour}:00"), assignee=world.staff.specialist)  # fmt: skip
        dossier = s.dossier_request_payment(dossier=dossier, actor=world.staff.specialist,
                                            at=at(f"2026-03-03 {hour}:10"), amount_vnd=20_000)  # fmt: skip
        s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=at(f"2026-03-03 {hour}:20"),
                      amount_vnd=20_000)  # fmt: skip
        numbers.append(Payment.objects.get(dossier=dossier).receipt_number)
    assert numbers == ["000001/2026/BLĐT", "000002/2026/BLĐT"]


def test_reconciliation_settles_a_lost_callback_and_reports_a_clean_day(
    world: World, sandbox: PaymentSandbox, capsys: Any
) -> None:
    dossier = awaiting(world)
    payment = pay.payment_start(dossier=dossier, payer=world.citizen, at=at("2026-03-02 11:30"),
                                base_url=NOWHERE)  # fmt: skip
    payer_chooses(sandbox, payment, approve=True)  # its callback never arrives (NOWHERE)
    day = Payment.objects.get(pk=payment.pk).created_at.date()
    Payment.objects.filter(pk=payment.pk).update(created_at=at(f"{sandbox_day(sandbox)} 12:00"))
    result = payments_reconcile(date=sandbox_date(sandbox))
    assert result.applied == [f"{payment.number}: paid"]
    assert result.clean, result.differences
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert day is not None
    call_command("payments", "reconcile", "--date", sandbox_day(sandbox))
    assert "differences 0" in capsys.readouterr().out


def test_reconciliation_reports_money_taken_here_that_the_gateway_does_not_know(
    world: World, sandbox: PaymentSandbox
) -> None:
    dossier = awaiting(world)
    Payment.objects.create(
        dossier=dossier, number="TT-UNKNOWN", method=Method.ONLINE, flag=2,
        status=PaymentStatus.PAID, amount_vnd=10_000, unit=dossier.receiving_unit,
        created_at=at(f"{sandbox_day(sandbox)} 10:00"),
    )  # fmt: skip
    result = payments_reconcile(date=sandbox_date(sandbox))
    assert result.differences == ["TT-UNKNOWN: paid here, unknown at the gateway"]
    with pytest.raises(SystemExit):
        call_command("payments", "reconcile", "--date", sandbox_day(sandbox))


def sandbox_day(sandbox: PaymentSandbox) -> str:
    return sandbox_date(sandbox).isoformat()


def sandbox_date(sandbox: PaymentSandbox) -> Any:
    """The gateway's day is its own clock's (the payments it lists are today's, Hà Nội time)."""
    import datetime

    from motcua.common.clock import VIETNAM

    return datetime.datetime.now(VIETNAM).date()


def test_the_766_flag_is_folded_from_the_pay_event(world: World) -> None:
    dossier = awaiting(world)
    s.dossier_pay(dossier=dossier, actor=None, at=at("2026-03-02 15:00"), amount_vnd=10_000,
                  payment={"number": "TT1", "method": "online", "flag": 2})  # fmt: skip
    assert facts_fold(dossier.events.order_by("seq")).payment_flag == 2
    cash = awaiting_other(world)
    assert facts_fold(cash.events.order_by("seq")).payment_flag == 0


def test_an_online_payment_not_applied_to_the_dossier_is_not_paid_online(world: World) -> None:
    """Paid at the counter while an online payment was pending: the late online money is kept
    for a refund, and neither the dossier's flag nor indicator 3.6 count it (one reading)."""
    dossier = awaiting(world)
    late = Payment.objects.create(
        dossier=dossier, number="TT-LATE", method=Method.ONLINE, flag=OnlineFlag.LOCAL,
        amount_vnd=10_000, unit=dossier.receiving_unit, created_at=at("2026-03-02 13:00"),
    )  # fmt: skip
    s.dossier_pay(dossier=dossier, actor=None, at=at("2026-03-02 14:00"), amount_vnd=10_000)
    pay.settle(late, at("2026-03-02 15:00"))
    late.refresh_from_db()
    assert late.status == PaymentStatus.PAID  # kept, to refund
    folded = facts_fold(dossier.events.order_by("seq"))
    assert online_payment_flag(dossier) == folded.payment_flag == OnlineFlag.NONE


def awaiting_other(world: World) -> Any:
    dossier = awaiting(world)
    return s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 15:00"),
                         amount_vnd=10_000)  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "words"),
    [(0, "Không đồng"), (10_000, "Mười nghìn đồng"), (20_000, "Hai mươi nghìn đồng"),
     (105_000, "Một trăm lẻ năm nghìn đồng"), (1_025_000, "Một triệu không trăm hai mươi lăm nghìn đồng"),
     (21_000, "Hai mươi mốt nghìn đồng")],
)  # fmt: skip
def test_amounts_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


@given(st.integers(min_value=1, max_value=10**15))
def test_every_amount_has_words_ending_in_dong(amount: int) -> None:
    words = amount_in_words(amount)
    assert words.endswith(" đồng")
    assert words[0].isupper()
    assert "  " not in words


def test_the_api_lists_fees_and_payments_to_officers_who_read_the_dossier(world: World) -> None:
    dossier = awaiting(world)
    s.dossier_pay(dossier=dossier, actor=world.staff.reception, at=at("2026-03-02 14:00"),
                  amount_vnd=10_000)  # fmt: skip
    officer = Client()
    officer.force_login(world.staff.reception)
    answer = officer.get(f"/api/v1/dossiers/{dossier.ref}/payments").json()
    assert [f["amount_vnd"] for f in answer["fees"]] == [10_000]
    assert answer["owed_vnd"] == 0
    assert answer["online_payment_flag"] == 0
    assert [(p["method"], p["receipt_number"]) for p in answer["payments"]] == [
        ("cash", "000001/2026/BLĐT")
    ]
    outsider = Client()
    outsider.force_login(world.staff.outsider)
    assert outsider.get(f"/api/v1/dossiers/{dossier.ref}/payments").status_code == 404


def test_nothing_to_exempt_on_a_dossier_without_a_fee(world: World) -> None:
    from motcua.catalog.models import Procedure
    from motcua.organizations.models import Unit
    from motcua.payments.selectors import officer_panel

    assert officer_panel(online_dossier(world), world.staff.reception).may_exempt
    birth = Procedure.objects.get(code="1.001193", in_hanoi_set=True)  # free of charge
    reception = factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION)
    free = s.dossier_submit(
        procedure=birth, receiving_unit=Unit.objects.get(code="hn-phuong-hoan-kiem"),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="counter",
        at=at("2026-03-02 09:00"), actor=reception,
    )  # fmt: skip
    assert fee_quote(free).total == 0
    assert not officer_panel(free, reception).may_exempt
