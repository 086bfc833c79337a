"""An OpenID Connect provider shaped like VNeID, as one local HTTP server: for tests and the demo
(issue 15, docs/decisions/0032).

- ``GET /.well-known/openid-configuration``: the discovery document; ``GET /jwks``: the public key;
- ``GET /authorize``: the sign-in page (authorization code flow only; ``state``, ``nonce`` and a
  PKCE ``code_challenge`` with method ``S256`` are required); the person picks a test user and the
  page posts back to ``/authorize``, which redirects to the client with ``code`` and ``state``;
- ``POST /token``: the client's id and secret (HTTP Basic or in the form), the code — usable once,
  for one minute, with the same ``redirect_uri`` — and the PKCE ``code_verifier``; answers the
  access token and the RS256-signed ID token;
- ``GET /userinfo`` with ``Authorization: Bearer <access token>``.

Test users carry a personal ID number, a name, a date of birth and an assurance level:
``2`` (verified with the chip ID card), ``1`` (verified remotely) or ``0`` (unverified).

Faults, to rehearse attacks (``POST /_faults {"id_token": mode}``, for the next ID token only):
``forged`` signs with a key that is not published (same ``kid``); ``expired`` sends an ID token
that expired an hour ago; ``wrong_nonce``; ``wrong_audience``; ``replayed`` sends again the ID token
issued before.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeyParameters, RSAKey

from motcua.integrations.demo_people import DEMO_PEOPLE
from motcua.integrations.sandbox_server import SandboxServer

from .pages import handler_for

CODE_SECONDS = 60
TOKEN_SECONDS = 600
FAULTS = frozenset({"forged", "expired", "wrong_nonce", "wrong_audience", "replayed"})


@dataclass(frozen=True)
class TestUser:
    id_number: str
    name: str
    birthdate: str  # ISO date
    level: int  # 2 chip card, 1 remote, 0 unverified

    def claims(self) -> dict[str, Any]:
        return {
            "sub": f"vneid-{self.id_number}", "personal_id": self.id_number, "name": self.name,
            "birthdate": self.birthdate, "level": self.level, "acr": f"vneid:level{self.level}",
        }  # fmt: skip


# The demo's people (``integrations.demo_people``): the registry sandbox holds the same numbers.
TEST_USERS = tuple(
    TestUser(person.id_number, person.name, person.birth_date, person.level)
    for person in DEMO_PEOPLE
)


class OidcError(Exception):
    """An OAuth error answer: ``error`` code and a description, sent as JSON with ``status``."""

    def __init__(self, error: str, description: str, status: int = HTTPStatus.BAD_REQUEST):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcSandbox(SandboxServer):
    """The provider's state and server; ``start()`` serves from a thread, ``stop()`` ends it."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        host: str = "127.0.0.1",
        port: int = 0,
        users: tuple[TestUser, ...] = TEST_USERS,
        quiet: bool = True,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = list(redirect_uris)
        self.users = {user.id_number: user for user in users}
        self.quiet = quiet
        self.lock = threading.Lock()
        kid = secrets.token_hex(8)
        params: KeyParameters = {"kid": kid, "use": "sig", "alg": "RS256"}
        self.key = RSAKey.generate_key(2048, parameters=params)
        self.forger = RSAKey.generate_key(2048, parameters=params)  # same kid, never published
        self.codes: dict[str, dict[str, Any]] = {}
        self.used_codes: set[str] = set()
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.issued: list[str] = []
        self.fault = ""
        self.listen(host, port, handler_for(self))

    @property
    def issuer(self) -> str:
        return self.url

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["sub", "name", "birthdate", "personal_id", "level", "acr"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def faults(self, id_token: str) -> None:
        with self.lock:
            self.fault = id_token if id_token in FAULTS else ""

    # ------------------------------------------------------------------ authorize
    def authorize_problem(self, params: dict[str, str]) -> str:
        """Why the request cannot even be sent back to the client ('' when it can)."""
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered for this client"
        return ""

    def authorize_error(self, params: dict[str, str]) -> str:
        """An OAuth error to send back to the client ('' when the request is acceptable)."""
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in params.get("scope", "").split():
            return "invalid_scope"
        if not params.get("state") or not params.get("nonce"):
            return "invalid_request"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "invalid_request"
        return ""

    def code_issue(self, params: dict[str, str], id_number: str) -> str:
        user = self.users.get(id_number)
        if user is None:
            raise OidcError("access_denied", "unknown test user")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "user": user, "redirect_uri": params["redirect_uri"],
                "challenge": params["code_challenge"], "nonce": params["nonce"],
                "auth_time": int(time.time()), "expires": time.time() + CODE_SECONDS,
            }  # fmt: skip
        return code

    # ---------------------------------------------------------------------- token
    def client_authenticated(self, authorization: str, form: dict[str, str]) -> bool:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                return False
            client_id, _colon, secret = decoded.partition(":")
        return secrets.compare_digest(client_id, self.client_id) and secrets.compare_digest(
            secret, self.client_secret
        )

    def token(self, authorization: str, form: dict[str, str]) -> dict[str, Any]:
        if not self.client_authenticated(authorization, form):
            raise OidcError("invalid_client", "client authentication failed", 401)
        if form.get("grant_type") != "authorization_code":
            raise OidcError("unsupported_grant_type", "only authorization_code")
        grant = self.code_redeem(form.get("code", ""))
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise OidcError("invalid_grant", "redirect_uri differs from the authorization's")
        if not secrets.compare_digest(s256(form.get("code_verifier", "")), grant["challenge"]):
            raise OidcError("invalid_grant", "PKCE code_verifier does not match")
        access_token = secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[access_token] = {
                "user": grant["user"], "expires": time.time() + TOKEN_SECONDS,
            }  # fmt: skip
        return {
            "access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
            "scope": "openid profile", "id_token": self.id_token(grant),
        }  # fmt: skip

    def code_redeem(self, code: str) -> dict[str, Any]:
        """A code is good once: a second use is refused (RFC 6749 §4.1.2)."""
        with self.lock:
            if code in self.used_codes:
                raise OidcError("invalid_grant", "authorization code already used")
            grant = self.codes.pop(code, None)
            if grant is not None:
                self.used_codes.add(code)
        if grant is None or grant["expires"] < time.time():
            raise OidcError("invalid_grant", "unknown or expired authorization code")
        return grant

    def id_token(self, grant: dict[str, Any]) -> str:
        with self.lock:
            fault, self.fault = self.fault, ""
            previous = self.issued[-1] if self.issued else ""
        if fault == "replayed" and previous:
            return previous
        now = int(time.time())
        claims = {
            **grant["user"].claims(), "iss": self.issuer, "aud": self.client_id,
            "iat": now, "exp": now + TOKEN_SECONDS, "auth_time": grant["auth_time"],
            "nonce": grant["nonce"],
        }  # fmt: skip
        if fault == "expired":
            claims.update(iat=now - 2 * 3600, exp=now - 3600)
        if fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        if fault == "wrong_audience":
            claims["aud"] = "another-client"
        key = self.forger if fault == "forged" else self.key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        with self.lock:
            self.issued.append(token)
        return token

    def userinfo(self, authorization: str) -> dict[str, Any]:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self.lock:
            found = self.access_tokens.get(token)
        if found is None or found["expires"] < time.time():
            raise OidcError("invalid_token", "unknown or expired access token", 401)
        return dict(found["user"].claims())
