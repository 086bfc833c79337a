"""The city's supervisor (demo account ``thanhpho.giamsat``) sees the dossiers of every unit
that handles Hà Nội's dossiers, the central agencies' local offices (police, social insurance,
tax: outside the "Thành phố Hà Nội" tree) included."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import ApiToken, User
from motcua.organizations.models import Unit
from tests.dossiers.conftest import POLICE, Staff, received

pytestmark = pytest.mark.django_db


def test_the_city_supervisor_sees_a_ward_police_dossier(staff: Staff) -> None:
    ensure_city_supervisor("mat-khau-thu")
    ensure_city_supervisor("mat-khau-thu")  # idempotent
    supervisor = User.objects.get(username=CITY_SUPERVISOR)
    dossier = received(staff, "2026-03-02 09:00")
    assert dossier.deciding_unit.code == POLICE
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(supervisor, 'test')}"}  # type: ignore[arg-type]
    assert Client().get(f"/api/v1/dossiers/{dossier.ref}", **headers).status_code == 200
    assert Client().get(f"/api/v1/dossiers/{dossier.ref}/timeline", **headers).status_code == 200
    seen = permissions.unit_ids_with(User.objects.get(pk=supervisor.pk), Capability.VIEW_REPORTS)
    codes = set(Unit.objects.filter(pk__in=seen).values_list("code", flat=True))
    assert {
        "hn-cong-an",
        POLICE,
        "hn-bhxh",
        "hn-thue",
        "hn-so-tu-phap",
        "hn-phuong-hoan-kiem",
    } <= codes


def test_a_city_tree_supervisor_alone_does_not_see_the_police(staff: Staff) -> None:
    """Why the account needs the other roots: the city's tree does not hold the police."""
    from tests import factories

    city_only = factories.officer("hn", "supervisor")
    dossier = received(staff, "2026-03-02 09:00")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(city_only, 'test')}"}  # type: ignore[arg-type]
    assert Client().get(f"/api/v1/dossiers/{dossier.ref}", **headers).status_code == 404
