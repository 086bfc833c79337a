"""An action refused to an officer is told through the API in both languages, for the reason it
was refused (the same sentence as the officer's page)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import translation
from django.utils.timezone import localtime

from motcua.accounts.constants import ApiTokenScope
from motcua.accounts.models import User
from motcua.accounts.tokens import api_token_issue
from motcua.common.clock import now
from motcua.dossiers import steps
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from tests import factories
from tests.dossiers.conftest import Staff, received, submitted

pytestmark = pytest.mark.django_db


def answer(dossier: Dossier, action: str, officer: User, **extra: object) -> HttpResponse:
    _token, secret = api_token_issue(
        actor=None, owner=officer, name="tích hợp", scope=ApiTokenScope.ACT
    )
    dossier.refresh_from_db()
    return Client().post(  # type: ignore[no-any-return]
        f"/api/v1/dossiers/{dossier.ref}/actions/{action}",
        {"version": dossier.version, "reason": "Thiếu giấy tờ", "items": ["Giấy tờ chỗ ở"], **extra},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip


def refused(
    dossier: Dossier, action: str, officer: User, status: int = 403, **extra: object
) -> dict[str, str]:
    given = answer(dossier, action, officer, **extra)
    assert given.status_code == status, given.content
    return given.json()  # type: ignore[no-any-return]


def received_now(staff: Staff) -> Dossier:
    """Received at this moment, so that the rules with a time window are still open."""
    return received(staff, localtime(now()).strftime("%Y-%m-%d %H:%M"))


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


def test_a_second_supplement_request_is_refused_by_its_rule_in_both_languages() -> None:
    staff = Staff()
    dossier = received_now(staff)
    assert answer(dossier, "request_supplement", staff.specialist).status_code == 200
    body = refused(dossier, "request_supplement", staff.specialist, status=422)
    assert body["code"] == "supplement_already_requested"
    assert "không được yêu cầu lần thứ hai" in body["message"]
    assert "cannot be requested a second time" in body["message_en"]


def test_a_state_refusal_names_the_action_and_the_status_in_each_language() -> None:
    staff = Staff()
    dossier = received_now(staff)  # received already: a second reception is refused by its state
    body = refused(dossier, "receive", staff.reception, status=422)
    assert body["code"] == "transition_not_allowed"
    label, status = Action.RECEIVE.label, Status(dossier.status).label
    with translation.override("vi"):
        assert f"Không thể “{label}” khi hồ sơ đang ở trạng thái “{status}”" in body["message"]
    with translation.override("en"):
        english = f"You cannot use “{label}” while the dossier's status is “{status}”"
    assert english in body["message_en"]
    assert body["message_en"] != body["message"]


@pytest.mark.parametrize("new_due", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_new_date_beyond_the_calendar_is_refused_not_a_server_error(new_due: str) -> None:
    staff = Staff()
    dossier = received_now(staff)
    body = refused(dossier, "apologize", staff.leader, status=422, new_due=new_due)
    assert body["code"] == "apology_not_allowed"
    assert "outside the known working calendar" in body["message_en"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_an_assignee_refusal_tells_neither_whether_an_account_exists_nor_whose_it_is() -> None:
    """A citizen's account is named by their ID number: assigning a dossier to it answered with
    the citizen's full name, and an unknown name answered otherwise than an existing one."""
    staff = Staff()
    holder = factories.citizen(id_number="001090077777")
    dossier = received_now(staff)
    names = ("001090077777", "001090066666", staff.outsider.username)
    for name in names:
        body = refused(dossier, "assign", staff.head, assignee=name)
        assert body["code"] == "forbidden"
        assert body["message"].startswith(f"{name} không phải cán bộ xử lý của ")
        assert body["message_en"].startswith(f"{name} is not a processing officer of ")
        assert holder.get_full_name() not in body["message"] + body["message_en"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_an_unknown_unit_is_named_in_both_languages() -> None:
    staff = Staff()
    dossier = received_now(staff)
    body = refused(dossier, "transfer", staff.specialist, status=422, to_unit="xx / yy")
    assert (body["code"], body["message"], body["message_en"]) == (
        "unknown_unit",
        "Không có đơn vị xx / yy.",
        "Unknown unit xx / yy.",
    )


def test_creation_refusals_keep_a_slash_in_what_was_given_and_name_their_rule() -> None:
    """The API's messages were one text split at its first " / ": a unit's code holding one
    put Vietnamese into ``message_en``."""
    staff = Staff()
    _token, secret = api_token_issue(
        actor=None, owner=staff.reception, name="tích hợp", scope=ApiTokenScope.ACT
    )
    body = {"unit": "abc / def", "procedure": "1.004222", "applicant": {"name": "An"}}
    answer = Client().post(
        "/api/v1/dossiers", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()  # fmt: skip
    assert (answer["code"], answer["message"], answer["message_en"]) == (
        "unknown_unit",
        "Không có đơn vị abc / def.",
        "Unknown unit abc / def.",
    )
    empty = Client().post(
        "/api/v1/dossiers", {**body, "unit": ""}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()  # fmt: skip
    assert (empty["code"], empty["message_en"]) == (
        "invalid_input",
        "Invalid parameters: body.unit",
    )


def test_an_unknown_action_and_a_stale_version_have_codes_of_their_own() -> None:
    staff = Staff()
    dossier = received_now(staff)
    unknown = refused(dossier, "gui-lai", staff.specialist, status=404)
    assert (unknown["code"], unknown["message_en"]) == (
        "unknown_action",
        "Unknown action gui-lai.",
    )
    stale = answer(dossier, "request_supplement", staff.specialist, version=dossier.version - 1)
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_dossier")
    assert "Someone else has just changed this dossier" in stale.json()["message_en"]


def test_accepting_a_transfer_nobody_sent_says_nothing_waits_not_a_missing_permission() -> None:
    staff = Staff()
    dossier = received_now(staff)
    body = refused(dossier, "accept_transfer", staff.specialist, status=422)
    assert body["code"] == "transition_not_allowed"
    assert "không có đơn vị nào đang chờ nhận hồ sơ được chuyển đến" in body["message"]
    assert "no unit is waiting to accept" in body["message_en"]
    with translation.override("en"):
        assert f"“{Action.ACCEPT_TRANSFER.label}”" in body["message_en"]  # the action in English


@pytest.mark.parametrize(
    ("action", "officer", "extra", "english"),
    [
        ("request_supplement", "specialist", {"items": [], "reason": ""}, "List the documents"),
        ("assign", "head", {}, "Choose the officer to assign."),
        ("apologize", "leader", {}, "Choose the new due date."),
    ],
)
def test_a_missing_input_is_asked_for_in_a_sentence_of_its_own(
    action: str, officer: str, extra: dict[str, object], english: str
) -> None:
    """Not "Enter" before a form's label ("Enter list every document…")."""
    staff = Staff()
    dossier = received_now(staff)
    body = refused(dossier, action, getattr(staff, officer), status=422, **extra)
    assert body["code"] == "missing_input"
    assert body["message_en"].startswith(english)


def test_a_step_refusal_names_the_step_and_its_role_in_english() -> None:
    staff = Staff()
    dossier = received_now(staff)  # at the specialist's appraisal step
    body = refused(dossier, "forward", staff.leader)
    here = steps.current(Dossier.objects.get(pk=dossier.pk))
    assert here is not None
    with translation.override("en"):
        english = translation.gettext(here.name)
    assert english != here.name  # a seeded step's name has its English
    assert f"The step “{english}” is for the specialist" in body["message_en"]
    assert f"Bước “{here.name}” do chuyên viên xử lý thực hiện" in body["message"]


def test_an_irreversible_action_sent_with_confirm_false_is_refused() -> None:
    staff = Staff()
    dossier = submitted(staff)
    body = refused(dossier, "refuse_reception", staff.reception, status=422, confirm=False)
    assert body["code"] == "missing_input"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NEW
    assert (
        answer(dossier, "refuse_reception", staff.reception).status_code == 200
    )  # the call confirms


def test_a_blank_assignee_is_missing_and_a_padded_one_is_found() -> None:
    staff = Staff()
    dossier = received_now(staff)
    assert (
        refused(dossier, "assign", staff.head, status=422, assignee="   ")["code"]
        == "missing_input"
    )
    padded = answer(dossier, "assign", staff.head, assignee=f" {staff.specialist.username} ")
    assert padded.status_code == 200, padded.content


def test_an_applicants_email_is_checked_at_creation() -> None:
    staff = Staff()
    _token, secret = api_token_issue(
        actor=None, owner=staff.reception, name="tích hợp", scope=ApiTokenScope.ACT
    )
    body = {
        "unit": "hn-cong-an-phuong-hoan-kiem", "procedure": "1.004222",
        "applicant": {"name": "An", "email": "notanemail"},
    }  # fmt: skip
    refusal = Client().post(
        "/api/v1/dossiers", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    assert (refusal.status_code, refusal.json()["code"]) == (422, "invalid_applicant")
    assert "email" in refusal.json()["message_en"].lower()
    assert not Dossier.objects.exists()


def test_an_amount_out_of_range_is_an_invalid_value_not_a_missing_one() -> None:
    staff = Staff()
    dossier = received_now(staff)
    body = refused(dossier, "request_payment", staff.specialist, status=422, amount_vnd=-5)
    assert body["code"] == "invalid_value"
    assert "1.000.000.000.000" in body["message"]
