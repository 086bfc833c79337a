"""The saga with the registries running as an HTTP server (the sandbox): the e-birth certificate
number and the child's personal ID number hand off to the next agencies; a registry down, then
back, loses nothing and duplicates nothing; a lost reply is retried into the same record; a
registry that cannot record stops the hand-off and says so; a withdrawal during the write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.bundles.constants import BundleAction, BundleStatus, CallStatus, MemberState
from motcua.bundles.models import BundleMember, RegistryCall
from motcua.bundles.services import bundle_withdraw
from motcua.common.clock import clock_set_to
from motcua.dossiers.models import Dossier
from motcua.integrations.registry.delivery import registry_calls_retry
from motcua.integrations.registry.sandbox import RegistrySandbox

from .conftest import (
    Staff,
    at,
    birth_at_counter,
    decide,
    dossier_of,
    member,
    receive,
    refreshed,
    saga,
)

pytestmark = pytest.mark.django_db
TOKEN = "bundle-registry-token"


@pytest.fixture
def registries(settings: Any) -> Iterator[RegistrySandbox]:
    server = RegistrySandbox(token=TOKEN).start()
    settings.MOTCUA_REGISTRY_URL = server.url
    settings.MOTCUA_REGISTRY_TOKEN = TOKEN
    settings.MOTCUA_REGISTRY_TIMEOUT = 5.0
    yield server
    server.stop()


def retry_at(when: str) -> int:
    """The scheduler's sweep at ``when``, then the worker."""
    with clock_set_to(at(when)):
        enqueued = registry_calls_retry()
    saga(at(when))
    return enqueued


def records(sandbox: RegistrySandbox, operation: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.recorded() if r["operation"] == operation]


def test_the_registries_numbers_hand_off_and_every_result_is_recorded_once(
    staff: Staff, registries: RegistrySandbox
) -> None:
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    (birth,) = records(registries, "birth")
    assert birth["facts"]["child_name"] == "Nguyễn Minh Khang"
    residence = dossier_of(bundle, "permanent_residence")
    carried = residence.eform_data["upstream"]["registry"]
    assert carried["number"] == birth["number"]  # the e-birth certificate's number
    assert carried["personal_id"] == birth["personal_id"]  # the child's personal ID number
    receive(residence, staff.police, at("2026-03-02 13:00"))
    card = receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 13:30"))
    decide(dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-03 09:00"))
    decide(card, staff.bhxh, at("2026-03-03 10:00"))
    saga(at("2026-03-03 11:05"))
    (registered,) = records(registries, "residence_register")
    assert registered["facts"]["personal_id"] == birth["personal_id"]
    (issued,) = records(registries, "health_card")
    assert issued["number"].startswith("TE1")
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.DONE
    assert member(bundle, "health_insurance_card").result["registry"]["number"] == issued["number"]


def test_a_registry_down_then_back_loses_nothing_and_duplicates_nothing(
    staff: Staff, registries: RegistrySandbox
) -> None:
    registries.faults(fail_next=3)
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    call = RegistryCall.objects.get(member__bundle=bundle)
    assert (call.status, call.attempts) == (CallStatus.PENDING, 1)
    assert "503" in call.last_error
    assert member(bundle, "birth_registration").state == MemberState.RECORDING
    assert member(bundle, "permanent_residence").dossier is None  # no hand-off before the record
    assert refreshed(bundle).status == BundleStatus.IN_PROGRESS
    assert retry_at("2026-03-02 11:05:30") == 0  # not due yet (1 minute later)
    assert retry_at("2026-03-02 11:06") == 1  # second attempt: still down
    assert retry_at("2026-03-02 11:08") == 1  # third: still down
    assert retry_at("2026-03-02 11:12") == 1  # fourth: back
    call.refresh_from_db()
    assert (call.status, call.attempts) == (CallStatus.RECORDED, 4)
    assert len(records(registries, "birth")) == 1
    assert registries.requests == 4
    for service in ("permanent_residence", "health_insurance_card"):
        assert member(bundle, service).state == MemberState.PENDING
    assert Dossier.objects.filter(eform_data__bundle__ref=bundle.ref).count() == 3
    assert retry_at("2026-03-02 12:00") == 0
    assert (
        list(refreshed(bundle).events.values_list("action", flat=True)).count(
            BundleAction.REGISTRY_RECORDED
        )
        == 1
    )


def test_a_lost_reply_is_retried_into_the_same_record(
    staff: Staff, registries: RegistrySandbox
) -> None:
    registries.faults(lose_next=1)
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    assert len(records(registries, "birth")) == 1  # recorded, but we never heard
    assert member(bundle, "birth_registration").state == MemberState.RECORDING
    retry_at("2026-03-02 11:06")
    call = RegistryCall.objects.get(member__bundle=bundle)
    assert call.status == CallStatus.RECORDED
    assert call.reply["duplicate"] is True
    assert call.reply["number"] == records(registries, "birth")[0]["number"]
    assert len(records(registries, "birth")) == 1
    assert BundleMember.objects.filter(bundle=bundle, state=MemberState.PENDING).count() == 2


def test_a_registry_that_refuses_stops_the_hand_off_and_says_so(
    staff: Staff, registries: RegistrySandbox
) -> None:
    bundle = birth_at_counter(staff)
    BundleMember.objects.filter(bundle=bundle, service="birth_registration").update(
        registry="civil_status/unknown_operation"
    )
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    call = RegistryCall.objects.get(member__bundle=bundle)
    assert (call.status, call.attempts) == (CallStatus.FAILED, 1)
    failed = refreshed(bundle).events.get(action=BundleAction.REGISTRY_FAILED)
    assert failed.payload["permanent"] is True
    assert "404" in failed.reason
    assert member(bundle, "birth_registration").state == MemberState.RECORDING
    assert member(bundle, "permanent_residence").dossier is None
    assert retry_at("2026-03-02 12:00") == 0  # a permanent refusal is not retried


def test_withdrawal_while_the_birth_is_being_recorded(
    staff: Staff, registries: RegistrySandbox
) -> None:
    registries.faults(fail_next=1)
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    done = bundle_withdraw(bundle=bundle, actor=staff.ward.reception, at=at("2026-03-02 11:06"))
    assert done.status == BundleStatus.IN_PROGRESS  # the birth is signed: it goes on to its record
    assert member(bundle, "permanent_residence").state == MemberState.CANCELLED
    retry_at("2026-03-02 11:07")
    bundle = refreshed(bundle)
    assert member(bundle, "birth_registration").state == MemberState.DONE
    assert bundle.status == BundleStatus.WITHDRAWN
    assert Dossier.objects.filter(eform_data__bundle__ref=bundle.ref).count() == 1
