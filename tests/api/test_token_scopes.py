"""API tokens (issue 11): scoped (read / act), limited to units, expiring, revocable by their
officer and the unit administrator, listed in the admin by hash, and named in the events written
through them."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from motcua.accounts import permissions
from motcua.accounts.constants import ApiTokenScope, ChangeVia
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken, OfficerRole, User
from motcua.accounts.services import officer_role_grant
from motcua.accounts.tokens import api_token_authenticate, api_token_issue
from motcua.common.clock import now
from motcua.common.clock import today as today_local
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers.audit import chain_problems
from motcua.dossiers.models import Dossier
from tests import factories
from tests.dossiers.conftest import POLICE, submitted

pytestmark = pytest.mark.django_db

WARD = "hn-phuong-hoan-kiem"


class People:
    """``both`` receives at the ward police (which handles 1.004222) and at the ward."""

    def __init__(self) -> None:
        self.reception = factories.officer(POLICE, Role.RECEPTION)
        self.both = factories.officer(POLICE, Role.RECEPTION)
        officer_role_grant(
            actor=None, officer=self.both, unit=factories.unit(WARD), role=Role.RECEPTION, at=now()
        )
        self.police_admin = factories.officer(POLICE, Role.ADMINISTRATOR)
        self.ward_admin = factories.officer(WARD, Role.ADMINISTRATOR)


@pytest.fixture
def people(db: None) -> People:
    return People()


def issue(user: User, scope: str = ApiTokenScope.ACT, units: list[str] | None = None,
          **options: Any) -> tuple[ApiToken, str]:  # fmt: skip
    chosen = [factories.unit(code) for code in units] if units is not None else None
    return api_token_issue(
        actor=None, owner=user, name="tích hợp X", scope=scope, units=chosen, **options
    )


def auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def act(dossier: Dossier, action: str, secret: str) -> Any:
    return Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/{action}", {"version": dossier.version},
        content_type="application/json", **auth(secret),
    )  # fmt: skip


COUNTER_BODY = {
    "unit": WARD, "procedure": "1.004222", "channel": "counter",
    "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345"},
}  # fmt: skip


# --- Issuing -----------------------------------------------------------------------------------


def test_a_token_is_kept_as_its_hash_with_the_officers_units_and_the_default_lifetime(
    people: People,
) -> None:
    at = now()
    token, secret = api_token_issue(actor=None, owner=people.both, name="tích hợp X", at=at)
    assert secret.startswith("mc_")
    assert token.token_hash == ApiToken.digest(secret)
    assert secret not in {token.token_hash, token.name}
    assert token.scope == ApiTokenScope.READ
    assert {unit.code for unit in token.units.all()} == {POLICE, WARD}
    assert token.expires_at == at + datetime.timedelta(days=90)


def test_the_lifetime_is_capped_by_the_setting(people: People, settings: Any) -> None:
    settings.MOTCUA_API_TOKEN_MAX_DAYS = 30
    with pytest.raises(DomainError, match="từ 1 đến 30 ngày"):
        issue(people.both, days=31)
    with pytest.raises(DomainError, match="từ 1 đến 30 ngày"):
        issue(people.both, days=0)
    assert issue(people.both, days=30)[0].pk


def test_a_token_is_limited_to_units_where_its_officer_holds_a_role(people: People) -> None:
    with pytest.raises(DomainError, match="không có vai trò tại Sở Tư pháp"):
        issue(people.reception, units=[POLICE, "hn-so-tu-phap"])
    with pytest.raises(DomainError, match="ít nhất một đơn vị"):
        issue(people.reception, units=[])


def test_no_token_for_a_citizen_or_for_someone_else_than_oneself(people: People) -> None:
    with pytest.raises(DomainError, match="tài khoản cán bộ"):
        issue(factories.citizen())
    with pytest.raises(NotAllowed):
        api_token_issue(actor=people.police_admin, owner=people.reception, name="x")


def test_the_command_issues_lists_and_revokes(people: People) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token", people.both.username, "--name", "cổng tỉnh", "--scope", "read",
        "--unit", WARD, "--days", "7", stdout=out, stderr=err,
    )  # fmt: skip
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(token_hash=ApiToken.digest(secret))
    assert (token.name, token.scope, [u.code for u in token.units.all()]) == (
        "cổng tỉnh", "read", [WARD],
    )  # fmt: skip
    assert "chỉ hiện một lần" in err.getvalue()
    listing = io.StringIO()
    call_command("api_token", "--list", people.both.username, stdout=listing)
    assert secret not in listing.getvalue()
    assert "cổng tỉnh" in listing.getvalue()
    call_command("api_token", "--revoke", str(token.pk), stdout=io.StringIO())
    token.refresh_from_db()
    assert (token.revoked_at is not None, token.revoked_via) == (True, ChangeVia.CLI)


# --- Using -------------------------------------------------------------------------------------


def test_a_read_token_reads_and_gets_403_on_every_action_endpoint(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]
    _token, secret = issue(people.reception, scope=ApiTokenScope.READ)
    read = Client().get(f"/api/v1/dossiers/{dossier.ref}", **auth(secret))
    action = act(dossier, "receive", secret)
    create = Client().post(
        "/api/v1/dossiers", COUNTER_BODY, content_type="application/json", **auth(secret)
    )
    assert read.status_code == 200
    assert read.json()["actions"] == []  # nothing is offered to a read token
    assert action.status_code == 403
    assert action.json()["code"] == "token_read_only"
    assert "chỉ được đọc" in action.json()["message"]
    assert "read-only" in action.json()["message_en"]
    assert create.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_an_act_token_acts_and_its_event_names_the_token(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]
    token, secret = issue(people.reception, scope=ApiTokenScope.ACT)
    response = act(dossier, "receive", secret)
    assert response.status_code == 200
    fresh = Dossier.objects.get(pk=dossier.pk)
    event = fresh.events.order_by("-seq").first()
    assert event is not None
    assert event.payload["via_token"] == {"id": token.pk, "name": "tích hợp X"}
    assert event.actor_name == people.reception.username
    assert chain_problems(fresh, fresh.events.order_by("seq")) == []  # the hash covers it


def test_the_history_page_says_which_token_acted(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]
    _token, secret = issue(people.reception, scope=ApiTokenScope.ACT)
    act(dossier, "receive", secret)
    client = Client()
    client.force_login(people.reception)
    page = client.get(reverse("dossiers:detail", kwargs={"ref": dossier.ref})).content.decode()
    assert "qua mã API “tích hợp X”" in page


def test_an_action_in_a_browser_session_names_no_token(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]
    issue(people.reception, scope=ApiTokenScope.ACT)
    client = Client()
    client.force_login(people.reception)
    client.post(
        f"/api/v1/dossiers/{dossier.ref}/actions/receive", {"version": dossier.version},
        content_type="application/json",
    )  # fmt: skip
    event = Dossier.objects.get(pk=dossier.pk).events.order_by("-seq").first()
    assert event is not None
    assert event.action == "receive"
    assert "via_token" not in event.payload


def test_a_dossier_created_through_a_token_names_it_on_every_event(people: People) -> None:
    token, secret = issue(people.both, scope=ApiTokenScope.ACT, units=[WARD])
    created = Client().post(
        "/api/v1/dossiers", COUNTER_BODY, content_type="application/json", **auth(secret)
    )
    assert created.status_code == 201
    events = created.json()["events"]
    assert [e["action"] for e in events] == ["submit", "receive"]
    assert all(e["payload"]["via_token"]["id"] == token.pk for e in events)


def test_a_token_limited_to_one_unit_gets_404_on_another_units_dossier(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]  # at the ward police
    _token, ward_only = issue(people.both, scope=ApiTokenScope.ACT, units=[WARD])
    session = Client()
    session.force_login(people.both)
    assert session.get(f"/api/v1/dossiers/{dossier.ref}").status_code == 200
    assert Client().get(f"/api/v1/dossiers/{dossier.ref}", **auth(ward_only)).status_code == 404
    listing = Client().get("/api/v1/dossiers", {"tab": "all"}, **auth(ward_only)).json()
    assert dossier.ref not in [item["ref"] for item in listing["items"]]
    assert act(dossier, "receive", ward_only).status_code == 404
    documents = Client().get(f"/api/v1/dossiers/{dossier.ref}/documents", **auth(ward_only))
    assert documents.status_code == 404


def test_a_token_limited_to_the_dossiers_unit_acts_there(people: People) -> None:
    dossier = submitted(people)  # type: ignore[arg-type]
    _token, police_only = issue(people.both, scope=ApiTokenScope.ACT, units=[POLICE])
    assert act(dossier, "receive", police_only).status_code == 200
    create_at_ward = Client().post(
        "/api/v1/dossiers", COUNTER_BODY, content_type="application/json", **auth(police_only)
    )
    assert create_at_ward.status_code == 403


def test_the_roles_read_with_the_token_are_those_in_force_in_its_units(people: People) -> None:
    """The token's query brings its officer's roles (one statement for both): the same roles,
    with their units, as reading them apart, for roles ended, not yet begun, in force, in the
    token's units and outside them."""
    today, day = today_local(), datetime.timedelta(days=1)
    ended, later, last_day = (
        OfficerRole.objects.create(
            user=people.both,
            unit=factories.unit(code),
            role=role,
            valid_from=today - 5 * day,
            valid_until=until,
        )
        for code, role, until in [
            ("hn-phuong-ba-dinh", Role.SPECIALIST, today),
            ("hn-phuong-ba-dinh", Role.LEADER, None),
            ("hn-phuong-cua-nam", Role.SPECIALIST, today),
        ]
    )
    everywhere = [POLICE, WARD, "hn-phuong-ba-dinh", "hn-phuong-cua-nam"]
    tokens = [issue(people.both, units=chosen) for chosen in (everywhere, [WARD], [POLICE, "hn-phuong-ba-dinh"])]  # fmt: skip
    # Then one role ends and one is moved to begin tomorrow: the tokens keep their units.
    OfficerRole.objects.filter(pk=ended.pk).update(valid_until=today - day)
    OfficerRole.objects.filter(pk=later.pk).update(valid_from=today + day)
    for token, secret in tokens:
        found = api_token_authenticate(secret=secret, at=now())
        assert found is not None
        inline = permissions.active_roles(found.user)
        apart = permissions.TOKEN_ROLES(user_id=people.both.pk, day=today, token_id=token.pk)
        assert [(r.pk, r.role, r.unit_id, r.valid_from, r.valid_until) for r in inline] == [
            (r.pk, r.role, r.unit_id, r.valid_from, r.valid_until) for r in apart
        ]
        assert [model_to_dict(r.unit) for r in inline] == [model_to_dict(r.unit) for r in apart]
        assert {r.unit.code for r in inline} <= {u.code for u in token.units.all()}
        assert all(r.user is found.user for r in inline)
    everywhere_roles = permissions.active_roles(api_token_authenticate(secret=tokens[0][1], at=now()).user)  # type: ignore[union-attr]  # fmt: skip
    assert last_day.pk in {r.pk for r in everywhere_roles}
    assert not {ended.pk, later.pk} & {r.pk for r in everywhere_roles}


@pytest.mark.parametrize(
    ("change", "code", "vietnamese", "english"),
    [
        ({"expires_at": "past"}, "token_expired", "đã hết hạn", "expired"),
        ({"revoked_at": "past"}, "token_revoked", "đã bị thu hồi", "revoked"),
        ({"user_active": False}, "token_account_locked", "đã bị khóa", "locked"),
    ],
)
def test_an_expired_revoked_or_locked_token_gets_401_in_both_languages(
    people: People, change: dict[str, Any], code: str, vietnamese: str, english: str
) -> None:
    token, secret = issue(people.reception)
    past = now() - datetime.timedelta(minutes=1)
    if "expires_at" in change:
        ApiToken.objects.filter(pk=token.pk).update(expires_at=past)
    if "revoked_at" in change:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=past)
    if "user_active" in change:
        User.objects.filter(pk=people.reception.pk).update(is_active=False)
    response = Client().get("/api/v1/dossiers", **auth(secret))
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == code
    assert vietnamese in body["message"]
    assert english in body["message_en"]


def test_an_unknown_token_gets_the_plain_401(people: People) -> None:
    response = Client().get("/api/v1/dossiers", **auth("mc_khong-co"))
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_the_last_use_is_recorded(people: People) -> None:
    token, secret = issue(people.reception)
    assert token.last_used_at is None
    Client().get("/api/v1/dossiers", **auth(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_schema_documents_401_and_the_token_errors() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "401" in schema["paths"]["/api/v1/dossiers"]["get"]["responses"]
    assert "token_read_only" in schema["info"]["description"]


# --- Revoking ----------------------------------------------------------------------------------


def revoke_on_the_web(user: User, token: ApiToken) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(reverse("web:api-token-revoke", args=[token.pk]), follow=True)


def test_the_owner_revokes_from_the_account_page_and_the_token_stops(people: People) -> None:
    token, secret = issue(people.reception)
    client = Client()
    client.force_login(people.reception)
    assert "tích hợp X" in client.get(reverse("web:account")).content.decode()
    page = revoke_on_the_web(people.reception, token).content.decode()
    assert "Đã thu hồi mã truy cập" in page
    assert Client().get("/api/v1/dossiers", **auth(secret)).json()["code"] == "token_revoked"
    token.refresh_from_db()
    assert (token.revoked_by, token.revoked_via) == (people.reception, ChangeVia.WEB)


def test_the_administrator_of_a_unit_of_the_token_revokes_it_from_the_unit_page(
    people: People,
) -> None:
    token, _secret = issue(people.both, units=[POLICE])
    client = Client()
    client.force_login(people.police_admin)
    unit_page = client.get(reverse("web:unit", args=[POLICE])).content.decode()
    assert "tích hợp X" in unit_page
    revoke_on_the_web(people.police_admin, token)
    token.refresh_from_db()
    assert token.revoked_by == people.police_admin


def test_nobody_else_revokes_a_token(people: People) -> None:
    token, secret = issue(people.both, units=[POLICE])
    for outsider in (people.ward_admin, people.reception):
        assert revoke_on_the_web(outsider, token).status_code == 403
    assert Client().get("/api/v1/dossiers", **auth(secret)).status_code == 200


# --- The admin site ----------------------------------------------------------------------------


def test_the_admin_lists_tokens_by_hash_never_the_secret_and_revokes_them(people: People) -> None:
    token, secret = issue(people.reception)
    client = Client()
    client.force_login(User.objects.create_superuser(username="root", password="x"))
    listing = client.get("/quan-tri/accounts/apitoken/").content.decode()
    detail = client.get(f"/quan-tri/accounts/apitoken/{token.pk}/change/").content.decode()
    assert "tích hợp X" in listing
    assert token.token_hash in detail
    assert secret not in listing + detail
    assert client.get("/quan-tri/accounts/apitoken/add/").status_code == 403
    client.post(
        "/quan-tri/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_via == ChangeVia.ADMIN
    assert Client().get("/api/v1/dossiers", **auth(secret)).status_code == 401


def test_a_staff_user_sees_and_revokes_only_the_tokens_of_their_units(people: People) -> None:
    staff = people.ward_admin
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_apitoken"))
    police_token, police_secret = issue(people.reception)
    ward_token, _ = issue(people.both, units=[WARD])
    client = Client()
    client.force_login(User.objects.get(pk=staff.pk))
    listing = client.get("/quan-tri/accounts/apitoken/").content.decode()
    assert f"/apitoken/{ward_token.pk}/change/" in listing
    assert f"/apitoken/{police_token.pk}/change/" not in listing
    client.post(
        "/quan-tri/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [police_token.pk, ward_token.pk]},
    )
    police_token.refresh_from_db()
    ward_token.refresh_from_db()
    assert police_token.revoked_at is None
    assert ward_token.revoked_at is not None
    assert Client().get("/api/v1/dossiers", **auth(police_secret)).status_code == 200


def test_an_unknown_token_is_refused_by_itself_in_both_languages(people: People) -> None:
    """A client that shows a token is judged by it: a wrong one is 401 with its reason, not a
    CSRF refusal of a session cookie it may also carry (the attacker pass found the latter)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reception)
    answer = client.post(
        "/api/v1/dossiers", {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"
    assert answer.json()["message"].startswith("Mã truy cập API")


def test_a_browser_session_without_csrf_is_told_why_in_vietnamese(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.reception)
    answer = client.post("/api/v1/dossiers", {}, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "csrf_failed"
    assert "thiếu mã CSRF" in answer.json()["message"]


def test_a_request_with_neither_token_nor_session_is_asked_who_it_is(db: None) -> None:
    answer = Client(enforce_csrf_checks=True).post(
        "/api/v1/dossiers", {}, content_type="application/json"
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"
