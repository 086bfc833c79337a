"""The officer workspace: worklists, a dossier's page and actions, counter reception."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.catalog.constants import ProcessSource, ProcessStatus
from motcua.catalog.models import ProcessDefinition, ProcessStep
from motcua.dossiers import services as s
from motcua.dossiers import steps
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit
from tests import factories
from tests.counter import counter_post

from .conftest import POLICE, Staff, at, received, residence, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_step_cache() -> Iterator[None]:
    """Process ids may come back after a rollback: never keep another test's steps."""
    steps.steps_cache_clear()
    yield
    steps.steps_cache_clear()


def with_result_step() -> ProcessDefinition:
    """The ward police's own process for 1.004222 with a deciding step after the signing."""
    definition = ProcessDefinition.objects.create(
        procedure=residence(), unit=Unit.objects.get(code=POLICE), version=1,
        valid_from=datetime.date(2025, 7, 1), status=ProcessStatus.ACTIVE,
        source=ProcessSource.HAND_WRITTEN,
    )  # fmt: skip
    rows = [
        ("Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, "receiving"),
        ("Thẩm định hồ sơ", Role.SPECIALIST, "deciding"),
        ("Lãnh đạo ký, phê duyệt kết quả", Role.LEADER, "deciding"),
        ("Hoàn thiện, phát hành kết quả", Role.SPECIALIST, "deciding"),
        ("Trả kết quả", Role.RECEPTION, "receiving"),
    ]
    for order, (name, role, scope) in enumerate(rows, start=1):
        ProcessStep.objects.create(
            definition=definition, order=order, name=name, role=role, scope=scope,
            budget_quantity=Decimal(1), budget_unit="working_day",
        )  # fmt: skip
    return definition


def as_user(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_worklist_counts_and_lists_with_a_bounded_number_of_queries(
    staff: Staff, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        submitted(staff)
    for _ in range(3):
        received(staff)
    client = as_user(staff.reception)
    client.get(reverse("dossiers:worklist"))  # warm the session and role caches
    with django_assert_max_num_queries(12):
        page = client.get(reverse("dossiers:worklist"), {"tab": "to_receive"}).content.decode()
    assert page.count('href="/can-bo/ho-so/HS') == 3
    assert 'Chờ tiếp nhận <span class="count">3</span>' in page


def test_counts_are_right_for_officers_who_do_not_receive(staff: Staff) -> None:
    received(staff)
    submitted(staff)
    for officer in (staff.specialist, staff.leader):
        page = as_user(officer).get(reverse("dossiers:worklist")).content.decode()
        assert 'Tất cả <span class="count">2</span>' in page, officer


def test_the_counter_opens_on_what_waits_for_reception(staff: Staff) -> None:
    submitted(staff)
    page = as_user(staff.reception).get(reverse("dossiers:worklist")).content.decode()
    assert 'aria-current="page" class="current">Chờ tiếp nhận' in page
    assert page.count('href="/can-bo/ho-so/HS') == 1


def test_a_signed_paper_result_waits_at_the_counter(staff: Staff) -> None:
    """Commune template: signing makes a paper result ready; the one-stop hands it over."""
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-02 11:00"), note="Đồng ý"
    )
    assert dossier.status == Status.PROCESSED
    counter = as_user(staff.reception).get(reverse("dossiers:worklist"), {"tab": "mine"})
    assert dossier.code in counter.content.decode()
    specialist = as_user(staff.specialist).get(reverse("dossiers:worklist"), {"tab": "mine"})
    assert dossier.code not in specialist.content.decode()


def test_an_approved_dossier_waits_in_the_specialists_own_list(staff: Staff) -> None:
    """A process with a result step after the signing: the approved dossier goes back to the
    specialist, who completes it."""
    with_result_step()
    dossier = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-02 11:00"), note="Đồng ý"
    )
    assert (dossier.status, dossier.current_step) == (Status.PROCESSING, 4)
    page = as_user(staff.specialist).get(reverse("dossiers:worklist"), {"tab": "mine"})
    assert dossier.code in page.content.decode()
    assert "complete" in s.actions_available(dossier, staff.specialist, at("2026-03-02 12:00"))
    done = s.dossier_complete(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 12:00"))
    assert (done.status, done.current_step) == (Status.PROCESSED, 5)


def test_dossier_page_has_a_bounded_number_of_queries(
    staff: Staff, django_assert_max_num_queries
) -> None:
    dossier = received(staff)
    client = as_user(staff.specialist)
    client.get(reverse("dossiers:detail", args=[dossier.ref]))
    # The page now also shows who holds the dossier, the step hand-overs, the issued forms
    # and the choices of the transfer and consultation forms.
    with django_assert_max_num_queries(25):
        assert client.get(reverse("dossiers:detail", args=[dossier.ref])).status_code == 200


def test_only_allowed_actions_are_offered(staff: Staff) -> None:
    dossier = submitted(staff)
    reception_page = (
        as_user(staff.reception)
        .get(reverse("dossiers:detail", args=[dossier.ref]))
        .content.decode()
    )
    specialist_page = (
        as_user(staff.specialist)
        .get(reverse("dossiers:detail", args=[dossier.ref]))
        .content.decode()
    )
    assert "/receive/" in reception_page
    assert "/receive/" not in specialist_page
    assert "/approve/" not in reception_page


def test_an_action_from_the_page_and_a_stale_form(staff: Staff) -> None:
    dossier = submitted(staff)
    client = as_user(staff.reception)
    url = reverse("dossiers:act", args=[dossier.ref, "receive"])
    client.post(url, {"version": dossier.version})
    assert Dossier.objects.get(pk=dossier.pk).code
    stale = client.post(
        reverse("dossiers:act", args=[dossier.ref, "withdraw"]),
        {"version": dossier.version, "confirm": "on"},
        follow=True,
    )
    assert "Hồ sơ vừa được người khác thay đổi" in stale.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == "received"


def test_a_refused_action_explains_why(staff: Staff) -> None:
    dossier = received(staff)
    client = as_user(staff.specialist)
    response = client.post(
        reverse("dossiers:act", args=[dossier.ref, "request_supplement"]),
        {"version": dossier.version, "items": " ", "reason": " "},
        follow=True,
    )
    assert "Cần liệt kê giấy tờ, nội dung cần bổ sung" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_an_irreversible_action_needs_the_confirmation(staff: Staff) -> None:
    dossier = received(staff)
    client = as_user(staff.reception)
    url = reverse("dossiers:act", args=[dossier.ref, "withdraw"])
    response = client.post(url, {"version": dossier.version, "reason": "Xin rút"}, follow=True)
    assert "Hãy đánh dấu xác nhận" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    client.post(url, {"version": dossier.version, "reason": "Xin rút", "confirm": "on"})
    assert Dossier.objects.get(pk=dossier.pk).status == Status.STOPPED


def test_officers_of_other_units_do_not_see_the_dossier(staff: Staff) -> None:
    dossier = received(staff)
    client = as_user(staff.outsider)
    assert client.get(reverse("dossiers:detail", args=[dossier.ref])).status_code == 404
    assert (
        client.post(
            reverse("dossiers:act", args=[dossier.ref, "reject"]),
            {"version": dossier.version, "reason": "x"},
        ).status_code
        == 404
    )


def test_counter_reception_gives_a_code_at_once(staff: Staff) -> None:
    client = as_user(staff.reception)
    form = client.get(reverse("dossiers:reception"), {"procedure": "1.004222"}).content.decode()
    assert "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in form  # the checklist
    response = counter_post(
        client,
        {"procedure": "1.004222", "name": "Lê Văn Cường", "id_number": "001 090 012 345"},
        follow=True,
    )
    dossier = Dossier.objects.get(applicant_id_number="001090012345")
    assert dossier.status == "received"
    assert dossier.code in response.content.decode()


def test_counter_reception_with_a_bad_id_number_keeps_nothing(staff: Staff) -> None:
    client = as_user(staff.reception)
    before = Dossier.objects.count()
    response = counter_post(client, {"procedure": "1.004222", "name": "A", "id_number": "12345"})
    assert "12 chữ số" in response.content.decode()
    assert Dossier.objects.count() == before


def test_search_by_name_without_accents(staff: Staff) -> None:
    received(staff)
    page = (
        as_user(staff.reception)
        .get(reverse("dossiers:worklist"), {"tab": "all", "q": "le van cuong"})
        .content.decode()
    )
    assert "Lê Văn Cường" in page


def test_a_citizen_cannot_open_the_workspace(staff: Staff) -> None:
    from tests import factories

    assert as_user(factories.citizen()).get(reverse("dossiers:worklist")).status_code == 403


def test_actions_the_rules_would_refuse_are_not_offered(staff: Staff) -> None:
    dossier = received(staff)
    before = at("2026-03-02 09:30")
    assert "approve" not in s.actions_available(dossier, staff.leader, before)  # not signing yet
    assert "forward" in s.actions_available(dossier, staff.specialist, before)
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:00"))
    leader_actions = s.actions_available(dossier, staff.leader, at("2026-03-02 11:00"))
    assert {"approve", "reject", "return_step"} <= set(leader_actions)
    assert "forward" not in leader_actions  # the signing step is never forwarded past
    assert "forward" not in s.actions_available(dossier, staff.specialist, at("2026-03-02 11:00"))
    dossier = s.dossier_approve(
        dossier=dossier, actor=staff.leader, at=at("2026-03-02 11:00"), note="Đồng ý"
    )
    later = at("2026-03-02 12:00")
    leader_actions = s.actions_available(dossier, staff.leader, later)
    assert "approve" not in leader_actions
    assert "reject" not in leader_actions
    assert "complete" not in s.actions_available(dossier, staff.specialist, later)  # done
    assert s.actions_available(dossier, staff.reception, later) == ["return_result"]


def test_reception_suggests_procedures_as_one_types(staff: Staff) -> None:
    client = as_user(staff.reception)
    page = client.get(
        reverse("dossiers:reception-suggest"), {"q": "thuong tru"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "1.004222" in page
    assert "?procedure=1.004222" in page


@pytest.mark.parametrize(
    ("typed", "code"), [("thuong tru", "1.004222"), ("khai tử", "1.000656")]
)  # fmt: skip
def test_a_wards_counter_is_suggested_its_polices_procedures_too(
    db: None, typed: str, code: str
) -> None:
    """The ward's one-stop receives its police's procedures (and forwards them): its suggestion
    box offers them first, as it offers the ward's own (issue 13)."""
    client = as_user(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    page = client.get(
        reverse("dossiers:reception-suggest"), {"q": typed}, HTTP_HX_REQUEST="true"
    ).content.decode()
    offered = re.findall(r"\?procedure=(\d\.\d{6})", page)
    assert code in offered[:3], offered


def test_reception_suggestions_read_a_slip_and_say_how(staff: Staff) -> None:
    page = (
        as_user(staff.reception)
        .get(reverse("dossiers:reception-suggest"), {"q": "thuong chu"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "?procedure=1.004222" in page
    assert "Hiểu là “thường trú”." in page


def test_reception_shows_the_counter_fees(staff: Staff) -> None:
    page = (
        as_user(staff.reception)
        .get(reverse("dossiers:reception"), {"procedure": "1.004222"})
        .content.decode()
    )
    assert "20.000 đ" in page
