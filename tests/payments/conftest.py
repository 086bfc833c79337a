"""A real sandbox gateway on a local port, and an online dossier of 1.004222 waiting for its fee
(10.000 đ online) at the ward police of Hoàn Kiếm."""

from __future__ import annotations

import http.client
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.integrations.payment.sandbox import PaymentSandbox
from motcua.organizations.models import Unit
from motcua.payments.models import Payment
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, residence

TOKEN, SECRET = "merchant-token", "shared-secret"
# Nobody listens there: the sandbox's callback fails at once and is kept, and the tests deliver
# its exact bytes to our callback view (the browser journey has it arrive over HTTP).
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def sandbox(settings: Any) -> Iterator[PaymentSandbox]:
    server = PaymentSandbox(token=TOKEN, secret=SECRET).start()
    settings.MOTCUA_PAYMENT_URL = server.url
    settings.MOTCUA_PAYMENT_TOKEN = TOKEN
    settings.MOTCUA_PAYMENT_SECRET = SECRET
    settings.MOTCUA_PAYMENT_BASE_URL = NOWHERE
    settings.MOTCUA_PAYMENT_TIMEOUT = 2.0
    settings.MOTCUA_PAYMENT_ATTEMPTS = 3
    yield server
    server.stop()


class World:
    def __init__(self) -> None:
        self.staff = Staff()
        self.citizen = factories.citizen(id_number="001090054321", phone="0912000111")
        self.stranger = factories.citizen(id_number="001090077777", phone="0912000333")


@pytest.fixture
def world(db: None) -> World:
    return World()


def online_dossier(world: World, *, owner: User | None = None) -> Dossier:
    """Submitted online by the citizen, received, assigned: processing."""
    staff = world.staff
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="online",
        at=at("2026-03-02 09:00"), actor=owner or world.citizen, owner=owner or world.citizen,
    )  # fmt: skip
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:30"))
    return s.dossier_assign(
        dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"), assignee=staff.specialist
    )


def awaiting(world: World, amount: int = 10_000) -> Dossier:
    """The specialist asks for the fee (national status 6, "nghĩa vụ tài chính")."""
    dossier = s.dossier_request_payment(
        dossier=online_dossier(world), actor=world.staff.specialist, at=at("2026-03-02 11:00"),
        amount_vnd=amount, reason="Lệ phí đăng ký cư trú",
    )  # fmt: skip
    assert dossier.status == "awaiting_payment"
    return dossier


def payer_chooses(sandbox: PaymentSandbox, payment: Payment, *, approve: bool) -> None:
    """What the payer's browser does on the gateway's page (the redirect back is not followed)."""
    parts = urllib.parse.urlsplit(payment.pay_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    body = urllib.parse.urlencode({"decision": "approve" if approve else "decline"})
    connection.request(
        "POST", parts.path, body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 303


def callbacks(sandbox: PaymentSandbox) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{sandbox.url}/_callbacks", timeout=5) as response:
        found: list[dict[str, Any]] = json.loads(response.read())
    return found
