"""`motcua serve --port N` (and `PORT=N make run`): the web app and the worker print the address
served on issued PDFs (receipts' lookup link, QR codes), not the default port 8000."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from motcua.web.management.commands.serve import Command


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(Command, "prepare", lambda self, **kwargs: None)

    def run_processes(self: Command, host: str, port: int, workers: int, env: Any = None) -> None:
        seen["env"] = env

    monkeypatch.setattr(Command, "run_processes", run_processes)
    return seen


def test_the_processes_print_the_port_served(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTCUA_PUBLIC_URL", raising=False)
    call_command("serve", "--port", "8123")
    assert started["env"]["MOTCUA_PUBLIC_URL"] == "http://localhost:8123"


def test_an_address_set_by_the_operator_is_kept(
    started: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_PUBLIC_URL", "https://motcua.example")
    call_command("serve", "--port", "8123")
    assert started["env"]["MOTCUA_PUBLIC_URL"] == "https://motcua.example"
