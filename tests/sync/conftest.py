from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg.sandbox import PortalSandbox
from motcua.sync.delivery import deliver_due, portal_history, portal_steps
from motcua.sync.models import DossierSync
from tests.dossiers.conftest import Staff, at, received

TOKEN = "sandbox-session"
HOUR = datetime.timedelta(hours=1)

# Histories after reception, step by step (each an hour after the one before).
HISTORIES: dict[str, list[str]] = {
    "plain": ["forward", "approve", "return"],
    "supplement": ["supplement", "resupply", "forward", "approve", "return"],
    "fee": ["forward", "payment", "pay", "approve", "return"],
    "withdrawn": ["withdraw"],
}


def step(name: str, dossier: Dossier, staff: Staff, when: datetime.datetime) -> Dossier:
    actions: dict[str, Callable[[], Dossier]] = {
        "forward": lambda: s.dossier_forward(dossier=dossier, actor=staff.specialist, at=when),
        "approve": lambda: s.dossier_approve(
            dossier=dossier, actor=staff.leader, at=when, note="Đủ điều kiện"
        ),
        "return": lambda: s.dossier_return_result(dossier=dossier, actor=staff.reception, at=when),
        "supplement": lambda: s.dossier_request_supplement(
            dossier=dossier, actor=staff.specialist, at=when, reason="Thiếu bản sao CCCD"
        ),
        "resupply": lambda: s.dossier_submit_supplement(
            dossier=dossier, actor=staff.reception, at=when
        ),
        "payment": lambda: s.dossier_request_payment(
            dossier=dossier, actor=staff.specialist, at=when, amount_vnd=20000
        ),
        "pay": lambda: s.dossier_pay(
            dossier=dossier, actor=staff.reception, at=when, amount_vnd=20000
        ),
        "withdraw": lambda: s.dossier_withdraw(dossier=dossier, actor=staff.reception, at=when),
    }
    return actions[name]()


def lived(staff: Staff, history: list[str], when: str = "2026-03-02 09:00") -> Dossier:
    dossier = received(staff, when)
    moment = at(when)
    for name in history:
        moment += HOUR
        dossier = step(name, dossier, staff, moment)
    return dossier


@pytest.fixture
def portal(settings: Any) -> Iterator[PortalSandbox]:
    sandbox = PortalSandbox(token=TOKEN).start()
    settings.MOTCUA_DVCQG_URL = sandbox.url
    settings.MOTCUA_DVCQG_TOKEN = TOKEN
    settings.MOTCUA_DVCQG_TIMEOUT = 2.0
    settings.MOTCUA_DVCQG_BACKOFF_SECONDS = 0.0  # due again at once: the drain needs no clock
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 60
    try:
        yield sandbox
    finally:
        sandbox.stop()


def drain(rounds: int = 400) -> None:
    """Run the worker's sweep until nothing is due."""
    for _ in range(rounds):
        if not deliver_due():
            return
    raise AssertionError("the outbox did not drain")


def expected(dossier: Dossier) -> list[dict[str, Any]]:
    """Our records after each event that changed one: what the portal must have, in order."""
    row = DossierSync.objects.get(pk=dossier.pk)
    history, _last = portal_history(dossier, row.portal_code or dossier.code or dossier.ref)
    return [record for _seq, record in history]


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


def expected_progress(dossier: Dossier) -> list[dict[str, Any]]:
    """A progress line per event, in order."""
    row = DossierSync.objects.get(pk=dossier.pk)
    steps, _last = portal_steps(dossier, row.portal_code or dossier.code or dossier.ref)
    return [step.progress for step in steps]
