"""The VNeID-shaped provider sandbox as a real HTTP server, on its own: what it refuses before a
client library ever sees it (unregistered callback, no PKCE, a wrong verifier or secret)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from motcua.integrations.oidc.sandbox import OidcSandbox, s256

BACK = "http://127.0.0.1:1/ve/"
VERIFIER = "v" * 50


@pytest.fixture
def provider() -> Iterator[OidcSandbox]:
    server = OidcSandbox(client_id="c", client_secret="s", redirect_uris=[BACK]).start()
    yield server
    server.stop()


def authorize(provider: OidcSandbox, **changes: str) -> requests.Response:
    params = {
        "response_type": "code", "client_id": "c", "redirect_uri": BACK, "scope": "openid",
        "state": "st", "nonce": "no", "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256", "user": "001090012345", **changes,
    }  # fmt: skip
    return requests.post(f"{provider.url}/authorize", data=params, allow_redirects=False, timeout=5)


def answer(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def token(provider: OidcSandbox, code: str, verifier: str = VERIFIER, secret: str = "s") -> Any:
    return requests.post(
        f"{provider.url}/token", auth=("c", secret), timeout=5,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": BACK,
              "code_verifier": verifier},
    )  # fmt: skip


def test_discovery_names_the_endpoints_and_s256(provider: OidcSandbox) -> None:
    found = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=5).json()
    assert found["issuer"] == provider.url
    assert found["code_challenge_methods_supported"] == ["S256"]
    keys = requests.get(found["jwks_uri"], timeout=5).json()["keys"]
    assert len(keys) == 1
    assert "d" not in keys[0]  # the private part is never published


def test_an_unregistered_callback_is_never_redirected_to(provider: OidcSandbox) -> None:
    response = authorize(provider, redirect_uri="http://attacker.invalid/ve/")
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "changes", [{"code_challenge_method": "plain"}, {"code_challenge": ""}, {"nonce": ""}]
)
def test_no_pkce_s256_or_no_nonce_is_an_invalid_request(
    provider: OidcSandbox, changes: dict[str, str]
) -> None:
    assert answer(authorize(provider, **changes))["error"] == "invalid_request"


def test_the_code_needs_the_verifier_the_secret_and_is_good_once(provider: OidcSandbox) -> None:
    code = answer(authorize(provider))["code"]
    assert token(provider, code, secret="wrong").status_code == 401
    assert token(provider, code, verifier="x" * 50).json()["error"] == "invalid_grant"
    # A wrong verifier spent the code: even the right one is refused now.
    assert token(provider, code).json()["error"] == "invalid_grant"
    fresh = answer(authorize(provider))["code"]
    issued = token(provider, fresh)
    assert issued.status_code == 200
    assert issued.json()["id_token"].count(".") == 2
    again = token(provider, fresh)
    assert again.json() == {
        "error": "invalid_grant", "error_description": "authorization code already used",
    }  # fmt: skip
    info = requests.get(
        f"{provider.url}/userinfo", timeout=5,
        headers={"Authorization": f"Bearer {issued.json()['access_token']}"},
    )  # fmt: skip
    assert info.json()["personal_id"] == "001090012345"
