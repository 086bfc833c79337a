"""The dossier API: token or session, scoped to the caller's units, versions and clear errors."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import ApiToken
from motcua.common.clock import now
from motcua.dossiers.models import Dossier

from .conftest import POLICE, Staff, received, submitted

pytestmark = pytest.mark.django_db


def bearer(user: object) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')}"}  # type: ignore[arg-type]


def test_anonymous_calls_are_refused() -> None:
    assert Client().get("/api/v1/dossiers").status_code == 401


def test_a_revoked_or_unknown_token_is_refused(staff: Staff) -> None:
    assert Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_list_and_get_with_history(staff: Staff) -> None:
    dossier = received(staff)
    headers = bearer(staff.reception)
    listing = Client().get("/api/v1/dossiers", {"tab": "all"}, **headers).json()
    assert listing["items"][0]["ref"] == dossier.ref
    assert listing["counts"]["all"] == 1
    detail = Client().get(f"/api/v1/dossiers/{dossier.code}", **headers).json()
    assert [e["action"] for e in detail["events"]] == ["submit", "receive"]
    assert detail["national_status"] == 2


def test_perform_an_action_with_the_version_read(staff: Staff) -> None:
    dossier = submitted(staff)
    headers = bearer(staff.reception)
    done = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/receive",
        {"version": dossier.version},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200
    assert done.json()["code"]
    stale = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/withdraw",
        {"version": dossier.version},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409
    assert stale.json()["message_en"]


def test_rule_and_permission_refusals(staff: Staff) -> None:
    dossier = received(staff)
    refused = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/reject",
        {"version": dossier.version, "reason": "x"},
        content_type="application/json",
        **bearer(staff.reception),
    )
    assert refused.status_code == 403
    no_reason = Client().post(
        f"/api/v1/dossiers/{dossier.ref}/actions/reject",
        {"version": dossier.version},
        content_type="application/json",
        **bearer(staff.leader),
    )
    assert no_reason.status_code == 422
    assert "lý do" in no_reason.json()["message"]


def test_other_units_dossiers_are_invisible(staff: Staff) -> None:
    dossier = received(staff)
    assert (
        Client().get(f"/api/v1/dossiers/{dossier.ref}", **bearer(staff.outsider)).status_code == 404
    )
    assert (
        Client().get("/api/v1/dossiers", {"tab": "all"}, **bearer(staff.outsider)).json()["items"]
        == []
    )


def test_a_citizen_token_cannot_use_the_officer_api(staff: Staff) -> None:
    from tests import factories

    # No token is issued to a citizen (tests/api/test_token_scopes.py); one written directly,
    # as if its officer had lost every role, still reaches nothing.
    ApiToken.objects.create(
        user=factories.citizen(), name="t", token_hash=ApiToken.digest("mc_citizen"),
        expires_at=now() + datetime.timedelta(days=1),
    )  # fmt: skip
    response = Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer mc_citizen")
    assert response.status_code == 403


def test_session_authentication_works_for_officers(staff: Staff) -> None:
    received(staff)
    client = Client()
    client.force_login(staff.reception)
    assert client.get("/api/v1/dossiers", {"tab": "all"}).status_code == 200


@pytest.mark.parametrize("channel", ["counter", "online"])
def test_a_creation_answers_what_a_read_of_the_dossier_gives(staff: Staff, channel: str) -> None:
    """The creation builds its answer from the rows it wrote (no read back): it must be the
    dossier exactly as a read of it gives it, history and issued receipt included."""
    headers = bearer(staff.reception)
    body = {
        "unit": POLICE, "procedure": "1.004222", "channel": channel,
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345", "phone": "0912345678"},
    }  # fmt: skip
    made = Client().post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )  # fmt: skip
    assert made.status_code == 201, made.content
    created = made.json()
    assert len(created["events"]) == (2 if channel == "counter" else 1)
    assert len(created["documents"]) == (1 if channel == "counter" else 0)
    dossier = Dossier.objects.get(ref=created["ref"])
    assert not dossier.accesses.exists()  # the officer wrote what the answer shows
    read = Client().get(f"/api/v1/dossiers/{created['ref']}", **headers)
    assert read.status_code == 200
    assert created == read.json()
    again = Client().post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers
    )  # fmt: skip
    assert again.status_code == 200
    assert again.json() == created


@pytest.mark.parametrize(
    "change",
    [
        {"applicant": {"name": "Trần Thị Mai", "id_number": "001090099999"}},
        {"applicant": {"name": "Lê Văn Cường", "id_number": "001090054321"}},
        {"applicant": {"name": "LÊ VĂN CƯỜNG", "id_number": "001090012345"}},
        {"applicant": {"name": "Lê Văn Cường", "id_number": "001090012345", "phone": "0912345678"}},
        {"checklist": ["Tờ khai CT01"]},
        {"channel": "post"},
    ],
)
def test_a_key_sent_again_with_another_dossier_is_refused_not_answered_with_the_first(
    staff: Staff, change: dict[str, Any]
) -> None:
    """An integrator that reuses one key for every request would otherwise be told "done" (200,
    the first dossier) while the second applicant's dossier was never made: only the same
    request again (a retry) gets the first dossier."""
    headers = bearer(staff.reception)
    body = {
        "unit": POLICE, "procedure": "1.004222", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345"},
    }  # fmt: skip
    first = Client().post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **headers
    )  # fmt: skip
    assert first.status_code == 201, first.content
    again = Client().post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **headers
    )  # fmt: skip
    assert (again.status_code, again.json()["ref"]) == (200, first.json()["ref"]), "a retry"
    other = Client().post(
        "/api/v1/dossiers", {**body, **change}, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2", **headers,
    )  # fmt: skip
    assert other.status_code == 422, other.content
    answer = other.json()
    assert answer["code"] == "idempotency_key_reused"
    assert first.json()["ref"] in answer["message"]
    assert "new key" in answer["message_en"]
    assert Dossier.objects.filter(idempotency_key="k2").count() == 1
