"""The outside systems a demo needs, started beside the web app by ``make run``.

The payment gateway, the National Public Service Portal, the civil-status / population /
social-insurance registries and a VNeID-shaped sign-in provider run as real HTTP servers on local ports, in threads of the process
that supervises the web app (``motcua serve --sandboxes``) or alone (``motcua sandboxes``). The
web app, the worker and the scheduler get the settings that point their adapters at them.

A system the operator already configured (its URL set in the environment) is left alone: the
demo never overrides a real gateway or portal. Tokens and secrets are fresh for each run.
"""

from __future__ import annotations

import secrets
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from motcua.integrations.dvcqg.sandbox import PortalSandbox
from motcua.integrations.oidc.sandbox import OidcSandbox
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.integrations.registry.sandbox import RegistrySandbox
from motcua.integrations.sandbox_server import SandboxServer

# Port offsets from ``--sandbox-port`` (README: registries 8026, portal 8027, gateway 8028,
# VNeID 8029).
REGISTRY, PORTAL, GATEWAY, VNEID = "registry", "portal", "payment", "vneid"
OFFSETS = {REGISTRY: 0, PORTAL: 1, GATEWAY: 2, VNEID: 3}
VNEID_CLIENT_ID = "motcua-demo"
CALLBACK_PATH = "/dang-nhap/vneid/ve/"
# The setting whose presence means "a real system is configured: start no sandbox for it".
URL_SETTING = {
    REGISTRY: "MOTCUA_REGISTRY_URL",
    PORTAL: "MOTCUA_DVCQG_URL",
    GATEWAY: "MOTCUA_PAYMENT_URL",
    VNEID: "MOTCUA_VNEID_ISSUER",
}
# A GET every sandbox answers 200 to without credentials: how a launcher knows it is up.
PROBE_PATH = {
    REGISTRY: "/_records", PORTAL: "/_state", GATEWAY: "/_callbacks",
    VNEID: "/.well-known/openid-configuration",
}  # fmt: skip
NAMES = {
    REGISTRY: "CSDL hộ tịch, dân cư, BHXH / civil-status, population, social-insurance registries",
    PORTAL: "Cổng DVCQG / National Public Service Portal",
    GATEWAY: "Cổng thanh toán / payment gateway",
    VNEID: "Định danh VNeID / VNeID sign-in",
}


@dataclass
class Running:
    """The sandboxes started and the settings that point the adapters at them."""

    servers: dict[str, SandboxServer] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def probe_urls(self) -> dict[str, str]:
        return {name: server.url + PROBE_PATH[name] for name, server in self.servers.items()}


def port_for(name: str, base: int) -> int:
    """``base`` + the system's offset; 0 lets the system pick any free port (tests)."""
    return 0 if base == 0 else base + OFFSETS[name]


def callback_urls(environ: Mapping[str, str], web_port: int) -> list[str]:
    """Where the provider may send a citizen back: the demo web app on this machine, under
    either name, and its public address when the operator set one."""
    bases = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    public = environ.get("MOTCUA_PUBLIC_URL", "").strip().rstrip("/")
    return [base + CALLBACK_PATH for base in [*bases, *([public] if public else [])]]


def build(
    name: str, *, host: str, port: int, callbacks: list[str]
) -> tuple[SandboxServer, dict[str, str]]:
    token = secrets.token_urlsafe(16)
    if name == VNEID:
        provider = OidcSandbox(
            client_id=VNEID_CLIENT_ID, client_secret=token, redirect_uris=callbacks,
            host=host, port=port,
        )  # fmt: skip
        return provider, {
            "MOTCUA_VNEID_ISSUER": provider.url,
            "MOTCUA_VNEID_CLIENT_ID": VNEID_CLIENT_ID,
            "MOTCUA_VNEID_CLIENT_SECRET": token,
        }
    if name == GATEWAY:
        secret = secrets.token_urlsafe(24)
        gateway = PaymentSandbox(token=token, secret=secret, host=host, port=port)
        env = {
            "MOTCUA_PAYMENT_URL": gateway.url,
            "MOTCUA_PAYMENT_TOKEN": token,
            "MOTCUA_PAYMENT_SECRET": secret,
        }
        return gateway, env
    if name == PORTAL:
        portal = PortalSandbox(token=token, host=host, port=port)
        return portal, {"MOTCUA_DVCQG_URL": portal.url, "MOTCUA_DVCQG_TOKEN": token}
    registry = RegistrySandbox(token=token, host=host, port=port)
    registry.demo_people_add()  # the people VNeID vouches for: a demo sign-in sees prefill
    return registry, {"MOTCUA_REGISTRY_URL": registry.url, "MOTCUA_REGISTRY_TOKEN": token}


def start(
    environ: Mapping[str, str], *, host: str = "127.0.0.1", base_port: int = 0,
    web_port: int = 8000,
) -> Running:  # fmt: skip
    """Start, in threads, every sandbox whose system ``environ`` does not configure."""
    running = Running()
    callbacks = callback_urls(environ, web_port)
    try:
        for name in OFFSETS:
            if environ.get(URL_SETTING[name], "").strip():
                continue
            port = port_for(name, base_port)
            server, env = build(name, host=host, port=port, callbacks=callbacks)
            running.servers[name] = server.start()
            running.env.update(env)
    except OSError:
        stop(running)  # a port in use: stop what started, the caller says which
        raise
    return running


def stop(running: Running) -> None:
    for server in running.servers.values():
        server.stop()


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a sandbox answers its probe with 200 (local addresses only)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our localhost
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def sandboxes(
    environ: Mapping[str, str], *, host: str = "127.0.0.1", base_port: int = 0,
    web_port: int = 8000,
) -> Iterator[Running]:  # fmt: skip
    running = start(environ, host=host, base_port=base_port, web_port=web_port)
    try:
        yield running
    finally:
        stop(running)
