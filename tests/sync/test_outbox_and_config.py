"""The outbox's cost and switch, the portal's formats, and a bad configuration said clearly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from motcua.integrations.dvcqg.client import PortalClient, PortalError, portal
from motcua.integrations.dvcqg.sandbox import PortalSandbox, record_problems
from motcua.sync.checks import portal_settings_check
from motcua.sync.delivery import dossier_deliver
from motcua.sync.models import DossierSync, SyncState
from tests import factories
from tests.dossiers.conftest import Staff, received

from .conftest import TOKEN, expected, lived

pytestmark = pytest.mark.django_db


def test_sync_off_enqueues_nothing(staff: Staff, settings: Any) -> None:
    settings.MOTCUA_DVCQG_URL = ""
    lived(staff, ["forward"])
    assert not DossierSync.objects.exists()


def test_sync_on_marks_the_dossier_at_each_change(staff: Staff, settings: Any) -> None:
    """(One mark for the two events of a counter dossier's single transaction: see
    tests/test_hot_paths.py; here submission and reception are two transactions.)"""
    settings.MOTCUA_DVCQG_URL = "http://127.0.0.1:9"
    dossier = received(staff)
    row = DossierSync.objects.get()
    assert (row.pk, row.enqueued_seq, row.state) == (dossier.pk, 2, SyncState.PENDING)
    lived_dossier = lived(staff, ["forward"])
    assert DossierSync.objects.get(pk=lived_dossier.pk).enqueued_seq == 3


def test_our_records_pass_the_portals_format_checks(staff: Staff, settings: Any) -> None:
    settings.MOTCUA_DVCQG_URL = "http://127.0.0.1:9"
    dossier = lived(staff, ["supplement", "resupply", "forward", "payment", "pay", "approve"])
    for record in expected(dossier):
        assert record_problems(record) == [], record


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"NgayHenTra": "2026-03-02"}, "NgayHenTra"),
        ({"NgayTiepNhan": "20261302090000"}, "NgayTiepNhan"),
        ({"TrangThaiHoSo": 11}, "TrangThaiHoSo"),
        ({"TrangThaiHoSo": "2"}, "TrangThaiHoSo"),
        ({"KenhThucHien": 4}, "KenhThucHien"),
        ({"MaTTHC": "TT-01"}, "MaTTHC"),
        ({"MaHoSo": ""}, "MaHoSo"),
    ],
)
def test_the_sandbox_refuses_bad_formats(change: dict[str, Any], problem: str) -> None:
    good = {
        "MaHoSo": "000.00.01.H26-260302-0001", "MaTTHC": "1.004222", "ChuHoSo": "Lê Văn Cường",
        "TrangThaiHoSo": 2, "KenhThucHien": 1, "NgayTiepNhan": "20260302090000",
        "NgayHenTra": "20260305170000", "NgayTra": "", "NgayKetThucXuLy": "",
    }  # fmt: skip
    assert record_problems(good) == []
    assert any(problem in text for text in record_problems({**good, **change}))


def test_the_sandbox_answers_with_error_codes_the_client_raises() -> None:
    sandbox = PortalSandbox(token=TOKEN).start()
    try:
        wrong = PortalClient(url=sandbox.url, token="wrong")
        with pytest.raises(PortalError) as refused:
            wrong.lookup("unit", "X")
        assert refused.value.code == "401"
        client = PortalClient(url=sandbox.url, token=TOKEN)
        assert client.lookup("unit", "X") is None
        with pytest.raises(PortalError, match="error_code 05"):
            client.dossier_sync("unit", [{"MaHoSo": "X", "MaTTHC": "1.004222", "ChuHoSo": "A",
                                          "TrangThaiHoSo": 1, "KenhThucHien": 1}], updating=True)  # fmt: skip
    finally:
        sandbox.stop()


@pytest.mark.parametrize(
    ("url", "token", "says"),
    [("ftp://portal", "t", "http(s)"), ("http://portal", "", "MOTCUA_DVCQG_TOKEN")],
)
def test_a_bad_configuration_is_said_clearly(
    settings: Any, url: str, token: str, says: str, staff: Staff
) -> None:
    settings.MOTCUA_DVCQG_URL, settings.MOTCUA_DVCQG_TOKEN = url, token
    errors = portal_settings_check()
    assert len(errors) == 1
    assert says in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        portal()
    with pytest.raises(CommandError, match="MOTCUA_DVCQG"):
        call_command("sync", "reconcile", "--from", "2026-03-01", "--to", "2026-03-31")
    dossier = received(staff)  # the action itself never fails for it…
    assert dossier_deliver(dossier.pk) == "retry"  # …the delivery records why and retries
    assert "MOTCUA_DVCQG" in DossierSync.objects.get(pk=dossier.pk).last_error


def test_sync_off_is_no_error(settings: Any) -> None:
    settings.MOTCUA_DVCQG_URL = ""
    assert portal_settings_check() == []
    with pytest.raises(CommandError, match="sync is off"):
        call_command("sync", "deliver")


def test_status_counts_by_unit(staff: Staff, settings: Any, capsys: Any) -> None:
    settings.MOTCUA_DVCQG_URL = "http://127.0.0.1:9"
    received(staff)
    call_command("sync", "status")
    out = capsys.readouterr().out
    assert "hn-cong-an-phuong-hoan-kiem" in out
    assert out.strip().splitlines()[-1].split() == ["total", "1", "0", "0", "0"]


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_officers_see_their_units_failures_with_the_reason(staff: Staff, settings: Any) -> None:
    settings.MOTCUA_DVCQG_URL = "http://127.0.0.1:9"
    settings.MOTCUA_DVCQG_TOKEN = TOKEN
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 1
    dossier = received(staff)
    assert dossier_deliver(dossier.pk) == "dead"  # nothing listens on port 9
    page = signed_in(staff.reception).get("/dong-bo-dvcqg/?state=dead")
    assert page.status_code == 200
    text = page.content.decode()
    assert dossier.code in text
    assert "unreachable" in text
    assert dossier.code not in signed_in(staff.outsider).get("/dong-bo-dvcqg/").content.decode()
    assert signed_in(factories.citizen()).get("/dong-bo-dvcqg/").status_code == 403
    assert Client().get("/dong-bo-dvcqg/").status_code == 302


def test_an_administrator_sends_a_set_aside_dossier_again(staff: Staff, settings: Any) -> None:
    from django.contrib.admin.models import LogEntry

    settings.MOTCUA_DVCQG_URL, settings.MOTCUA_DVCQG_TOKEN = "http://127.0.0.1:9", TOKEN
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 1
    dossier = received(staff)
    dossier_deliver(dossier.pk)
    from motcua.accounts.models import User

    client = signed_in(User.objects.create_superuser("quantri", "qt@example.com", "Mat-khau-9"))
    listing = client.get("/quan-tri/sync/dossiersync/?state=dead")
    assert listing.status_code == 200
    assert dossier.code in listing.content.decode()
    client.post(
        "/quan-tri/sync/dossiersync/",
        {"action": "send_again_action", "_selected_action": [dossier.pk]},
    )
    row = DossierSync.objects.get(pk=dossier.pk)
    assert (row.state, row.attempts) == (SyncState.PENDING, 0)
    assert LogEntry.objects.filter(object_id=str(dossier.pk)).exists()
