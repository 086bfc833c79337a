"""Sign-in through VNeID against the OIDC sandbox running as a real HTTP server: the happy path,
and every way an answer can be wrong — state, forged signature, replayed ID token, a code used
twice, nonce, expiry, audience — refused with a message, never a 500, never signed in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.models import CitizenProfile, User
from motcua.integrations.oidc.sandbox import OidcSandbox
from motcua.signin.constants import SignInEventKind
from motcua.signin.models import OidcIdentity, SignInEvent
from tests.factories import citizen, officer

CALLBACK = "http://testserver/dang-nhap/vneid/ve/"
AN = "001090012345"  # level 2 in the sandbox
CUONG = "001095011122"  # unverified in the sandbox


@pytest.fixture
def sandbox(settings: Any) -> Iterator[OidcSandbox]:
    server = OidcSandbox(
        client_id="motcua-test", client_secret="test-secret", redirect_uris=[CALLBACK]
    ).start()
    settings.MOTCUA_VNEID_ISSUER = server.url
    settings.MOTCUA_VNEID_CLIENT_ID = "motcua-test"
    settings.MOTCUA_VNEID_CLIENT_SECRET = "test-secret"
    yield server
    server.stop()


def to_provider(client: Client, next_url: str = "/ho-so-cua-toi/") -> str:
    response = client.get("/dang-nhap/vneid/", {"next": next_url})
    assert response.status_code == 302
    return str(response["Location"])


def provider_answer(authorize_url: str, user: str = AN) -> str:
    """What the person does on the provider's page: open it, choose a test user."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200
    assert "Đăng nhập VNeID" in page.text
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    chosen = requests.post(
        authorize_url.split("?")[0], data={**params, "user": user}, allow_redirects=False, timeout=5
    )
    assert chosen.status_code == 302
    return str(chosen.headers["Location"])


def back(client: Client, callback_url: str) -> Any:
    parts = urlsplit(callback_url)
    return client.get(parts.path, parse_qs(parts.query), follow=True)


def signed_in(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
def test_a_citizen_signs_in_with_vneid_and_lands_where_they_were(sandbox: OidcSandbox) -> None:
    client = Client()
    authorize = to_provider(client, "/ho-so-cua-toi/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["code_challenge"][0]
    response = back(client, provider_answer(authorize))
    assert response.redirect_chain[0][0] == "/ho-so-cua-toi/"
    user = signed_in(client)
    assert user is not None
    assert user.full_name == "Nguyễn Văn An"
    profile = CitizenProfile.objects.get(user=user)
    assert profile.id_number == AN
    assert profile.identity_verified
    assert str(profile.date_of_birth) == "1990-03-12"
    assert not user.has_usable_password()
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.VNEID_LINKED).exists()
    assert "Đã xác thực qua VNeID mức 2" in client.get("/tai-khoan/").content.decode()


@pytest.mark.django_db
def test_an_account_made_with_a_password_is_linked_and_becomes_verified(
    sandbox: OidcSandbox,
) -> None:
    existing = citizen(id_number=AN)
    assert not existing.citizen_profile.identity_verified
    client = Client()
    back(client, provider_answer(to_provider(client)))
    assert signed_in(client) == existing
    existing.citizen_profile.refresh_from_db()
    assert existing.citizen_profile.identity_level == 2
    assert existing.citizen_profile.identity_verified
    # The second time the subject is already bound: the same account, a sign-in row.
    client = Client()
    back(client, provider_answer(to_provider(client)))
    assert signed_in(client) == existing
    assert OidcIdentity.objects.filter(user=existing).count() == 1
    assert SignInEvent.objects.filter(user=existing, kind=SignInEventKind.VNEID_SIGNED_IN).count()


@pytest.mark.django_db
def test_an_unverified_vneid_account_signs_in_unverified(sandbox: OidcSandbox) -> None:
    client = Client()
    back(client, provider_answer(to_provider(client), user=CUONG))
    user = signed_in(client)
    assert user is not None
    profile = CitizenProfile.objects.get(user=user)
    assert profile.identity_level == 0
    assert not profile.identity_verified


@pytest.mark.django_db
def test_an_unverified_vneid_account_cannot_take_over_an_existing_account(
    sandbox: OidcSandbox,
) -> None:
    citizen(id_number=CUONG)
    client = Client()
    response = back(client, provider_answer(to_provider(client), user=CUONG))
    assert signed_in(client) is None
    assert "chưa được xác thực mức 2" in response.content.decode()


@pytest.mark.django_db
def test_an_officer_account_is_not_signed_in_through_vneid(sandbox: OidcSandbox) -> None:
    staff = officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST, username="canbo-vneid")
    CitizenProfile.objects.create(user=staff, id_number=AN)
    client = Client()
    response = back(client, provider_answer(to_provider(client)))
    assert signed_in(client) is None
    assert "tài khoản cán bộ" in response.content.decode()


def refused(client: Client, response: Any, words: str) -> None:
    assert response.status_code == 200  # the sign-in page with the message, not a 500
    assert response.redirect_chain[-1][0].startswith("/dang-nhap/")
    assert words in response.content.decode()
    assert signed_in(client) is None


@pytest.mark.django_db
def test_a_wrong_state_is_refused(sandbox: OidcSandbox) -> None:
    client = Client()
    answer = provider_answer(to_provider(client))
    forged = answer.replace("state=", "state=x")
    refused(client, back(client, forged), "Phiên đăng nhập VNeID không khớp")


@pytest.mark.django_db
def test_an_answer_for_another_browser_is_refused(sandbox: OidcSandbox) -> None:
    victim, attacker = Client(), Client()
    to_provider(victim)
    answer = provider_answer(to_provider(attacker))
    refused(victim, back(victim, answer), "Phiên đăng nhập VNeID không khớp")


@pytest.mark.django_db
def test_a_callback_replayed_is_refused(sandbox: OidcSandbox) -> None:
    client = Client()
    answer = provider_answer(to_provider(client))
    back(client, answer)
    assert signed_in(client) is not None
    client.logout()
    refused(client, back(client, answer), "Phiên đăng nhập VNeID không khớp")


@pytest.mark.django_db
def test_a_code_used_twice_is_refused_by_the_provider(sandbox: OidcSandbox) -> None:
    """The same code brought back in a new session with a fresh state: the provider refuses it."""
    first = Client()
    answer = provider_answer(to_provider(first))
    back(first, answer)
    code = parse_qs(urlsplit(answer).query)["code"][0]
    second = Client()
    fresh = provider_answer(to_provider(second))
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    response = back(second, f"{CALLBACK}?code={code}&state={state}")
    refused(second, response, "không hợp lệ")


@pytest.mark.parametrize("fault", ["forged", "expired", "wrong_nonce", "wrong_audience"])
@pytest.mark.django_db
def test_a_bad_id_token_is_refused(sandbox: OidcSandbox, fault: str) -> None:
    client = Client()
    answer = provider_answer(to_provider(client))
    sandbox.faults(fault)
    refused(client, back(client, answer), "không hợp lệ")
    assert not OidcIdentity.objects.exists()


@pytest.mark.django_db
def test_a_replayed_id_token_is_refused(sandbox: OidcSandbox) -> None:
    """An ID token issued for an earlier sign-in, sent again: its nonce is not this one's."""
    first = Client()
    back(first, provider_answer(to_provider(first)))
    client = Client()
    answer = provider_answer(to_provider(client))
    sandbox.faults("replayed")
    refused(client, back(client, answer), "không hợp lệ")


@pytest.mark.django_db
def test_denying_on_the_provider_page_says_so(sandbox: OidcSandbox) -> None:
    client = Client()
    authorize = to_provider(client)
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    denied = requests.post(
        authorize.split("?")[0], data={**params, "deny": "1"}, allow_redirects=False, timeout=5
    )
    refused(client, back(client, denied.headers["Location"]), "không đồng ý")


@pytest.mark.django_db
def test_a_provider_that_is_down_gives_a_message(settings: Any) -> None:
    settings.MOTCUA_VNEID_ISSUER = "http://127.0.0.1:9"
    client = Client()
    response = client.get("/dang-nhap/vneid/", follow=True)
    refused(client, response, "Không kết nối được VNeID")


@pytest.mark.django_db
def test_without_a_provider_there_is_no_button_and_no_page(settings: Any) -> None:
    settings.MOTCUA_VNEID_ISSUER = ""
    client = Client()
    assert "Đăng nhập bằng VNeID" not in client.get("/dang-nhap/").content.decode()
    assert client.get("/dang-nhap/vneid/").status_code == 404


@pytest.mark.django_db
def test_the_sign_in_page_offers_vneid(sandbox: OidcSandbox) -> None:
    page = Client().get("/dang-nhap/", {"next": "/ho-so-cua-toi/"}).content.decode()
    assert "Đăng nhập bằng VNeID" in page
    assert "/dang-nhap/vneid/?next=/ho-so-cua-toi/" in page.replace("%2F", "/")


@pytest.mark.django_db
def test_a_staff_account_named_with_the_number_is_not_taken_over(sandbox: OidcSandbox) -> None:
    staff = officer("hn-so-tu-phap", OfficerRoleName.SPECIALIST, username=AN)
    client = Client()
    refused(client, back(client, provider_answer(to_provider(client))), "tài khoản cán bộ")
    assert not CitizenProfile.objects.filter(id_number=AN).exists()
    assert not OidcIdentity.objects.filter(user=staff).exists()


@pytest.mark.django_db
def test_a_provider_naming_another_issuer_is_not_trusted(
    sandbox: OidcSandbox, settings: Any
) -> None:
    settings.MOTCUA_VNEID_ISSUER = sandbox.url.replace("127.0.0.1", "localhost")
    client = Client()
    refused(client, client.get("/dang-nhap/vneid/", follow=True), "Không kết nối được VNeID")


@pytest.mark.django_db
def test_an_unverified_vneid_account_is_told_to_raise_its_level_not_to_sign_in_again(
    sandbox: OidcSandbox,
) -> None:
    """Just signed in through VNeID below level 2: "sign in with VNeID to verify" would send the
    citizen round in a circle; the submission page and the account page say what to do instead."""
    client = Client()
    back(client, provider_answer(to_provider(client), user=CUONG))
    for url in ("/nop-truc-tuyen/1.004222/", "/tai-khoan/"):
        page = client.get(url).content.decode()
        assert "chưa đạt mức 2" in page, url
        assert "Đăng nhập bằng VNeID để xác thực" not in page, url
    client.cookies["motcua_language"] = "en"
    english = client.get("/tai-khoan/").content.decode()
    assert "not yet at level 2" in english
    # An account made with a password is still offered VNeID.
    other = Client()
    other.force_login(citizen(id_number="001090099999"))
    assert "Đăng nhập bằng VNeID để xác thực" in other.get("/tai-khoan/").content.decode()
