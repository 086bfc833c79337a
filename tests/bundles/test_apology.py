"""The apology through the bundle: a late member's agency apologises and gives a new date with the
dossier kernel's own action (Mẫu 04 issued); the citizen sees it on the bundle's page, the
bundle's appointment follows the new date, and the Center still judges the bundle against its
whole-bundle limit."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.bundles.constants import BundleAction
from motcua.bundles.models import Bundle
from motcua.bundles.services import bundle_advance
from motcua.common.clock import clock_set_to
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.services import dossier_apologize
from tests import factories

from .conftest import Staff, at, birth_at_counter, decide, dossier_of, receive, refreshed, saga

pytestmark = pytest.mark.django_db

NEW_DUE = "2026-03-09 17:00"  # a Monday, after the police member's and the bundle's dates


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def apologised(staff: Staff, owner: object) -> Bundle:
    """A birth bundle received on Monday 2/3/2026 whose police member apologises on Wednesday."""
    bundle = birth_at_counter(staff, owner=owner)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    residence = receive(
        dossier_of(refreshed(bundle), "permanent_residence"), staff.police, at("2026-03-02 13:00")
    )
    dossier_apologize(
        dossier=residence, actor=staff.police.leader, at=at("2026-03-04 09:00"),
        reason="Chờ xác minh nơi cư trú", new_due=at(NEW_DUE),
    )  # fmt: skip
    saga(at("2026-03-04 09:05"))
    return refreshed(bundle)


def test_the_bundles_date_follows_the_apology_and_its_limit_does_not(staff: Staff) -> None:
    bundle = birth_at_counter(staff)
    limit = bundle.statutory_due_at
    assert limit is not None
    assert limit == bundle.due_at
    bundle = apologised(staff, owner=None)
    assert bundle.due_at == at(NEW_DUE)
    assert bundle.statutory_due_at == limit < at(NEW_DUE)
    event = bundle.events.get(action=BundleAction.APOLOGY)
    residence = dossier_of(bundle, "permanent_residence")
    issued = residence.issued_documents.get(kind=DocumentKind.APOLOGY)
    assert (event.service, event.payload["number"]) == ("permanent_residence", issued.number)
    assert datetime.datetime.fromisoformat(event.payload["previous_due"]) == limit
    bundle_advance(bundle_id=bundle.pk, at=at("2026-03-04 10:00"))  # the saga again: nothing more
    assert refreshed(bundle).events.filter(action=BundleAction.APOLOGY).count() == 1


def test_the_citizen_sees_the_apology_and_the_center_sees_the_bundle_late(staff: Staff) -> None:
    citizen = factories.citizen()
    bundle = apologised(staff, owner=citizen)
    residence = dossier_of(bundle, "permanent_residence")
    number = residence.issued_documents.get(kind=DocumentKind.APOLOGY).number

    page = signed_in(citizen).get(reverse("bundles:mine", kwargs={"ref": bundle.ref}))
    text = page.content.decode()
    assert 'id="bundle-apologies"' in text
    assert number in text
    assert "Chờ xác minh nơi cư trú" in text
    assert "17:00 09/03/2026" in text  # the new date, on the apology and as the bundle's date
    assert text.count("17:00 09/03/2026") >= 2
    form = reverse("portal:legal-form", kwargs={"ref": residence.ref, "form": "xin-loi"})
    assert form in text
    assert signed_in(citizen).get(form).status_code == 200

    center = signed_in(factories.officer("hn-pvhcc", Role.SUPERVISOR))
    assert bundle.statutory_due_at is not None
    with clock_set_to(at("2026-03-06 10:00")):  # past the 3-day limit, before the new date
        listing = center.get(reverse("bundles:officer-list")).content.decode()
        detail = center.get(reverse("bundles:officer-detail", kwargs={"ref": bundle.ref}))
    assert listing.count('data-sla="late"') == 1
    assert 'id="bundle-statutory-due"' in detail.content.decode()
    assert "Quá hạn" in detail.content.decode()


def test_no_apology_no_section(staff: Staff) -> None:
    citizen = factories.citizen()
    bundle = birth_at_counter(staff, owner=citizen)
    page = signed_in(citizen).get(reverse("bundles:mine", kwargs={"ref": bundle.ref}))
    assert 'id="bundle-apologies"' not in page.content.decode()
    assert not bundle.events.filter(action=BundleAction.APOLOGY).exists()
