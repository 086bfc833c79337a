"""The API across units: a ward receives a residence dossier its police decide, who see it in
their list; other wards do not; creating a dossier at the counter with an idempotency key; the issued
documents with their numbers and SHA-256."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken, User
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.models import Dossier
from tests import factories

pytestmark = pytest.mark.django_db

WARD = "hn-phuong-hoan-kiem"
POLICE = "hn-cong-an-phuong-hoan-kiem"
OTHER_WARD_POLICE = "hn-cong-an-phuong-ba-dinh"


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')}"}


def post(path: str, body: dict[str, Any], user: User, **headers: str) -> Any:
    return Client().post(path, body, content_type="application/json", **bearer(user), **headers)


def counter_dossier(reception: User, key: str = "") -> Any:
    body = {
        "unit": WARD, "procedure": "1.004222", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345", "phone": "0912345678"},
        "form": {},
    }  # fmt: skip
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return post("/api/v1/dossiers", body, reception, **headers)


@pytest.fixture
def people(db: None) -> dict[str, User]:
    return {
        "ward_reception": factories.officer(WARD, Role.RECEPTION),
        "police_reception": factories.officer(POLICE, Role.RECEPTION),
        "police_specialist": factories.officer(POLICE, Role.SPECIALIST),
        "other_police": factories.officer(OTHER_WARD_POLICE, Role.RECEPTION),
    }


def test_counter_creation_returns_a_received_dossier_with_its_receipt(
    people: dict[str, User],
) -> None:
    created = counter_dossier(people["ward_reception"], key="k-1")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received"
    assert body["code"]
    assert body["due_at"]
    kinds = [item["kind"] for item in body["documents"]]
    assert kinds == ["receipt"]
    receipt = body["documents"][0]
    assert receipt["number"].endswith("/TNHS")
    assert receipt["title"] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    # The worker renders and signs the receipt after the commit; the answer does not wait for it.
    assert receipt["sha256"] is None
    client = Client(**bearer(people["ward_reception"]))
    pdf = client.get(receipt["url"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    listed = client.get(f"/api/v1/dossiers/{body['code']}/documents").json()["items"]
    assert listed[0]["sha256"] == hashlib.sha256(pdf.content).hexdigest()
    again = client.get(f"/api/v1/dossiers/{body['code']}").json()["documents"][0]
    assert again["sha256"] == listed[0]["sha256"]
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(f"/api/v1/dossiers/{body['code']}").json()["documents"][0]
    with translation.override("en"):
        assert english["title"] == str(DocumentKind.RECEIPT.label) != receipt["title"]


def test_the_same_idempotency_key_gives_back_the_same_dossier(people: dict[str, User]) -> None:
    first = counter_dossier(people["ward_reception"], key="same")
    again = counter_dossier(people["ward_reception"], key="same")
    other = counter_dossier(people["ward_reception"], key="other")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["ref"] == again.json()["ref"] != other.json()["ref"]


def test_an_idempotency_key_longer_than_kept_is_refused_not_cut(people: dict[str, User]) -> None:
    """Cut to 80 characters, two keys with one beginning would name one dossier."""
    long_a, long_b = "k" * 80 + "a", "k" * 80 + "b"
    refused = counter_dossier(people["ward_reception"], key=long_a)
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_too_long"
    assert counter_dossier(people["ward_reception"], key=long_b).status_code == 422
    assert counter_dossier(people["ward_reception"], key="k" * 80).status_code == 201


def test_creation_refuses_a_unit_where_the_caller_does_not_receive(people: dict[str, User]) -> None:
    body = {"unit": WARD, "procedure": "1.004222", "applicant": {"name": "A"}}
    refused = post("/api/v1/dossiers", body, people["police_reception"])
    assert refused.status_code == 403
    assert "message_en" in refused.json() or "message" in refused.json()


def test_creation_honours_the_catalogs_receiving_rule(people: dict[str, User]) -> None:
    """The counter's rule (``catalog.selectors.may_receive``): a ward's one-stop counter receives
    its police's procedure and forwards it to them; a unit with no competence is refused."""
    assert counter_dossier(people["ward_reception"]).status_code == 201
    justice = "hn-so-tu-phap"
    body = {
        "unit": justice, "procedure": "1.004222", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345"}, "form": {},
    }  # fmt: skip
    refused = post("/api/v1/dossiers", body, factories.officer(justice, Role.RECEPTION))
    assert refused.status_code == 422, refused.content
    assert "không có thẩm quyền tiếp nhận thủ tục 1.004222" in refused.json()["message"]
    # The rule's own sentence in English too, naming the unit and where it is received.
    assert (
        "is not competent to receive procedure 1.004222. Received at:"
        in refused.json()["message_en"]
    )
    assert refused.json()["code"] == "no_receiving_competence"
    assert "…." not in refused.json()["message"]  # more places are counted: "(+N)."
    assert Dossier.objects.count() == 1


def test_bad_input_is_explained_not_a_500(people: dict[str, User]) -> None:
    reception = people["ward_reception"]
    cases = [
        {"unit": "nope", "procedure": "1.004222", "applicant": {"name": "A"}},
        {"unit": WARD, "procedure": "9.999999", "applicant": {"name": "A"}},
        {"unit": WARD, "procedure": "1.004222", "channel": "fax", "applicant": {"name": "A"}},
        {"unit": WARD, "procedure": "1.004222", "applicant": {"name": "A", "id_number": "12"}},
        {"unit": WARD, "procedure": "1.004222", "applicant": {"name": "  "}},
    ]
    for body in cases:
        assert post("/api/v1/dossiers", body, reception).status_code == 422, body


def test_a_ward_counter_dossier_is_its_polices_to_decide_and_no_other_wards(
    people: dict[str, User],
) -> None:
    """1.004222 belongs to the commune police: received at the ward's counter, it is decided by
    that ward's police from the start, no transfer needed (issue 13); other police never see it."""
    created = counter_dossier(people["ward_reception"]).json()
    ref = created["ref"]
    assert created["deciding_unit"] == POLICE
    listing = (
        Client()
        .get("/api/v1/dossiers", {"tab": "all"}, **bearer(people["police_specialist"]))
        .json()
    )
    assert ref in [item["ref"] for item in listing["items"]]
    other = Client().get(f"/api/v1/dossiers/{ref}", **bearer(people["other_police"]))
    assert other.status_code == 404


def test_forward_to_a_unit_the_procedure_does_not_name_is_refused(people: dict[str, User]) -> None:
    created = counter_dossier(people["ward_reception"]).json()
    refused = post(
        f"/api/v1/dossiers/{created['ref']}/actions/forward",
        {"version": created["version"], "to_unit": OTHER_WARD_POLICE},
        people["police_specialist"],
    )
    assert refused.status_code == 403
    assert "không nêu đơn vị này" in refused.json()["message"]


def test_a_specialist_approving_gets_403_with_a_clear_message(people: dict[str, User]) -> None:
    created = counter_dossier(people["ward_reception"]).json()
    specialist = people["police_specialist"]
    refused = post(
        f"/api/v1/dossiers/{created['ref']}/actions/approve",
        {"version": created["version"], "reason": "Đồng ý"},
        specialist,
    )
    assert refused.status_code == 403
    error = refused.json()
    assert "Phê duyệt, ký kết quả" in error["message"]
    assert "requires the “Approve and sign results” permission" in error["message_en"]


def test_the_documents_endpoint_lists_and_serves_issued_forms(people: dict[str, User]) -> None:
    created = counter_dossier(people["ward_reception"]).json()
    headers = bearer(people["ward_reception"])
    listed = Client().get(f"/api/v1/dossiers/{created['ref']}/documents", **headers).json()
    [receipt] = listed["items"]
    pdf = Client().get(receipt["url"], **headers)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == receipt["sha256"]


def test_the_registry_is_published(people: dict[str, User]) -> None:
    rows = Client().get("/api/v1/actions", **bearer(people["ward_reception"])).json()
    by_action = {row["action"]: row for row in rows}
    assert "approve" in by_action
    assert "transfer" in by_action
    assert any("at_signing_step" in guard for guard in by_action["approve"]["guards"])


def test_a_portal_dossier_is_in_the_wards_to_receive_list_once_however_often_posted(
    people: dict[str, User],
) -> None:
    """Dossiers submitted on the National Public Service Portal arrive through the API with the
    portal's MaHoSo as the idempotency key: a repeated delivery gives back the same dossier."""
    body = {
        "unit": WARD, "procedure": "1.004222", "channel": "portal",
        "applicant": {"name": "Phạm Thị Dung", "id_number": "001190054321", "phone": "0987654321"},
        "form": {},
    }  # fmt: skip
    portal_code = "000.00.00.H26-261202-0001"
    answers = [
        post("/api/v1/dossiers", body, people["ward_reception"], HTTP_IDEMPOTENCY_KEY=portal_code)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 200, 200]
    refs = {a.json()["ref"] for a in answers}
    assert len(refs) == 1
    assert answers[0].json()["status"] == "new"  # waits for the ward to receive it
    listed = Client().get(
        "/api/v1/dossiers", {"tab": "to_receive"}, **bearer(people["ward_reception"])
    )
    assert listed.status_code == 200, listed.content
    assert [item["ref"] for item in listed.json()["items"]].count(refs.pop()) == 1
    assert listed.json()["counts"]["to_receive"] == 1
