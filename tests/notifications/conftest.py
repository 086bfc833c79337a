from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.organizations.models import Unit
from tests.dossiers.conftest import POLICE, Staff, at, residence

TOKEN = "sandbox-test-token"


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


@pytest.fixture
def sandbox() -> Iterator[SmsSandbox]:
    """A real SMS provider on a free loopback port, for one test."""
    server = SmsSandbox(token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def sms_to_sandbox(settings: Any, sandbox: SmsSandbox) -> None:
    settings.MOTCUA_SMS_BACKEND = "http"
    settings.MOTCUA_SMS_URL = sandbox.url
    settings.MOTCUA_SMS_TOKEN = TOKEN
    settings.MOTCUA_SMS_TIMEOUT = 5
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.vn"
    # The fixtures' dossiers live in March 2026: not "history" for these tests.
    settings.MOTCUA_NOTIFY_MAX_AGE_HOURS = 0


def run_worker(*, in_test_transaction: bool = True) -> None:
    """Run the queued tasks as `motcua db_worker --batch` does.

    Inside a test's transaction the worker must not close the connection between tasks (on
    PostgreSQL that would end the transaction); Django's test client skips that step for
    requests in the same way. A transactional test runs the worker untouched.
    """
    options = {
        "queue_name": "*",
        "batch": True,
        "reload": False,
        "startup_delay": False,
        "verbosity": 0,
    }
    if not in_test_transaction:
        call_command("db_worker", **options)
        return
    with mock.patch(f"{db_worker.__name__}.close_old_connections"):
        call_command("db_worker", **options)


def submitted_with_contacts(
    staff: Staff, when: str = "2026-03-02 09:00", *, phone: str = "0912345678",
    email: str = "cuong@example.com",
) -> Dossier:  # fmt: skip
    return dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=Applicant("Lê Văn Cường", "001090012345", phone=phone, email=email),
        channel="counter", at=at(when), actor=staff.reception,
    )  # fmt: skip


def received_with_contacts(
    staff: Staff, when: str = "2026-03-02 09:00", **contacts: str
) -> Dossier:
    dossier = submitted_with_contacts(staff, when, **contacts)
    return dossier_receive(dossier=dossier, actor=staff.reception, at=at(when))
