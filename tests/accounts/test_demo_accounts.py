from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.demo import CITY_SUPERVISOR, DEMO_DEPUTIES, DEMO_UNITS, demo_accounts_ensure
from motcua.accounts.models import CitizenProfile, OfficerRole, User

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-Mat-Khau-1"


def test_one_demo_officer_per_role_in_each_of_the_five_units_and_the_deputies() -> None:
    demo_accounts_ensure(password=PASSWORD)
    roles = OfficerRole.objects.filter(unit__code__in=DEMO_UNITS.values()).exclude(
        user__username=CITY_SUPERVISOR  # a supervisor at the top of each tree, hn-bhxh's included
    )
    assert roles.count() == len(DEMO_UNITS) * len(OfficerRoleName.values) + len(DEMO_DEPUTIES)
    assert set(roles.values_list("unit__code", flat=True)) == set(DEMO_UNITS.values())
    assert CitizenProfile.objects.count() == 2


def test_demo_accounts_are_idempotent() -> None:
    first = demo_accounts_ensure(password=PASSWORD)
    users = User.objects.count()
    second = demo_accounts_ensure(password="another-password")
    assert [login.username for login in first] == [login.username for login in second]
    assert User.objects.count() == users


def test_demo_logins_work() -> None:
    demo_accounts_ensure(password=PASSWORD)
    for username in ["ca-hoankiem.tiepnhan", "001090012345", "0109876543", "quantri"]:
        client = Client()
        response = client.post(
            reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
        )
        assert response.status_code == 302, username
