"""A receiving agency must acknowledge a member's e-dossier within 2 working hours (Decree 63/2024
art. 7(4)); a missed acknowledgement raises one alert naming both agencies and the Center."""

from __future__ import annotations

import pytest

from motcua.bundles.constants import BundleAction
from motcua.bundles.services import bundle_submit, bundles_ack_scan
from motcua.common import events

from .conftest import (
    APPLICANT,
    BIRTH,
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


def test_an_agency_that_does_not_acknowledge_in_two_working_hours_raises_one_alert(
    staff: Staff,
) -> None:
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))  # hand-off at 11:05: acknowledgements due at 14:05 (lunch 12–13)
    assert member(bundle, "permanent_residence").ack_due_at == at("2026-03-02 14:05")
    receive(dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:30"))
    assert bundles_ack_scan(at=at("2026-03-02 14:00")) == 0
    heard: list[events.Event] = []
    events.subscribe("bundle.ack_missed", heard.append)
    try:
        assert bundles_ack_scan(at=at("2026-03-02 14:10")) == 1  # social insurance only
        assert bundles_ack_scan(at=at("2026-03-02 15:00")) == 0  # once
    finally:
        events.unsubscribe("bundle.ack_missed", heard.append)
    alert = refreshed(bundle).events.get(action=BundleAction.ACK_MISSED)
    assert alert.service == "health_insurance_card"
    assert (alert.payload["unit"], alert.payload["from_unit"]) == ("hn-bhxh", "hn-phuong-hoan-kiem")
    assert "hn-pvhcc" in alert.payload["center"]
    assert len(heard) == 1
    assert member(bundle, "health_insurance_card").ack_alerted_at == at("2026-03-02 14:10")


def test_an_online_bundle_must_be_acknowledged_by_the_ward_too(staff: Staff) -> None:
    bundle, _created = bundle_submit(
        kind="birth", services=["birth_registration", "health_insurance_card"],
        receiving_unit=staff.ward.unit, channel="online", applicant=APPLICANT, subject=BIRTH,
        actor=staff.ward.reception, at=at("2026-03-02 16:30"),
    )  # fmt: skip
    assert member(bundle, "birth_registration").ack_due_at == at("2026-03-03 09:30")
    assert bundles_ack_scan(at=at("2026-03-03 09:00")) == 0
    assert bundles_ack_scan(at=at("2026-03-03 10:00")) == 1


def test_a_reception_the_saga_has_not_seen_yet_raises_no_alert(staff: Staff) -> None:
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    receive(dossier_of(bundle, "permanent_residence"), staff.police, at("2026-03-02 13:00"))
    receive(dossier_of(bundle, "health_insurance_card"), staff.bhxh, at("2026-03-02 13:10"))
    assert bundles_ack_scan(at=at("2026-03-02 16:00")) == 0  # before the task ran
