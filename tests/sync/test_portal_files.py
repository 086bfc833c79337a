"""A dossier submitted on the National Public Service Portal arrives at Phường Hoàn Kiếm once,
however many times it is posted, and its files are fetched from the portal (the sandbox, a real
HTTP server) by the worker, checked against their SHA-256 and attached once (issue 16)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from motcua.accounts.constants import ApiTokenScope
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.tokens import api_token_issue
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg.client import PortalReplyTooLarge
from motcua.integrations.dvcqg.client import portal as portal_client
from motcua.integrations.dvcqg.sandbox import PortalSandbox
from motcua.sync.files import portal_files_task
from tests import factories
from tests.files import tiny_pdf

WARD = "hn-phuong-hoan-kiem"
TASK = "motcua.sync.files.portal_files_task"
PDF = tiny_pdf()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def secret(db: None, settings: Any, tmp_path: Path) -> str:
    settings.MEDIA_ROOT = tmp_path
    reception = factories.officer(WARD, Role.RECEPTION)
    _token, value = api_token_issue(
        actor=None, owner=reception, name="Cổng DVCQG", scope=ApiTokenScope.ACT
    )
    return value


def post(secret: str, body: dict[str, Any], key: str = "G22.36-260302-0001") -> Any:
    return Client().post(
        "/api/v1/dossiers", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IDEMPOTENCY_KEY=key,
    )  # fmt: skip


def body_with(files: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "unit": WARD, "procedure": "1.004222", "channel": "portal",
        "applicant": {"name": "Phạm Thị Dung", "id_number": "001090054321"},
        "files": [{**entry, "name": f"Giấy tờ {n}"} for n, entry in enumerate(files, 1)],
    }  # fmt: skip


def work() -> int:
    """The worker: every queued fetch, oldest first (retries are enqueued as new rows)."""
    ran = 0
    while rows := list(DBTaskResult.objects.filter(task_path=TASK, status="READY").order_by("pk")):
        for row in rows:
            portal_files_task.call(**row.args_kwargs["kwargs"])
            row.delete()
            ran += 1
    return ran


def test_a_portal_dossier_arrives_once_with_its_files_fetched_once(
    secret: str, portal: PortalSandbox, settings: Any
) -> None:
    files = [portal.state.file_add("don.pdf", PDF), portal.state.file_add("cccd.png", png())]
    portal.scripted(["fail", "lose"])  # the portal fails twice: the fetch is tried again
    first = post(secret, body_with(files))
    second = post(secret, body_with(files))  # the portal posts it again
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["ref"] == second.json()["ref"]
    dossier = Dossier.objects.get(ref=first.json()["ref"])
    assert dossier.channel == "national_portal"
    assert dossier.status == "new"  # in the ward's "to receive" list
    assert work() >= 3  # two posts and at least one retry
    held = sorted(dossier.documents.values_list("sha256", flat=True))
    assert held == sorted(entry["sha256"] for entry in files)
    stored = dossier.documents.get(sha256=files[0]["sha256"])
    with stored.file.open("rb") as content:
        assert hashlib.sha256(content.read()).hexdigest() == files[0]["sha256"]
    assert stored.name == "Giấy tờ 1"
    post(secret, body_with(files))
    work()
    assert dossier.documents.count() == 2  # never twice


def test_a_file_whose_hash_differs_is_not_attached(
    secret: str, portal: PortalSandbox, settings: Any
) -> None:
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 2
    entry = portal.state.file_add("don.pdf", PDF)
    forged = {**entry, "sha256": hashlib.sha256(b"something else").hexdigest()}
    response = post(secret, body_with([forged]))
    work()
    assert not Dossier.objects.get(ref=response.json()["ref"]).documents.exists()


def test_files_are_refused_on_other_channels(secret: str, portal: PortalSandbox) -> None:
    entry = portal.state.file_add("don.pdf", PDF)
    response = post(secret, {**body_with([entry]), "channel": "online"})
    assert response.status_code == 422
    assert "channel portal" in response.json()["message_en"]


def test_a_file_larger_than_the_upload_limit_is_cut_off_and_not_asked_for_again(
    secret: str, portal: PortalSandbox, settings: Any
) -> None:
    settings.MOTCUA_MAX_UPLOAD_MB = 1
    small = portal.state.file_add("don.pdf", PDF)
    huge = portal.state.file_add("quet.pdf", PDF + b"0" * (2 * 1024 * 1024))
    response = post(secret, body_with([huge, small]))
    assert work() == 1  # one run: the oversized reply is skipped, not retried
    held = list(
        Dossier.objects.get(ref=response.json()["ref"]).documents.values_list("sha256", flat=True)
    )
    assert held == [small["sha256"]]
    with pytest.raises(PortalReplyTooLarge, match="limit"):  # cut off, not read whole
        portal_client().attachment("000.00.00.H26", huge["id"])
