"""Who reads which dossier: each role what its work needs, and every read is logged for the
applicant to see (issue 11, "Least privilege")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.replicas import STATE, ReadState
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.dossiers.selectors import TOKEN_SALT, dossier_worklist, page_cursor, still_visible
from motcua.organizations.models import Unit
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received
from tests.files import tiny_pdf

pytestmark = pytest.mark.django_db

PDF = tiny_pdf()


def status_of(user: User, dossier: Dossier) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse("dossiers:detail", args=[dossier.ref])).status_code


@pytest.fixture
def others(staff: Staff) -> dict[str, User]:
    parent = Unit.objects.get(code=POLICE).parent
    assert parent is not None
    return {
        "second_specialist": factories.officer(POLICE, Role.SPECIALIST),
        "administrator": factories.officer(POLICE, Role.ADMINISTRATOR),
        "supervisor_above": factories.officer(parent.code, Role.SUPERVISOR),
    }


def test_an_unassigned_dossier_is_read_by_the_units_working_roles(
    staff: Staff, others: dict[str, User]
) -> None:
    dossier = received(staff)
    for user in (staff.reception, staff.specialist, staff.head, staff.leader):
        assert status_of(user, dossier) == 200
    assert status_of(others["second_specialist"], dossier) == 200  # the unit's pool
    assert status_of(others["supervisor_above"], dossier) == 200
    assert status_of(others["administrator"], dossier) == 404  # manages staff, reads none
    assert status_of(staff.outsider, dossier) == 404


def test_once_assigned_another_specialist_no_longer_reads_it(
    staff: Staff, others: dict[str, User]
) -> None:
    dossier = s.dossier_assign(
        dossier=received(staff), actor=staff.head, at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )  # fmt: skip
    assert status_of(staff.specialist, dossier) == 200
    assert status_of(others["second_specialist"], dossier) == 404
    assert status_of(staff.head, dossier) == 200


def test_a_page_a_replica_served_shows_only_what_the_primary_still_lets_one_read(
    staff: Staff, others: dict[str, User]
) -> None:
    """Within a replica's lag the page's rows may name a dossier just taken from the officer:
    the primary is asked which of the page's ids they still read."""
    kept, taken = received(staff), received(staff, "2026-03-02 09:30")
    for dossier in (kept, taken):
        s.dossier_assign(
            dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"), assignee=staff.specialist
        )
    taken.refresh_from_db()
    s.dossier_assign(
        dossier=taken, actor=staff.head, at=at("2026-03-02 10:30"),
        assignee=others["second_specialist"],
    )  # fmt: skip
    page = [taken.pk, kept.pk]
    assert still_visible(staff.specialist, page) == page, "read from the primary: as it was"
    token = STATE.set(ReadState(alias="replica1"))  # as if a replica had served the page
    try:
        assert still_visible(staff.specialist, page) == [kept.pk]
        assert still_visible(others["second_specialist"], page) == [taken.pk]
    finally:
        STATE.reset(token)


@pytest.mark.parametrize("sort", ["code", "due", "submitted"])
def test_no_page_token_names_a_dossier_the_primary_left_out(
    staff: Staff, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Paging one row at a time while the page's source (a lagging replica) still holds a
    dossier that the primary says the officer may no longer read: that dossier is in no page
    and in no page token (a token carries its page edge's sort key: code, due date, id)."""
    dossiers = [received(staff, f"2026-03-02 0{9 - n}:00") for n in range(3)]
    taken = dossiers[1]

    def primary(user: User, ids: list[int]) -> list[int]:
        return [pk for pk in ids if pk != taken.pk]

    monkeypatch.setattr("motcua.dossiers.selectors.still_visible", primary)
    seen, tokens, cursor = [], [], None
    for _page in range(6):
        page = dossier_worklist(
            user=staff.reception, tab="all", query="", at=at("2026-03-02 11:00"), limit=1,
            sort=sort, cursor=cursor,
        )  # fmt: skip
        seen += [d.pk for d in page.dossiers]
        tokens += [t for t in (page.next_token, page.previous_token) if t]
        if not page.next_token:
            break
        cursor = page_cursor(page.next_token, sort, "all")
    assert taken.pk not in seen
    assert seen, "the pages were walked"
    carried = [signing.loads(t, salt=TOKEN_SALT)[2] for t in tokens]
    for values in carried:
        assert taken.code not in values
        assert taken.pk not in values


def test_a_supervisor_reads_but_is_offered_no_action(staff: Staff, others: dict[str, User]) -> None:
    dossier = received(staff)
    assert s.actions_available(dossier, others["supervisor_above"], now()) == []


def test_every_read_and_download_is_logged_and_shown_to_the_applicant(
    staff: Staff, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    applicant = factories.citizen(id_number="001090012345")
    dossier = factories.proven(received(staff), applicant)
    s.dossier_attach(
        dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:30"),
        upload=SimpleUploadedFile("so-do.pdf", PDF, content_type="application/pdf"),
        name="Giấy tờ chỗ ở", kind="input", requirement_id=None, digitised_at_counter=True,
        expected_version=None,
    )  # fmt: skip
    document = dossier.documents.get()
    officer = Client()
    officer.force_login(staff.leader)
    officer.get(reverse("dossiers:detail", args=[dossier.ref]))
    officer.get(reverse("dossiers:document", args=[dossier.ref, document.pk]))
    lines = list(DossierAccess.objects.filter(dossier=dossier).order_by("pk"))
    assert [line.what for line in lines] == ["page", "file"]
    assert lines[1].item == "Giấy tờ chỗ ở"
    assert {line.user_id for line in lines} == {staff.leader.pk}
    assert lines[0].basis == "lãnh đạo, giám sát đơn vị"
    mine = Client()
    mine.force_login(applicant)
    page = mine.get(reverse("portal:my-dossier", args=[dossier.ref])).content.decode()
    assert "Ai đã xem hồ sơ của bạn (2 lượt)" in page
    assert staff.leader.get_full_name() in page


def test_a_refused_read_is_not_logged(staff: Staff) -> None:
    dossier = received(staff)
    assert status_of(staff.outsider, dossier) == 404
    assert not DossierAccess.objects.filter(dossier=dossier).exists()
