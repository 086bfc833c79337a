"""The bundle kernel over real member dossiers: reception, hand-offs, every path of the saga
(happy, upstream refused, downstream refused, supplement in one member, withdrawal), deadlines
of members and bundle, idempotency, and the audited history."""

from __future__ import annotations

import pytest

from motcua.bundles.constants import BundleAction, BundleStatus, MemberState
from motcua.bundles.errors import BundleError, BundleInputError, BundleKeyReused
from motcua.bundles.models import Bundle, BundleEvent
from motcua.bundles.services import bundle_submit, bundle_withdraw, chain_problems
from motcua.common.errors import NotAllowed
from motcua.dossiers.constants import Decision, Status
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.dossiers.services import (
    dossier_refuse_reception,
    dossier_reject,
    dossier_request_supplement,
)
from motcua.organizations.models import Unit

from .conftest import (
    APPLICANT,
    BIRTH,
    DEATH,
    HOUR,
    Staff,
    at,
    birth_at_counter,
    decide,
    dossier_of,
    member,
    queued,
    receive,
    refreshed,
    saga,
)

pytestmark = pytest.mark.django_db


def actions(bundle: Bundle) -> list[str]:
    return list(bundle.events.order_by("seq").values_list("action", flat=True))


def birth_registered(staff: Staff, **kwargs: object) -> Bundle:
    """A counter birth bundle whose birth registration is signed and issued (2/3/2026)."""
    bundle = birth_at_counter(staff, **kwargs)  # type: ignore[arg-type]
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    return refreshed(bundle)


# --------------------------------------------------------------------------------- reception
def test_a_counter_bundle_is_received_at_once_with_one_code_and_the_whole_limit(
    staff: Staff,
) -> None:
    bundle = birth_at_counter(staff)
    birth = dossier_of(bundle, "birth_registration")
    assert birth.status == Status.RECEIVED
    assert birth.receiving_unit.code == "hn-phuong-hoan-kiem"
    assert bundle.code == birth.code  # the one code on the applicant's receipt
    assert bundle.status == BundleStatus.IN_PROGRESS
    assert bundle.due_at == at("2026-03-05 17:00")  # ≤ 3 working days (Decree 63/2024 art. 7)
    assert birth.due_at == at("2026-03-02 17:00")  # registered the same working day
    for service in ("permanent_residence", "health_insurance_card"):
        waiting = member(bundle, service)
        assert (waiting.state, waiting.dossier) == (MemberState.WAITING, None)
    assert actions(bundle) == ["submit", "member_changed", "receive", "status_changed"]
    assert chain_problems(bundle) == []


def test_received_after_15_00_the_bundle_and_its_first_member_count_from_the_next_day(
    staff: Staff,
) -> None:
    bundle = birth_at_counter(staff, when="2026-03-02 15:30")
    assert bundle.due_at == at("2026-03-06 17:00")
    assert dossier_of(bundle, "birth_registration").due_at == at("2026-03-03 17:00")


def test_an_online_bundle_waits_for_the_wards_reception(staff: Staff) -> None:
    bundle, created = bundle_submit(
        kind="birth", services=["birth_registration", "health_insurance_card"],
        receiving_unit=staff.ward.unit, channel="online", applicant=APPLICANT, subject=BIRTH,
        actor=staff.ward.reception, at=at("2026-03-02 20:00"),
    )  # fmt: skip
    assert created
    assert (bundle.status, bundle.code, bundle.due_at) == (BundleStatus.SUBMITTED, None, None)
    birth = dossier_of(bundle, "birth_registration")
    assert birth.status == Status.NEW
    receive(birth, staff.ward, at("2026-03-03 08:30"))
    assert queued() >= 1  # the reception's event enqueued the saga's next step
    saga(at("2026-03-03 08:31"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.IN_PROGRESS
    assert bundle.code == dossier_of(bundle, "birth_registration").code
    assert bundle.due_at == at("2026-03-06 17:00")


def test_the_same_idempotency_key_gives_back_the_same_bundle(staff: Staff) -> None:
    first = birth_at_counter(staff, idempotency_key="quay-3-0007")
    services = ["birth_registration", "permanent_residence", "health_insurance_card"]
    again, created = bundle_submit(
        kind="birth", services=services, receiving_unit=staff.ward.unit, channel="counter",
        applicant=APPLICANT, subject=BIRTH, actor=staff.ward.reception, at=at("2026-03-02 09:05"),
        idempotency_key="quay-3-0007",
    )  # fmt: skip
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(BundleKeyReused, match=first.ref):  # fewer services: another request
        bundle_submit(
            kind="birth", services=services[:2], receiving_unit=staff.ward.unit,
            channel="counter", applicant=APPLICANT, subject=BIRTH, actor=staff.ward.reception,
            at=at("2026-03-02 09:05"), idempotency_key="quay-3-0007",
        )  # fmt: skip
    assert Bundle.objects.count() == 1
    assert Dossier.objects.filter(eform_data__bundle__ref=first.ref).count() == 1


def test_a_bundle_is_received_only_at_a_ward_or_commune_by_its_reception(staff: Staff) -> None:
    branch = Unit.objects.get(code="hn-pvhcc-cn01")
    with pytest.raises(BundleInputError, match="phường, xã"):
        bundle_submit(
            kind="birth", services=["birth_registration", "permanent_residence"], receiving_unit=branch,
            channel="counter", applicant=APPLICANT, subject=BIRTH, actor=staff.ward.reception,
            at=at("2026-03-02 09:00"),
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        bundle_submit(
            kind="birth", services=["birth_registration", "permanent_residence"],
            receiving_unit=staff.ward.unit, channel="counter", applicant=APPLICANT, subject=BIRTH,
            actor=staff.police.reception, at=at("2026-03-02 09:00"),
        )  # fmt: skip
    assert not Bundle.objects.exists()
    assert not Dossier.objects.exists()


# --------------------------------------------------------------------------------- hand-offs
def test_the_birth_certificate_hands_off_to_the_police_and_social_insurance(staff: Staff) -> None:
    bundle = birth_registered(staff)
    birth = dossier_of(bundle, "birth_registration")
    assert (birth.status, birth.decision) == (Status.PROCESSED, Decision.APPROVED)
    residence, card = (
        dossier_of(bundle, "permanent_residence"),
        dossier_of(bundle, "health_insurance_card"),
    )
    assert (residence.receiving_unit.code, residence.procedure.code) == (
        "hn-cong-an-phuong-hoan-kiem",
        "1.004222",
    )
    assert (card.receiving_unit.code, card.procedure.code) == ("hn-bhxh", "1.014137")
    for dossier in (residence, card):  # nothing retyped
        assert dossier.status == Status.NEW
        assert dossier.applicant == birth.applicant
        assert dossier.eform_data["subject"]["child_name"] == "Nguyễn Minh Khang"
        upstream = dossier.eform_data["upstream"]
        assert (upstream["service"], upstream["dossier_code"]) == ("birth_registration", birth.code)
        assert upstream["decision"] == "approved"
        assert upstream["result_note"] == "Đủ điều kiện"
        assert upstream["issued"]  # the decision's number travels with it
    assert member(bundle, "permanent_residence").due_at == at("2026-03-04 17:00")  # 2 wd from 11:05
    assert actions(bundle).count(BundleAction.HAND_OFF) == 2


def test_running_the_saga_again_creates_nothing_more(staff: Staff) -> None:
    bundle = birth_registered(staff)
    events = bundle.events.count()
    from motcua.bundles.services import bundle_advance

    bundle_advance(bundle_id=bundle.pk, at=at("2026-03-02 11:30"))
    bundle_advance(bundle_id=bundle.pk, at=at("2026-03-02 11:31"))
    assert Dossier.objects.filter(eform_data__bundle__ref=bundle.ref).count() == 3
    assert refreshed(bundle).events.count() == events


def test_the_members_deadline_is_the_bundles_not_the_procedures(staff: Staff) -> None:
    bundle = birth_registered(staff)
    residence = receive(
        dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00")
    )
    assert residence.due_at == at("2026-03-04 17:00")  # 2 working days, not 1.004222's 7
    card = receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 16:00"))
    assert card.due_at == at("2026-03-05 17:00")  # after 15:00: counted from the next day
    saga(at("2026-03-02 16:01"))
    assert member(bundle, "health_insurance_card").acknowledged_at == at("2026-03-02 16:00")


def test_happy_path_three_results_and_the_bundle_done(staff: Staff) -> None:
    bundle = birth_registered(staff)
    residence = receive(
        dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00")
    )
    card = receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 13:30"))
    decide(residence, staff.police, at("2026-03-03 09:00"))
    decide(card, staff.bhxh, at("2026-03-03 10:00"), note="Mã thẻ BHYT TE1010123456789")
    saga(at("2026-03-03 11:05"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.DONE
    assert bundle.finished_at == at("2026-03-03 11:05")
    assert {m.state for m in bundle.members.all()} == {MemberState.DONE}
    assert (
        member(bundle, "health_insurance_card").result["result_note"]
        == "Mã thẻ BHYT TE1010123456789"
    )
    assert actions(bundle)[-1] == BundleAction.FINISH
    assert chain_problems(bundle) == []


# --------------------------------------------------------------------------------- failures
def test_a_refused_birth_registration_starts_nothing_and_tells_the_applicant_once(
    staff: Staff,
) -> None:
    bundle = birth_at_counter(staff)
    birth = dossier_of(bundle, "birth_registration")
    from motcua.dossiers.services import dossier_forward

    birth = dossier_forward(dossier=birth, actor=staff.ward.specialist, at=at("2026-03-02 10:00"))
    dossier_reject(dossier=birth, actor=staff.ward.leader, at=at("2026-03-02 11:00"),
                   reason="Giấy chứng sinh không hợp lệ")  # fmt: skip
    saga(at("2026-03-02 11:05"))
    saga(at("2026-03-02 11:10"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.REFUSED
    for service in ("permanent_residence", "health_insurance_card"):
        cancelled = member(bundle, service)
        assert (cancelled.state, cancelled.dossier) == (MemberState.CANCELLED, None)
    assert actions(bundle).count(BundleAction.NOTICE) == 1
    notice = bundle.events.get(action=BundleAction.NOTICE)
    assert notice.payload["failed"] == ["birth_registration"]
    assert not Dossier.objects.filter(
        receiving_unit__code__in=["hn-cong-an-phuong-hoan-kiem", "hn-bhxh"]
    ).exists()


def test_an_online_bundle_refused_at_reception_starts_nothing(staff: Staff) -> None:
    bundle, _created = bundle_submit(
        kind="death", services=["death_registration", "residence_removal", "funeral_allowance"],
        receiving_unit=staff.ward.unit, channel="online", applicant=APPLICANT, subject=DEATH,
        actor=staff.ward.reception, at=at("2026-03-02 09:00"),
    )  # fmt: skip
    dossier_refuse_reception(dossier=dossier_of(bundle, "death_registration"), actor=staff.ward.reception,
                             at=at("2026-03-02 09:30"), reason="Không thuộc thẩm quyền")  # fmt: skip
    saga(at("2026-03-02 09:31"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.REFUSED
    assert [m.state for m in bundle.members.order_by("order")] == [
        MemberState.REFUSED, MemberState.CANCELLED, MemberState.CANCELLED,
    ]  # fmt: skip
    assert actions(bundle).count(BundleAction.NOTICE) == 1


def test_a_refused_residence_registration_does_not_undo_the_birth_certificate(staff: Staff) -> None:
    bundle = birth_registered(staff)
    residence = receive(
        dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00")
    )
    from motcua.dossiers.services import dossier_forward

    residence = dossier_forward(
        dossier=residence, actor=staff.police.specialist, at=at("2026-03-02 14:00")
    )
    dossier_reject(dossier=residence, actor=staff.police.leader, at=at("2026-03-02 15:00"),
                   reason="Chỗ ở không hợp pháp")  # fmt: skip
    card = receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 13:30"))
    decide(card, staff.bhxh, at("2026-03-03 10:00"))
    saga(at("2026-03-03 11:05"))
    bundle = refreshed(bundle)
    birth = dossier_of(bundle, "birth_registration")
    assert (birth.status, birth.decision) == (Status.PROCESSED, Decision.APPROVED)
    assert member(bundle, "birth_registration").state == MemberState.DONE
    assert member(bundle, "permanent_residence").state == MemberState.REFUSED
    assert member(bundle, "health_insurance_card").state == MemberState.DONE
    assert bundle.status == BundleStatus.PARTLY_DONE
    assert BundleAction.NOTICE not in actions(bundle)


def test_a_supplement_request_pauses_only_its_member(staff: Staff) -> None:
    bundle = birth_registered(staff)
    card = receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 13:30"))
    residence = receive(
        dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00")
    )
    dossier_request_supplement(dossier=card, actor=staff.bhxh.reception, at=at("2026-03-02 14:00"),
                               reason="", items=["Ảnh chân dung của trẻ"])  # fmt: skip
    saga(at("2026-03-02 14:01"))
    assert member(bundle, "health_insurance_card").state == MemberState.PAUSED
    assert member(bundle, "permanent_residence").state == MemberState.ACTIVE
    assert refreshed(bundle).status == BundleStatus.IN_PROGRESS
    decide(residence, staff.police, at("2026-03-03 09:00"))
    saga(at("2026-03-03 10:05"))
    assert member(bundle, "permanent_residence").state == MemberState.DONE
    assert member(bundle, "health_insurance_card").state == MemberState.PAUSED


# --------------------------------------------------------------------------------- withdrawal
def test_withdrawal_stops_every_member_not_decided_and_keeps_the_birth_certificate(
    staff: Staff,
) -> None:
    bundle = birth_registered(staff)
    receive(dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00"))
    done = bundle_withdraw(bundle=bundle, actor=staff.ward.reception, at=at("2026-03-02 14:00"),
                           reason="Gia đình đăng ký thường trú nơi khác")  # fmt: skip
    assert done.status == BundleStatus.WITHDRAWN
    assert dossier_of(bundle, "birth_registration").status == Status.PROCESSED
    for service in ("permanent_residence", "health_insurance_card"):
        stopped = dossier_of(bundle, service)
        assert stopped.status == Status.STOPPED
        assert IssuedDocument.objects.filter(dossier=stopped, kind="stop").exists()  # Mẫu 05
        assert member(bundle, service).state == MemberState.STOPPED
    withdraw = done.events.get(action=BundleAction.WITHDRAW)
    assert withdraw.actor == staff.ward.reception
    assert withdraw.reason == "Gia đình đăng ký thường trú nơi khác"
    saga(at("2026-03-02 14:05"))  # the stops' events change nothing more
    assert refreshed(bundle).status == BundleStatus.WITHDRAWN


def test_withdrawal_before_the_first_result_cancels_what_never_started(staff: Staff) -> None:
    bundle = birth_at_counter(staff)
    done = bundle_withdraw(bundle=bundle, actor=staff.ward.reception, at=at("2026-03-02 09:30"))
    assert done.status == BundleStatus.WITHDRAWN
    assert dossier_of(bundle, "birth_registration").status == Status.STOPPED
    assert member(bundle, "permanent_residence").state == MemberState.CANCELLED
    assert BundleAction.NOTICE not in actions(done)  # the applicant asked for it: no notice


def test_a_finished_bundle_cannot_be_withdrawn_and_others_may_not_withdraw(staff: Staff) -> None:
    bundle = birth_at_counter(staff)
    with pytest.raises(NotAllowed):
        bundle_withdraw(bundle=bundle, actor=staff.police.reception, at=at("2026-03-02 09:30"))
    bundle_withdraw(bundle=bundle, actor=staff.ward.reception, at=at("2026-03-02 09:31"))
    with pytest.raises(BundleError, match="đã kết thúc"):
        bundle_withdraw(bundle=bundle, actor=staff.ward.reception, at=at("2026-03-02 09:32"))


# --------------------------------------------------------------------------------- death, audit
def test_a_death_bundle_reaches_social_insurance_with_the_death_extract(staff: Staff) -> None:
    bundle, _created = bundle_submit(
        kind="death", services=["death_registration", "residence_removal", "funeral_allowance"],
        receiving_unit=staff.ward.unit, channel="counter", applicant=APPLICANT, subject=DEATH,
        actor=staff.ward.reception, at=at("2026-03-02 09:00"),
    )  # fmt: skip
    assert bundle.due_at == at("2026-03-13 17:00")  # 9 working days (Decision 296/QĐ-VPCP)
    decide(dossier_of(bundle, "death_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    funeral = dossier_of(bundle, "funeral_allowance")
    assert (funeral.receiving_unit.code, funeral.procedure.code) == ("hn-bhxh", "1.014177")
    assert funeral.eform_data["subject"]["deceased_id_number"] == "001045001234"
    assert (
        dossier_of(bundle, "residence_removal").receiving_unit.code == "hn-cong-an-phuong-hoan-kiem"
    )


def test_an_edited_event_breaks_the_bundles_chain(staff: Staff) -> None:
    bundle = birth_registered(staff)
    assert chain_problems(bundle) == []
    BundleEvent.objects.filter(bundle=bundle, action=BundleAction.RECEIVE).update(reason="sửa")
    assert any("changed" in problem for problem in chain_problems(bundle))


def test_every_hanoi_ward_and_commune_has_the_units_a_bundle_needs() -> None:
    from motcua.bundles.services import agency_unit
    from motcua.organizations.constants import UnitKind

    day = at("2026-03-02 09:00").date()
    communes = Unit.objects.effective_on(day).filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE])
    assert communes.count() == 126
    for unit in communes:
        police = agency_unit("ward_police", unit, day)
        assert police.area_id == unit.pk
    assert agency_unit("unit:hn-bhxh", communes[0], day).name == "Bảo hiểm xã hội thành phố Hà Nội"


def test_the_first_member_is_the_same_dossier_kernel_as_any_other(staff: Staff) -> None:
    bundle = birth_at_counter(staff, when="2026-03-02 09:00")
    birth = dossier_of(bundle, "birth_registration")
    assert IssuedDocument.objects.filter(dossier=birth, kind="receipt").exists()
    assert birth.events.count() == 2  # submit, receive
    assert birth.eform_data["bundle"]["ref"] == bundle.ref
    assert birth.received_at == at("2026-03-02 09:00")
    assert birth.applicant["name"] == "Nguyễn Văn An"
    assert HOUR  # (kept for the helpers' signature)
