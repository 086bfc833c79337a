"""An action refused to an officer is told through the API in both languages, for the reason it
was refused (the same sentence as the officer's page)."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.constants import ApiTokenScope
from motcua.accounts.models import User
from motcua.accounts.tokens import api_token_issue
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from tests.dossiers.conftest import Staff, submitted

pytestmark = pytest.mark.django_db


def refused(dossier: Dossier, action: str, officer: User) -> dict[str, str]:
    _token, secret = api_token_issue(
        actor=None, owner=officer, name="tích hợp", scope=ApiTokenScope.ACT
    )
    answer = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/{action}",
        {"version": dossier.version, "reason": "Thiếu giấy tờ", "items": ["Giấy tờ chỗ ở"]},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    assert answer.status_code == 403, answer.content
    return answer.json()


def test_a_supplement_before_reception_is_refused_with_its_reason_in_both_languages() -> None:
    staff = Staff()
    dossier = submitted(staff)
    body = refused(dossier, "request_supplement", staff.specialist)
    assert "chưa được tiếp nhận: bộ phận một cửa kiểm tra hồ sơ trước" in body["message"]
    assert "has not been received yet: the one-stop counter checks it first" in body["message_en"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NEW


def test_a_missing_permission_is_named_in_both_languages() -> None:
    staff = Staff()
    dossier = submitted(staff)
    body = refused(dossier, "receive", staff.specialist)  # reads it, does not receive
    assert "cần quyền “Tiếp nhận hồ sơ”" in body["message"]
    assert "requires the “Receive dossiers” permission" in body["message_en"]
