"""The SMS client against the sandbox provider, a real HTTP server on a free port."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.integrations.notify.sms import (
    FileSmsGateway,
    HttpSmsGateway,
    SmsDeliveryError,
    sms_gateway,
)

from .conftest import TOKEN


def gateway(sandbox: SmsSandbox, token: str = TOKEN) -> HttpSmsGateway:
    return HttpSmsGateway(url=sandbox.url, token=token, timeout=5)


def test_a_message_is_accepted_with_the_providers_id(sandbox: SmsSandbox) -> None:
    message_id = gateway(sandbox).send(to="0912345678", text="Ho so da tiep nhan", key="k1")
    assert message_id
    assert sandbox.received() == [
        {
            "to": "0912345678",
            "text": "Ho so da tiep nhan",
            "idempotency_key": "k1",
            "id": message_id,
        }
    ]


def test_the_same_key_is_delivered_once(sandbox: SmsSandbox) -> None:
    first = gateway(sandbox).send(to="0912345678", text="A", key="same")
    again = gateway(sandbox).send(to="0912345678", text="A", key="same")
    assert first == again
    assert len(sandbox.received()) == 1


def test_a_wrong_token_is_refused_clearly_and_may_be_retried(sandbox: SmsSandbox) -> None:
    with pytest.raises(SmsDeliveryError, match="refused the token: HTTP 401") as caught:
        gateway(sandbox, token="wrong").send(to="0912345678", text="A", key="k")
    assert (caught.value.status, caught.value.permanent) == (401, False)
    assert sandbox.received() == []


def test_a_number_that_is_not_vietnamese_is_refused_for_good(sandbox: SmsSandbox) -> None:
    with pytest.raises(SmsDeliveryError, match="HTTP 422 — 'to' must be") as caught:
        gateway(sandbox).send(to="+1555010203", text="A", key="k")
    assert caught.value.permanent


def test_an_outage_answers_503_then_recovers(sandbox: SmsSandbox) -> None:
    sandbox.fail_next(1)
    with pytest.raises(SmsDeliveryError, match="HTTP 503") as caught:
        gateway(sandbox).send(to="0912345678", text="A", key="k")
    assert not caught.value.permanent
    assert gateway(sandbox).send(to="0912345678", text="A", key="k")


def test_an_unreachable_provider_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    client = HttpSmsGateway(url=f"http://127.0.0.1:{port}", token=TOKEN, timeout=2)
    with pytest.raises(SmsDeliveryError, match="unreachable"):
        client.send(to="0912345678", text="A", key="k")


def test_the_sandbox_lists_messages_and_takes_failure_orders_over_http(sandbox: SmsSandbox) -> None:
    import urllib.request

    order = urllib.request.Request(
        f"{sandbox.url}/_fail", data=json.dumps({"count": 2}).encode(), method="POST"
    )
    with urllib.request.urlopen(order, timeout=5) as response:
        assert json.loads(response.read()) == {"failing": 2}
    for _ in range(2):
        with pytest.raises(SmsDeliveryError, match="503"):
            gateway(sandbox).send(to="0912345678", text="A", key="k")
    gateway(sandbox).send(to="0912345678", text="A", key="k")
    with urllib.request.urlopen(f"{sandbox.url}/messages", timeout=5) as response:
        assert [m["idempotency_key"] for m in json.loads(response.read())] == ["k"]


def test_the_file_gateway_writes_one_file_per_message(tmp_path: Path) -> None:
    files = FileSmsGateway(folder=tmp_path)
    first = files.send(to="0912345678", text="Xin chao", key="HS1-2-sms")
    assert files.send(to="0912345678", text="Xin chao", key="HS1-2-sms") == first
    [written] = tmp_path.iterdir()
    assert json.loads(written.read_text())["text"] == "Xin chao"


def test_settings_choose_the_gateway(settings: Any, tmp_path: Path) -> None:
    settings.MOTCUA_SMS_BACKEND = "file"
    settings.MOTCUA_SMS_DIR = tmp_path
    assert isinstance(sms_gateway(), FileSmsGateway)
    settings.MOTCUA_SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured):
        sms_gateway()
