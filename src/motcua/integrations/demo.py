"""The outside systems a demo needs, started beside the web app by ``make run``.

The payment gateway, the National Public Service Portal and the civil-status / population /
social-insurance registries run as real HTTP servers on local ports, in threads of the process
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
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.integrations.registry.sandbox import RegistrySandbox
from motcua.integrations.sandbox_server import SandboxServer

# Port offsets from ``--sandbox-port`` (README: registries 8026, portal 8027, gateway 8028).
REGISTRY, PORTAL, GATEWAY = "registry", "portal", "payment"
OFFSETS = {REGISTRY: 0, PORTAL: 1, GATEWAY: 2}
# The setting whose presence means "a real system is configured: start no sandbox for it".
URL_SETTING = {
    REGISTRY: "MOTCUA_REGISTRY_URL",
    PORTAL: "MOTCUA_DVCQG_URL",
    GATEWAY: "MOTCUA_PAYMENT_URL",
}
# A GET every sandbox answers 200 to without credentials: how a launcher knows it is up.
PROBE_PATH = {REGISTRY: "/_records", PORTAL: "/_state", GATEWAY: "/_callbacks"}
NAMES = {
    REGISTRY: "CSDL hộ tịch, dân cư, BHXH / civil-status, population, social-insurance registries",
    PORTAL: "Cổng DVCQG / National Public Service Portal",
    GATEWAY: "Cổng thanh toán / payment gateway",
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


def build(name: str, *, host: str, port: int) -> tuple[SandboxServer, dict[str, str]]:
    token = secrets.token_urlsafe(16)
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
    return registry, {"MOTCUA_REGISTRY_URL": registry.url, "MOTCUA_REGISTRY_TOKEN": token}


def start(environ: Mapping[str, str], *, host: str = "127.0.0.1", base_port: int = 0) -> Running:
    """Start, in threads, every sandbox whose system ``environ`` does not configure."""
    running = Running()
    try:
        for name in OFFSETS:
            if environ.get(URL_SETTING[name], "").strip():
                continue
            server, env = build(name, host=host, port=port_for(name, base_port))
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
    environ: Mapping[str, str], *, host: str = "127.0.0.1", base_port: int = 0
) -> Iterator[Running]:
    running = start(environ, host=host, base_port=base_port)
    try:
        yield running
    finally:
        stop(running)
