"""The OIDC sandbox's HTTP side: JSON endpoints and the sign-in page a person sees (a list of test
users, each a button), in Vietnamese with English beneath, as a real provider's page would be."""

from __future__ import annotations

import json
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from motcua.integrations.sandbox_server import SandboxHandler

if TYPE_CHECKING:
    from .sandbox import OidcSandbox

AUTHORIZE_PARAMS = (
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
    "code_challenge", "code_challenge_method",
)  # fmt: skip
LEVELS = {2: "Mức 2 / level 2", 1: "Mức 1 / level 1", 0: "Chưa xác thực / unverified"}


def sign_in_page(sandbox: OidcSandbox, params: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">'
        for name in AUTHORIZE_PARAMS
    )
    buttons = "".join(
        f'<li><button type="submit" name="user" value="{user.id_number}">'
        f"{escape(user.name)} — {user.id_number} — {LEVELS.get(user.level, user.level)}"
        "</button></li>"
        for user in sandbox.users.values()
    )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        "<title>VNeID (thử nghiệm / sandbox)</title></head><body><main>"
        "<h1>Đăng nhập VNeID (môi trường thử nghiệm)</h1>"
        "<p>VNeID sign-in (sandbox). Chọn người dùng thử nghiệm / choose a test user:</p>"
        f'<form method="post" action="/authorize">{hidden}<ul>{buttons}</ul>'
        '<p><button type="submit" name="deny" value="1">Từ chối / Deny</button></p>'
        "</form></main></body></html>"
    )


def error_page(message: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>VNeID</title></head>'
        f"<body><h1>Yêu cầu không hợp lệ / Invalid request</h1><p>{escape(message)}</p></body>"
        "</html>"
    )


def redirect_with(uri: str, **params: str) -> str:
    joiner = "&" if urlsplit(uri).query else "?"
    return f"{uri}{joiner}{urlencode(params)}"


def handler_for(sandbox: OidcSandbox) -> type[BaseHTTPRequestHandler]:
    from .sandbox import OidcError

    class Handler(SandboxHandler):
        def do_GET(self) -> None:
            path, _q, query = self.path.partition("?")
            params = dict(parse_qsl(query))
            if path == "/.well-known/openid-configuration":
                self.answer(HTTPStatus.OK, sandbox.discovery())
            elif path == "/jwks":
                self.answer(HTTPStatus.OK, sandbox.jwks())
            elif path == "/authorize":
                self.authorize(params, chosen="")
            elif path == "/userinfo":
                try:
                    self.answer(
                        HTTPStatus.OK, sandbox.userinfo(self.headers.get("Authorization", ""))
                    )
                except OidcError as error:
                    self.oauth_error(error)
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})

        def do_POST(self) -> None:
            form = self.form()
            if self.path == "/authorize":
                self.authorize(form, chosen="deny" if form.get("deny") else form.get("user", ""))
            elif self.path == "/token":
                try:
                    answer = sandbox.token(self.headers.get("Authorization", ""), form)
                except OidcError as error:
                    self.oauth_error(error)
                else:
                    self.answer(HTTPStatus.OK, answer)
            elif self.path == "/_faults":
                body = json.loads(self.raw or b"{}") if self.raw.startswith(b"{") else form
                sandbox.faults(str(body.get("id_token") or ""))
                self.answer(HTTPStatus.OK, {"ok": True})
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})

        def authorize(self, params: dict[str, str], chosen: str) -> None:
            problem = sandbox.authorize_problem(params)
            if problem:  # never redirect to an unknown place (RFC 6749 §4.1.2.1)
                self.html(HTTPStatus.BAD_REQUEST, error_page(problem))
                return
            back, state = params["redirect_uri"], params.get("state", "")
            error = sandbox.authorize_error(params) or ("access_denied" if chosen == "deny" else "")
            if error:
                self.redirect(redirect_with(back, error=error, state=state))
            elif not chosen:
                self.html(HTTPStatus.OK, sign_in_page(sandbox, params))
            else:
                try:
                    code = sandbox.code_issue(params, chosen)
                except OidcError as failure:
                    self.redirect(redirect_with(back, error=failure.error, state=state))
                else:
                    self.redirect(redirect_with(back, code=code, state=state))

        def oauth_error(self, error: Any) -> None:
            self.answer(
                error.status, {"error": error.error, "error_description": error.description}
            )

    Handler.sandbox = sandbox
    return Handler
