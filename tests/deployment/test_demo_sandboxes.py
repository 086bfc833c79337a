"""`make run` starts the outside systems a demo needs (payment gateway, national portal,
registries) on local ports, points the web app at them and stops them with it (issue 14, 16)."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.test import override_settings

from motcua.integrations import demo
from motcua.integrations.payment.client import gateway
from motcua.web.management.commands.serve import Command as Serve
from tests.e2e.conftest import server_env

ROOT = Path(__file__).resolve().parents[2]
ALL = {demo.REGISTRY, demo.PORTAL, demo.GATEWAY, demo.VNEID}


def read_until_ready(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        if line.strip() == "ready":
            return lines
        lines.append(line.rstrip("\n"))
    raise AssertionError(f"the launcher stopped before it was ready: {lines}")


def test_make_run_starts_the_sandboxes_with_the_web_app() -> None:
    run = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert run is not None
    assert "motcua serve" in run.group(1)
    assert "--sandboxes" in run.group(1)


def test_the_launcher_serves_every_sandbox_over_http_and_stops_them(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    for setting in demo.URL_SETTING.values():
        env.pop(setting, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "sandboxes", "--port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        lines = read_until_ready(process)
        settings = dict(line.split("=", 1) for line in lines if line.startswith("MOTCUA_"))
        assert {setting: bool(settings.get(setting)) for setting in demo.URL_SETTING.values()} == {
            "MOTCUA_REGISTRY_URL": True, "MOTCUA_DVCQG_URL": True, "MOTCUA_PAYMENT_URL": True,
            "MOTCUA_VNEID_ISSUER": True,
        }  # fmt: skip
        assert settings["MOTCUA_VNEID_CLIENT_SECRET"]
        assert settings["MOTCUA_PAYMENT_SECRET"]
        assert settings["MOTCUA_DVCQG_TOKEN"]
        for name, url_setting in demo.URL_SETTING.items():
            url = settings[url_setting]
            assert url.startswith("http://127.0.0.1:")
            assert demo.answers(url + demo.PROBE_PATH[name]), name
        # The portal speaks its protocol with the printed token.
        request = urllib.request.Request(
            settings["MOTCUA_DVCQG_URL"],
            data=json.dumps({"service": "LayDanhSachTTHC", "madonvi": "x",
                             "session": settings["MOTCUA_DVCQG_TOKEN"]}).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["error_code"] == "00"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "stopped" in output
    for name, url_setting in demo.URL_SETTING.items():
        assert not demo.answers(settings[url_setting] + demo.PROBE_PATH[name], timeout=1), name


def test_serve_points_the_adapters_at_the_sandboxes_and_stops_them() -> None:
    serve = Serve()
    running = serve.start_sandboxes(0, 8123)
    try:
        assert set(running.servers) == ALL
        assert all(demo.answers(url) for url in running.probe_urls().values())
        env = running.env
        # What the web app and the worker get: the payment adapter reaches the gateway with them.
        with override_settings(**env):
            client = gateway()
            assert client is not None
            created = client.create(
                order_id="DEMO-1", amount_vnd=10_000, description="thử", return_url="",
                callback_url="http://127.0.0.1:9/thanh-toan/thong-bao/",
            )  # fmt: skip
            assert client.query("DEMO-1").payment_id == created.payment_id
        assert len(serve.sandbox_lines) == 4
        # VNeID sends citizens back to the demo web app's own port, under either name.
        provider = running.servers[demo.VNEID]
        assert "http://localhost:8123/dang-nhap/vneid/ve/" in provider.redirect_uris  # type: ignore[attr-defined]
        assert "http://127.0.0.1:8123/dang-nhap/vneid/ve/" in provider.redirect_uris  # type: ignore[attr-defined]
        assert env["MOTCUA_VNEID_ISSUER"] == provider.url
    finally:
        demo.stop(running)
    assert not any(demo.answers(url, timeout=1) for url in running.probe_urls().values())


def test_a_configured_system_gets_no_sandbox() -> None:
    configured = {"MOTCUA_PAYMENT_URL": "https://gateway.invalid/", "MOTCUA_DVCQG_URL": " "}
    with demo.sandboxes(configured) as running:
        assert set(running.servers) == {demo.REGISTRY, demo.PORTAL, demo.VNEID}
        assert "MOTCUA_PAYMENT_URL" not in running.env


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match="--sandbox-port"):
            Serve().start_sandboxes(port, 8000)
