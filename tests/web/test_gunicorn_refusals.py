"""A request gunicorn cannot read because a part is too long is answered in our words, in
Vietnamese then English, with the status that says why (found by a Chromium pass, session 32:
gunicorn's own English HTML page, under /api/ too); a URL up to 8,190 bytes reaches Django."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua.web.management.commands.serve import GUNICORN_CONFIG
from tests.e2e.conftest import free_port


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The application's gunicorn, as ``motcua serve`` starts it; no database is needed, the
    refusals come before Django and /healthz does not read one."""
    chosen = free_port()
    env = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path_factory.mktemp("var"))}
    # Its own home, to see whether it opens gunicorn's per-user control socket there.
    env["HOME"] = str(tmp_path_factory.mktemp("home"))
    env.pop("XDG_RUNTIME_DIR", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "motcua.wsgi:application",
         "--bind", f"127.0.0.1:{chosen}", "--workers", "1", "--log-level", "warning"],
        env=env, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    try:
        wait_listening(chosen, server)
        HOMES[chosen] = Path(env["HOME"])
        yield chosen
    finally:
        server.terminate()
        server.wait(timeout=30)


HOMES: dict[int, Path] = {}


def test_no_control_socket_is_shared_between_two_gunicorns_of_one_host(port: int) -> None:
    """gunicorn's default control socket is one path per user: two servers took each other's."""
    assert not (HOMES[port] / ".gunicorn").exists()


def wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped while starting"
        if ask(port, "/healthz", {}).startswith("HTTP/1.1 200"):
            return
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


def ask(port: int, target: str, headers: dict[str, str]) -> str:
    lines = [f"GET {target} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
    except OSError:
        return ""
    return answer.decode("utf-8", "replace")


@pytest.mark.parametrize("where", ["/api/v1/procedures", "/tra-cuu/"])
def test_an_over_long_url_is_refused_in_both_languages(port: int, where: str) -> None:
    answer = ask(port, f"{where}?q={'a' * 9_000}", {})
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 414 ")
    assert "Content-Type: text/plain; charset=utf-8" in head
    assert "Địa chỉ (URL) quá dài" in body
    assert "The address (URL) is too long" in body
    assert "<html" not in body


def test_a_url_of_six_thousand_bytes_reaches_the_application(port: int) -> None:
    answer = ask(port, f"/healthz?q={'a' * 6_000}", {})
    assert answer.startswith("HTTP/1.1 200 ")
    assert '"status": "ok"' in answer


def test_over_large_headers_are_refused_in_both_languages(port: int) -> None:
    answer = ask(port, "/healthz", {"Cookie": "x=" + "b" * 9_000})
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 431 ")
    assert "quá lớn" in body
    assert "too large" in body
