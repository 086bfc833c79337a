""" "Của tôi" follows the dossier from the assigned specialist to the leaders' steps, and a
search with no letters or digits finds nothing (found by a Chromium pass, session 32)."""

from __future__ import annotations

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.dossiers import selectors
from motcua.dossiers import services as s

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db
WHEN = at("2026-03-03 10:00")


def mine(user: object) -> list[int]:
    worklist = selectors.dossier_worklist(user=user, tab="mine", query="", at=WHEN)  # type: ignore[arg-type]
    return [d.pk for d in worklist.dossiers]


def test_an_assigned_dossier_forwarded_to_a_leaders_step_is_the_leaders(staff: Staff) -> None:
    dossier = received(staff)
    assert dossier.step_role == Role.SPECIALIST
    dossier = s.dossier_assign(
        dossier=dossier, actor=staff.head, at=at("2026-03-02 10:00"), assignee=staff.specialist
    )
    assert dossier.pk in mine(staff.specialist)
    dossier = s.dossier_forward(dossier=dossier, actor=staff.specialist, at=at("2026-03-02 11:00"))
    holder = {Role.DIVISION_HEAD: staff.head, Role.LEADER: staff.leader}[dossier.step_role]
    assert dossier.assignee_id == staff.specialist.pk  # kept for when it comes back
    assert dossier.pk in mine(holder)
    assert dossier.pk not in mine(staff.specialist)
    counts = selectors.dossier_worklist(user=holder, tab="mine", query="", at=WHEN).counts
    assert counts["mine"] == len(mine(holder))


@pytest.mark.parametrize("text", ["!!!", "%", "_", "?", "😀"])  # "." is in every code
def test_a_search_with_no_letters_or_digits_finds_nothing(staff: Staff, text: str) -> None:
    received(staff)
    found = selectors.dossier_worklist(user=staff.reception, tab="all", query=text, at=WHEN)
    assert found.counts["all"] == 0
    assert (
        selectors.dossier_worklist(user=staff.reception, tab="all", query="", at=WHEN).counts["all"]
        == 1
    )


def test_two_officers_of_one_name_are_told_apart_in_the_assignment(staff: Staff) -> None:
    """Found by a Chromium pass (session 33): two "Chuyên viên xử lý" in the list."""
    from motcua.dossiers.views import assignable
    from tests import factories
    from tests.dossiers.conftest import POLICE

    namesake = factories.officer(POLICE, Role.SPECIALIST)
    for person, name in ((staff.specialist, "Nguyễn Văn An"), (namesake, "Nguyễn Văn An"),
                         (staff.head, "Trần Thị Bình")):  # fmt: skip
        person.full_name = name
        person.save()
    labels = dict(assignable(received(staff)))
    assert labels[namesake.username] == f"Nguyễn Văn An ({namesake.username})"
    assert labels[staff.specialist.username] == f"Nguyễn Văn An ({staff.specialist.username})"
    assert labels[staff.head.username] == "Trần Thị Bình"  # no namesake
