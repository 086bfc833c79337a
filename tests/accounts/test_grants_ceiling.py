"""Grants with a ceiling (issue 11): who may grant which role, where, to whom; effective dates;
the legal document; every change recorded; the same rules on the unit page and in the admin."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse

from motcua.accounts import grants, permissions
from motcua.accounts.admin import OfficerRoleInline
from motcua.accounts.constants import Capability, ChangeVia, RoleChangeAction
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.grants import Relation
from motcua.accounts.models import OfficerRole, RoleChange, User
from motcua.accounts.services import officer_role_grant, officer_role_revoke
from motcua.common.clock import now, today
from motcua.common.errors import DomainError, NotAllowed
from tests import factories

pytestmark = pytest.mark.django_db

# The granter works at the Service Center; its branch is below, the City People's Committee
# above, the Department of Justice beside it.
CENTER = "hn-pvhcc"
UNIT_AT = {
    Relation.SAME: CENTER,
    Relation.BELOW: "hn-pvhcc-cn01",
    Relation.ABOVE: "hn-ubnd",
    Relation.OTHER: "hn-so-tu-phap",
}
DOCUMENT = {"document_number": "125/QĐ-TTPVHCC", "document_date": datetime.date(2026, 1, 5)}

# Written by hand from docs/decisions/0011, not from GRANT_RULES: (granter's role, role granted,
# where the unit of the grant stands from the granter's unit). Everything else is refused.
ALLOWED = {
    (Role.ADMINISTRATOR, Role.RECEPTION, Relation.SAME),
    (Role.ADMINISTRATOR, Role.RECEPTION, Relation.BELOW),
    (Role.ADMINISTRATOR, Role.SPECIALIST, Relation.SAME),
    (Role.ADMINISTRATOR, Role.SPECIALIST, Relation.BELOW),
    (Role.ADMINISTRATOR, Role.DIVISION_HEAD, Relation.SAME),
    (Role.ADMINISTRATOR, Role.DIVISION_HEAD, Relation.BELOW),
    (Role.ADMINISTRATOR, Role.LEADER, Relation.SAME),
    (Role.ADMINISTRATOR, Role.LEADER, Relation.BELOW),
    (Role.ADMINISTRATOR, Role.SUPERVISOR, Relation.SAME),
    (Role.ADMINISTRATOR, Role.SUPERVISOR, Relation.BELOW),
    (Role.ADMINISTRATOR, Role.ADMINISTRATOR, Relation.BELOW),
}
NEEDS_DOCUMENT = {Role.DIVISION_HEAD, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
# Whose officer the target is, seen from the granter's unit: only the granter's own unit and the
# units below it (or "self", the granter; or nobody's: no home unit, no role).
OFFICER_OK = {Relation.SAME: True, Relation.BELOW: True, Relation.ABOVE: False,
              Relation.OTHER: False, "none": False, "self": False}  # fmt: skip


class Rollback(Exception):
    pass


def attempt(actor: User | None, officer: User, unit_code: str, role: str, **extra: object) -> bool:
    """True if the grant is made (then undone); False if a rule refuses who grants what where."""
    try:
        with transaction.atomic():
            officer_role_grant(
                actor=actor, officer=officer, unit=factories.unit(unit_code), role=role, at=now(),
                **{**DOCUMENT, **extra},  # type: ignore[arg-type]
            )  # fmt: skip
            raise Rollback
    except Rollback:
        return True
    except NotAllowed:
        return False


def with_home(unit_code: str | None, username: str) -> User:
    home = factories.unit(unit_code) if unit_code else None
    return User.objects.create_user(username=username, password=factories.PASSWORD, home_unit=home)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_rule_table_matches_the_hand_written_table() -> None:
    for granter, role, relation in itertools.product(Role.values, Role.values, Relation):
        expected = (granter, role, relation) in ALLOWED
        assert grants.rule_allows(granter, role, relation) == expected, (granter, role, relation)
    assert set(grants.documented_roles()) == NEEDS_DOCUMENT


def test_only_roles_that_manage_staff_grant() -> None:
    granting = {role for rule in grants.GRANT_RULES.values() for role in rule.granted_by}
    managing = {
        role
        for role, capabilities in permissions.ROLE_CAPABILITIES.items()
        if Capability.MANAGE_STAFF in capabilities
    }
    assert granting == managing


def test_every_granter_role_target_role_unit_and_officer_against_the_table() -> None:
    """Each (granter's role, role, unit of the grant, target officer's unit or self) through the
    real service and database, against the hand-written tables."""
    actors = {role: factories.officer(CENTER, role) for role in Role.values}
    targets: dict[object, User] = {
        relation: with_home(code, f"dich-{relation}") for relation, code in UNIT_AT.items()
    }
    targets["none"] = with_home(None, "dich-none")
    unexpected = []
    for (granter, actor), role, relation in itertools.product(
        actors.items(), Role.values, Relation
    ):
        for whose in [*targets, "self"]:
            officer = actor if whose == "self" else targets[whose]
            expected = (granter, role, relation) in ALLOWED and OFFICER_OK[whose]  # type: ignore[index]
            if attempt(actor, officer, UNIT_AT[relation], role) != expected:
                unexpected.append((granter, role, str(relation), str(whose), expected))
    assert unexpected == []


def test_the_system_administrator_grants_anywhere_but_not_to_themselves() -> None:
    root = User.objects.create_superuser(username="root", password=factories.PASSWORD)
    stranger = with_home(None, "nguoi-moi")
    assert attempt(root, stranger, "hn-ubnd", Role.ADMINISTRATOR)
    assert not attempt(root, root, "hn-ubnd", Role.ADMINISTRATOR)


def test_a_role_held_in_the_unit_makes_an_officer_belong_and_an_ended_one_does_not() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = factories.officer("hn-pvhcc-cn01", Role.RECEPTION)
    assert attempt(admin, officer, CENTER, Role.SPECIALIST)
    OfficerRole.objects.filter(user=officer).update(valid_until=today() - datetime.timedelta(1))
    assert not attempt(admin, officer, CENTER, Role.SPECIALIST)


def test_an_administrator_of_a_branch_cannot_reach_the_center_above_it() -> None:
    branch_admin = factories.officer("hn-pvhcc-cn01", Role.ADMINISTRATOR)
    officer = factories.officer(CENTER, Role.SPECIALIST)
    with pytest.raises(NotAllowed, match="nằm ngoài phạm vi đó"):
        officer_role_grant(
            actor=branch_admin, officer=officer, unit=factories.unit(CENTER),
            role=Role.RECEPTION, at=now(),
        )  # fmt: skip


def test_an_administrator_cannot_make_a_colleague_administrator_of_their_own_unit() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    colleague = factories.officer(CENTER, Role.SPECIALIST)
    with pytest.raises(NotAllowed, match="do quản trị của đơn vị cấp trên"):
        officer_role_grant(
            actor=admin, officer=colleague, unit=factories.unit(CENTER),
            role=Role.ADMINISTRATOR, at=now(), **DOCUMENT,  # type: ignore[arg-type]
        )  # fmt: skip


def test_an_officer_of_another_unit_is_refused_with_the_reason() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    outsider = factories.officer("hn-so-tu-phap", Role.SPECIALIST)
    with pytest.raises(NotAllowed, match="không phải cán bộ của đơn vị bạn quản trị"):
        officer_role_grant(
            actor=admin, officer=outsider, unit=factories.unit(CENTER), role=Role.RECEPTION,
            at=now(),
        )  # fmt: skip


@pytest.mark.parametrize("role", Role.values)
def test_the_legal_document_is_required_exactly_for_appointed_roles(role: str) -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = with_home("hn-pvhcc-cn01", "can-bo")
    unit = factories.unit("hn-pvhcc-cn01")
    if role in NEEDS_DOCUMENT:
        with pytest.raises(DomainError, match="cần văn bản quyết định"):
            officer_role_grant(actor=admin, officer=officer, unit=unit, role=role, at=now())
        with pytest.raises(DomainError, match="cần văn bản quyết định"):
            officer_role_grant(
                actor=admin, officer=officer, unit=unit, role=role, at=now(),
                document_number="12/QĐ",
            )  # fmt: skip
        assert not OfficerRole.objects.filter(user=officer).exists()
    else:
        granted = officer_role_grant(actor=admin, officer=officer, unit=unit, role=role, at=now())
        assert granted.document_number == ""


def test_a_grant_records_its_period_document_actor_and_where() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = with_home("hn-pvhcc-cn01", "lanh-dao-moi")
    until = today() + datetime.timedelta(days=365)
    granted = officer_role_grant(
        actor=admin, officer=officer, unit=factories.unit("hn-pvhcc-cn01"), role=Role.LEADER,
        at=now(), title="Phó Giám đốc", valid_until=until, via=ChangeVia.WEB,
        **DOCUMENT,  # type: ignore[arg-type]
    )  # fmt: skip
    change = RoleChange.objects.get(officer=officer)
    assert (granted.valid_from, granted.valid_until) == (today(), until)
    assert (granted.document_number, granted.document_date) == tuple(DOCUMENT.values())
    assert (change.action, change.actor, change.via) == (RoleChangeAction.GRANTED, admin, "web")
    assert (change.valid_from, change.valid_until, change.title) == (today(), until, "Phó Giám đốc")
    assert (change.document_number, change.document_date) == tuple(DOCUMENT.values())
    assert change.officer_role == granted


def test_a_future_document_date_and_a_backdated_start_are_refused() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = with_home(CENTER, "can-bo")
    unit = factories.unit(CENTER)
    with pytest.raises(DomainError, match="Ngày văn bản không được sau"):
        officer_role_grant(
            actor=admin, officer=officer, unit=unit, role=Role.LEADER, at=now(),
            document_number="1/QĐ", document_date=today() + datetime.timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(DomainError, match="không cấp lùi ngày"):
        officer_role_grant(
            actor=admin, officer=officer, unit=unit, role=Role.RECEPTION, at=now(),
            valid_from=today() - datetime.timedelta(days=1),
        )  # fmt: skip


def test_a_role_granted_from_a_later_day_gives_nothing_until_then() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = with_home(CENTER, "sap-den")
    start = today() + datetime.timedelta(days=10)
    officer_role_grant(
        actor=admin, officer=officer, unit=factories.unit(CENTER), role=Role.RECEPTION,
        at=now(), valid_from=start,
    )  # fmt: skip
    assert not permissions.is_officer(officer)
    assert OfficerRole.objects.effective_on(start).filter(user=officer).exists()


def test_revoking_ends_the_role_keeps_the_row_and_records_the_end() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = factories.officer(CENTER, Role.RECEPTION)
    role = factories.role_of(officer)
    officer_role_revoke(actor=admin, officer_role=role, at=now())
    role.refresh_from_db()
    officer = User.objects.get(pk=officer.pk)
    assert role.valid_until == today() - datetime.timedelta(days=1)
    assert not permissions.is_officer(officer)
    change = RoleChange.objects.get(officer=officer, action=RoleChangeAction.REVOKED)
    assert (change.valid_until, change.actor) == (role.valid_until, admin)
    assert RoleChange.objects.filter(officer=officer).count() == 2  # granted, then revoked


def test_a_revoked_role_can_be_granted_again_and_both_periods_stay() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = factories.officer(CENTER, Role.RECEPTION)
    # Once the only role has ended, the officer belongs to the unit through their home unit.
    User.objects.filter(pk=officer.pk).update(home_unit=factories.unit(CENTER))
    officer.refresh_from_db()
    officer_role_revoke(actor=admin, officer_role=factories.role_of(officer), at=now())
    officer_role_grant(
        actor=admin, officer=officer, unit=factories.unit(CENTER), role=Role.RECEPTION, at=now()
    )
    assert OfficerRole.objects.filter(user=officer, role=Role.RECEPTION).count() == 2
    assert permissions.is_officer(User.objects.get(pk=officer.pk))


def test_a_revocation_on_a_later_day_keeps_the_role_until_then() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = factories.officer(CENTER, Role.RECEPTION)
    later = today() + datetime.timedelta(days=30)
    officer_role_revoke(
        actor=admin, officer_role=factories.role_of(officer), at=now(), effective=later
    )
    assert permissions.is_officer(officer)
    assert not OfficerRole.objects.effective_on(later).filter(user=officer).exists()


def test_a_backdated_revocation_and_a_leader_revoked_without_document_are_refused() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    leader = factories.officer(CENTER, Role.LEADER)
    role = factories.role_of(leader)
    with pytest.raises(DomainError, match="Không thu hồi lùi ngày"):
        officer_role_revoke(
            actor=admin, officer_role=role, at=now(),
            effective=today() - datetime.timedelta(days=3),
        )  # fmt: skip
    with pytest.raises(DomainError, match="Thu hồi vai trò “Lãnh đạo đơn vị” cần văn bản"):
        officer_role_revoke(actor=admin, officer_role=role, at=now())
    officer_role_revoke(actor=admin, officer_role=role, at=now(), **DOCUMENT)  # type: ignore[arg-type]
    change = RoleChange.objects.get(officer=leader, action=RoleChangeAction.REVOKED)
    assert change.document_number == DOCUMENT["document_number"]


def test_revoking_follows_the_ceiling_too() -> None:
    branch_admin = factories.officer("hn-pvhcc-cn01", Role.ADMINISTRATOR)
    center_officer = factories.officer(CENTER, Role.RECEPTION)
    with pytest.raises(NotAllowed):
        officer_role_revoke(
            actor=branch_admin, officer_role=factories.role_of(center_officer), at=now()
        )
    assert permissions.is_officer(center_officer)


def test_granting_a_role_already_held_says_so() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    officer = factories.officer(CENTER, Role.RECEPTION)
    with pytest.raises(DomainError, match="đã có vai trò “Cán bộ tiếp nhận"):
        officer_role_grant(
            actor=admin, officer=officer, unit=factories.unit(CENTER), role=Role.RECEPTION,
            at=now(),
        )  # fmt: skip


def test_a_locked_account_and_a_citizen_get_no_role() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR)
    locked = with_home(CENTER, "da-khoa")
    User.objects.filter(pk=locked.pk).update(is_active=False)
    locked.refresh_from_db()
    with pytest.raises(DomainError, match="đã bị khóa"):
        officer_role_grant(
            actor=admin, officer=locked, unit=factories.unit(CENTER), role=Role.RECEPTION,
            at=now(),
        )  # fmt: skip


# --- The unit page -----------------------------------------------------------------------------


def test_the_unit_page_offers_only_the_roles_the_administrator_may_grant_there() -> None:
    client = logged_in(factories.officer(CENTER, Role.ADMINISTRATOR))
    own = client.get(reverse("web:unit", args=[CENTER])).content.decode()
    below = client.get(reverse("web:unit", args=["hn-pvhcc-cn01"])).content.decode()
    assert 'value="leader"' in own
    assert 'value="administrator"' not in own
    assert 'value="administrator"' in below


def test_the_unit_page_grants_a_leader_with_the_document_in_dd_mm_yyyy() -> None:
    client = logged_in(factories.officer(CENTER, Role.ADMINISTRATOR))
    officer = with_home("hn-pvhcc-cn01", "pho-gd")
    response = client.post(
        reverse("web:role-grant", args=["hn-pvhcc-cn01"]),
        {"username": "pho-gd", "role": Role.LEADER, "title": "Phó Giám đốc",
         "document_number": "7/QĐ-TTPVHCC", "document_date": "05/01/2026"},
        follow=True,
    )  # fmt: skip
    role = OfficerRole.objects.get(user=officer)
    assert "Đã cấp quyền cho" in response.content.decode()
    assert role.document_date == datetime.date(2026, 1, 5)
    assert RoleChange.objects.get(officer=officer).via == ChangeVia.WEB


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"username": "pho-gd", "role": Role.LEADER}, "cần văn bản quyết định"),
        ({"username": "ngoai", "role": Role.RECEPTION}, "không phải cán bộ của đơn vị"),
        ({"username": "pho-gd", "role": Role.RECEPTION, "valid_from": "31/02/2026"},
         "Ngày phải có dạng dd/mm/yyyy"),
    ],
)  # fmt: skip
def test_the_unit_page_explains_a_refusal_in_vietnamese(post: dict[str, str], message: str) -> None:
    client = logged_in(factories.officer(CENTER, Role.ADMINISTRATOR))
    with_home(CENTER, "pho-gd")
    factories.officer("hn-so-tu-phap", Role.SPECIALIST, username="ngoai")
    response = client.post(reverse("web:role-grant", args=[CENTER]), post, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoleChange.objects.filter(via=ChangeVia.WEB).exists()


def test_the_unit_page_grants_nothing_to_the_administrator_themselves() -> None:
    admin = factories.officer(CENTER, Role.ADMINISTRATOR, username="qt")
    response = logged_in(admin).post(
        reverse("web:role-grant", args=[CENTER]), {"username": "qt", "role": Role.RECEPTION},
        follow=True,
    )  # fmt: skip
    assert "Không thể tự cấp" in response.content.decode()
    assert OfficerRole.objects.filter(user=admin).count() == 1


def test_the_unit_page_revokes_from_a_day_and_shows_the_history() -> None:
    client = logged_in(factories.officer(CENTER, Role.ADMINISTRATOR))
    officer = factories.officer(CENTER, Role.RECEPTION, username="sap-nghi")
    later = today() + datetime.timedelta(days=7)
    client.post(
        reverse("web:role-revoke", args=[CENTER, factories.role_of(officer).pk]),
        {"effective": later.strftime("%d/%m/%Y")},
    )
    page = client.get(reverse("web:unit", args=[CENTER])).content.decode()
    assert factories.role_of(officer).valid_until == later - datetime.timedelta(days=1)
    assert "Nhật ký phân quyền" in page
    assert "Thu hồi quyền" in page


# --- The Django admin --------------------------------------------------------------------------

ADD_URL = "/quan-tri/accounts/officerrole/add/"


def staff_with_role_permissions(unit_code: str | None, username: str) -> User:
    """A non-superuser admin-site user allowed to add and change roles (Django permissions); a
    unit administrator of ``unit_code`` if given."""
    user = User.objects.create_user(username=username, password=factories.PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["add_officerrole", "change_officerrole", "view_officerrole",
                          "delete_officerrole", "view_apitoken", "view_rolechange"],
        )
    )  # fmt: skip
    if unit_code:
        officer_role_grant(
            actor=None, officer=user, unit=factories.unit(unit_code), role=Role.ADMINISTRATOR,
            at=now(),
        )  # fmt: skip
    return User.objects.get(pk=user.pk)


def admin_add(client: Client, officer: User, unit_code: str, role: str, **extra: str):
    data = {"user": officer.pk, "unit": factories.unit(unit_code).pk, "role": role, "title": "",
            "valid_from": "", "valid_until": "", "document_number": "", "document_date": "",
            **extra}  # fmt: skip
    return client.post(ADD_URL, data)


def test_the_admin_site_grants_through_the_rules_and_records_the_change() -> None:
    client = logged_in(User.objects.create_superuser(username="root", password="x"))
    officer = with_home("hn-pvhcc-cn01", "lanh-dao")
    response = admin_add(
        client, officer, "hn-pvhcc-cn01", Role.LEADER, document_number="9/QĐ",
        document_date="05/01/2026",
    )  # fmt: skip
    assert response.status_code == 302
    change = RoleChange.objects.get(officer=officer)
    assert (change.via, change.document_date) == (ChangeVia.ADMIN, datetime.date(2026, 1, 5))


def test_the_admin_site_refuses_a_leader_without_document_even_for_a_superuser() -> None:
    client = logged_in(User.objects.create_superuser(username="root", password="x"))
    officer = with_home("hn-pvhcc-cn01", "lanh-dao")
    response = admin_add(client, officer, "hn-pvhcc-cn01", Role.LEADER)
    assert response.status_code == 200
    assert "cần văn bản quyết định" in response.content.decode()
    assert not OfficerRole.objects.filter(user=officer).exists()


def test_a_superuser_cannot_grant_themselves_a_role_in_the_admin_site() -> None:
    root = User.objects.create_superuser(username="root", password="x")
    response = admin_add(logged_in(root), root, CENTER, Role.RECEPTION)
    assert "Không thể tự cấp" in response.content.decode()
    assert not OfficerRole.objects.filter(user=root).exists()


@pytest.mark.parametrize(
    ("granter_unit", "target", "unit_code", "role", "allowed"),
    [
        ("hn-pvhcc-cn01", "own", "hn-pvhcc-cn01", Role.RECEPTION, True),
        ("hn-pvhcc-cn01", "own", "hn-so-tu-phap", Role.RECEPTION, False),
        ("hn-pvhcc-cn01", "own", CENTER, Role.RECEPTION, False),
        ("hn-pvhcc-cn01", "other", "hn-pvhcc-cn01", Role.RECEPTION, False),
        ("hn-pvhcc-cn01", "self", "hn-pvhcc-cn01", Role.LEADER, False),
        ("hn-pvhcc-cn01", "own", "hn-pvhcc-cn01", Role.ADMINISTRATOR, False),
        (None, "own", "hn-pvhcc-cn01", Role.RECEPTION, False),
    ],
)
def test_a_staff_user_without_superuser_cannot_bypass_the_rules_in_the_admin_site(
    granter_unit: str | None, target: str, unit_code: str, role: str, allowed: bool
) -> None:
    staff = staff_with_role_permissions(granter_unit, "nhan-vien")
    officer = {
        "own": with_home("hn-pvhcc-cn01", "cb-chi-nhanh"),
        "other": with_home("hn-so-tu-phap", "cb-so"),
        "self": staff,
    }[target]
    response = admin_add(
        logged_in(staff), officer, unit_code, role, document_number="3/QĐ",
        document_date="05/01/2026",
    )  # fmt: skip
    made = RoleChange.objects.filter(via=ChangeVia.ADMIN).exists()
    assert made == allowed
    assert response.status_code == (302 if allowed else 200)


def test_the_admin_site_ends_a_role_instead_of_deleting_it() -> None:
    root = User.objects.create_superuser(username="root", password="x")
    client = logged_in(root)
    role = factories.role_of(factories.officer(CENTER, Role.RECEPTION))
    delete = client.post(f"/quan-tri/accounts/officerrole/{role.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/quan-tri/accounts/officerrole/",
        {"action": "delete_selected", "_selected_action": [role.pk], "post": "yes"},
    )
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    assert OfficerRole.objects.filter(pk=role.pk).exists()
    yesterday = today() - datetime.timedelta(days=1)
    response = client.post(
        f"/quan-tri/accounts/officerrole/{role.pk}/change/",
        {"title": "", "valid_until": yesterday.strftime("%d/%m/%Y"),
         "change_document_number": "", "change_document_date": ""},
    )  # fmt: skip
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.valid_until == yesterday
    change = RoleChange.objects.get(officer_role=role, via=ChangeVia.ADMIN)
    assert (change.action, change.actor) == (RoleChangeAction.REVOKED, root)


def test_the_admin_site_hides_roles_outside_the_staff_users_units() -> None:
    staff = staff_with_role_permissions("hn-pvhcc-cn01", "nhan-vien")
    outside = factories.role_of(factories.officer("hn-so-tu-phap", Role.RECEPTION))
    inside = factories.role_of(factories.officer("hn-pvhcc-cn01", Role.RECEPTION))
    client = logged_in(staff)
    listing = client.get("/quan-tri/accounts/officerrole/").content.decode()
    change = client.get(f"/quan-tri/accounts/officerrole/{outside.pk}/change/")
    assert f"/officerrole/{inside.pk}/change/" in listing
    assert f"/officerrole/{outside.pk}/change/" not in listing
    assert change.status_code == 302  # "does not exist" for this user


def test_the_user_page_of_the_admin_site_does_not_edit_roles() -> None:
    root = User.objects.create_superuser(username="root", password="x")
    officer = factories.officer(CENTER, Role.RECEPTION)
    page = logged_in(root).get(f"/quan-tri/accounts/user/{officer.pk}/change/").content.decode()
    inline = OfficerRoleInline(User, admin_site=admin.site)
    assert "Cán bộ tiếp nhận" in page  # shown
    assert 'name="officer_roles-0-role"' not in page  # not editable
    assert not inline.has_add_permission(None)  # type: ignore[arg-type]
    assert not inline.has_change_permission(None)  # type: ignore[arg-type]
    assert not inline.can_delete
