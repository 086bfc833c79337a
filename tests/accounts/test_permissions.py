"""An officer sees and does only what their roles allow, in their units (every role)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts import permissions
from motcua.accounts.constants import Capability, OfficerRoleName
from motcua.accounts.models import OfficerRole, RoleChange
from motcua.common.clock import today
from tests import factories

pytestmark = pytest.mark.django_db

BRANCH = "hn-pvhcc-cn01"
OTHER_BRANCH = "hn-pvhcc-cn02"
CENTER = "hn-pvhcc"

# What each role may do in its own unit: the contract later features rely on.
EXPECTED = {
    OfficerRoleName.RECEPTION: {Capability.VIEW_UNIT, Capability.VIEW_RECEIVED_DOSSIERS,
                                Capability.RECEIVE_DOSSIER, Capability.RETURN_RESULT},
    OfficerRoleName.SPECIALIST: {Capability.VIEW_UNIT, Capability.VIEW_ASSIGNED_DOSSIERS,
                                 Capability.PROCESS_DOSSIER},
    OfficerRoleName.DIVISION_HEAD: {Capability.VIEW_UNIT, Capability.VIEW_STAFF,
                                    Capability.PROCESS_DOSSIER, Capability.ASSIGN_DOSSIER,
                                    Capability.REVIEW_DOSSIER, Capability.VIEW_UNIT_DOSSIERS},
    OfficerRoleName.LEADER: {Capability.VIEW_UNIT, Capability.VIEW_STAFF,
                             Capability.ASSIGN_DOSSIER, Capability.REVIEW_DOSSIER,
                             Capability.APPROVE_DOSSIER, Capability.VIEW_UNIT_DOSSIERS,
                             Capability.VIEW_REPORTS},
    OfficerRoleName.SUPERVISOR: {Capability.VIEW_UNIT, Capability.VIEW_STAFF,
                                 Capability.VIEW_UNIT_DOSSIERS, Capability.VIEW_REPORTS},
    OfficerRoleName.ADMINISTRATOR: {Capability.VIEW_UNIT, Capability.VIEW_STAFF,
                                    Capability.MANAGE_STAFF, Capability.CONFIGURE},
}  # fmt: skip
ALL_ROLES = list(OfficerRoleName.values)


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_every_role_has_an_expected_capability_set() -> None:
    assert set(EXPECTED) == set(OfficerRoleName.values)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_capabilities_in_own_unit_are_exactly_those_of_the_role(role: str) -> None:
    user = factories.officer(BRANCH, role)
    assert permissions.capabilities_in(user, factories.unit(BRANCH)) == EXPECTED[role]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_capability_in_a_sibling_unit(role: str) -> None:
    user = factories.officer(BRANCH, role)
    assert permissions.capabilities_in(user, factories.unit(OTHER_BRANCH)) == set()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_supervisors_and_administrators_reach_units_below_theirs(role: str) -> None:
    user = factories.officer(CENTER, role)
    below = permissions.capabilities_in(user, factories.unit(BRANCH))
    if role in permissions.SUBTREE_ROLES:
        assert below == EXPECTED[role]
    else:
        assert below == set()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_unit_page_is_open_in_own_unit_and_closed_elsewhere(role: str) -> None:
    client = logged_in(factories.officer(BRANCH, role))
    own = client.get(reverse("web:unit", args=[BRANCH]))
    other = client.get(reverse("web:unit", args=["hn-so-tu-phap"]))
    assert own.status_code == 200
    assert other.status_code == 403
    assert "Bạn không có quyền xem đơn vị này" in other.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_list_and_grant_form_follow_the_role(role: str) -> None:
    colleague = factories.officer(BRANCH, OfficerRoleName.SPECIALIST, username="dongnghiep")
    client = logged_in(factories.officer(BRANCH, role))
    page = client.get(reverse("web:unit", args=[BRANCH])).content.decode()
    assert (colleague.username in page) == (Capability.VIEW_STAFF in EXPECTED[role])
    assert ("Cấp quyền cho cán bộ" in page) == (Capability.MANAGE_STAFF in EXPECTED[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_an_administrator_can_grant_a_role(role: str) -> None:
    newcomer = factories.officer(BRANCH, OfficerRoleName.SPECIALIST, username="moi")
    client = logged_in(factories.officer(BRANCH, role))
    response = client.post(
        reverse("web:role-grant", args=[BRANCH]),
        {"username": newcomer.username, "role": OfficerRoleName.RECEPTION},
    )
    granted = OfficerRole.objects.filter(user=newcomer, role=OfficerRoleName.RECEPTION).exists()
    if role == OfficerRoleName.ADMINISTRATOR:
        assert response.status_code == 302
        assert granted
        change = RoleChange.objects.get(officer=newcomer, role=OfficerRoleName.RECEPTION)
        assert (change.action, change.role, change.unit.code) == ("granted", "reception", BRANCH)
    else:
        assert response.status_code == 403
        assert not granted


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_an_administrator_can_revoke_a_role(role: str) -> None:
    colleague = factories.officer(BRANCH, OfficerRoleName.RECEPTION, username="sapnghi")
    target = factories.role_of(colleague)
    client = logged_in(factories.officer(BRANCH, role))
    response = client.post(reverse("web:role-revoke", args=[BRANCH, target.pk]))
    still_there = OfficerRole.objects.effective_on(today()).filter(pk=target.pk).exists()
    assert still_there == (role != OfficerRoleName.ADMINISTRATOR)
    assert response.status_code == (302 if role == OfficerRoleName.ADMINISTRATOR else 403)


def test_an_administrator_cannot_revoke_their_own_administrator_role() -> None:
    admin = factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR)
    client = logged_in(admin)
    response = client.post(
        reverse("web:role-revoke", args=[BRANCH, factories.role_of(admin).pk]), follow=True
    )
    assert OfficerRole.objects.effective_on(today()).filter(user=admin).exists()
    assert "Không thể tự cấp, sửa hoặc thu hồi vai trò của chính mình" in response.content.decode()


def test_granting_to_an_unknown_username_says_so() -> None:
    client = logged_in(factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR))
    response = client.post(
        reverse("web:role-grant", args=[BRANCH]),
        {"username": "khongco", "role": OfficerRoleName.RECEPTION},
        follow=True,
    )
    assert "Không có tài khoản nào tên khongco" in response.content.decode()


def test_an_ended_role_gives_no_access() -> None:
    user = factories.officer(BRANCH, OfficerRoleName.LEADER)
    OfficerRole.objects.filter(user=user).update(valid_until="2025-01-01")
    response = logged_in(user).get(reverse("web:unit", args=[BRANCH]))
    assert response.status_code == 403


def test_a_citizen_cannot_open_the_workspace() -> None:
    response = logged_in(factories.citizen()).get(reverse("web:workspace"))
    assert response.status_code == 403
    assert "dành cho cán bộ" in response.content.decode()


def test_workspace_lists_the_units_a_supervisor_oversees() -> None:
    client = logged_in(factories.officer(CENTER, OfficerRoleName.SUPERVISOR))
    page = client.get(reverse("web:workspace")).content.decode()
    assert "Chi nhánh số 1 (Tây Hồ)" in page
    assert "Đơn vị bạn được xem (13)" in page


def test_anonymous_visitors_are_sent_to_login() -> None:
    response = Client().get(reverse("web:unit", args=[BRANCH]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_citizen_account_cannot_be_made_an_officer() -> None:
    citizen = factories.citizen()
    client = logged_in(factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR))
    response = client.post(
        reverse("web:role-grant", args=[BRANCH]),
        {"username": citizen.username, "role": OfficerRoleName.RECEPTION},
        follow=True,
    )
    assert not OfficerRole.objects.filter(user=citizen).exists()
    assert "không thể được cấp vai trò cán bộ" in response.content.decode()


def test_a_username_is_found_whatever_its_case_and_a_new_title_is_kept() -> None:
    colleague = factories.officer(BRANCH, OfficerRoleName.SPECIALIST, username="cn1.cv2")
    client = logged_in(factories.officer(BRANCH, OfficerRoleName.ADMINISTRATOR))
    for title in ("", "Phó trưởng bộ phận"):
        client.post(
            reverse("web:role-grant", args=[BRANCH]),
            {"username": "CN1.CV2", "role": OfficerRoleName.RECEPTION, "title": title},
        )
    role = OfficerRole.objects.get(user=colleague, role=OfficerRoleName.RECEPTION)
    assert role.title == "Phó trưởng bộ phận"
