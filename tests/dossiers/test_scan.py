"""The scheduled deadline scan raises each warning once and notifies through the queue."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from motcua.dossiers import services as s
from motcua.dossiers.models import DossierAlert
from motcua.dossiers.scan import deadlines_scan

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db


def kinds(dossier: object) -> set[str]:
    return set(DossierAlert.objects.filter(dossier=dossier).values_list("kind", flat=True))


def test_nothing_is_raised_early(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")  # due 11/3 17:00
    deadlines_scan(at=at("2026-03-05 09:00"))
    assert kinds(dossier) == set()


def test_due_soon_then_apology_prompt_then_overdue(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    deadlines_scan(at=at("2026-03-10 08:00"))  # two working days left
    assert kinds(dossier) == {"due_soon"}
    deadlines_scan(at=at("2026-03-11 09:00"))  # less than one working day left
    assert kinds(dossier) == {"due_soon", "apology_prompt"}
    deadlines_scan(at=at("2026-03-12 09:00"))
    assert kinds(dossier) == {"due_soon", "apology_prompt", "overdue"}


def test_each_warning_is_raised_once(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    first = deadlines_scan(at=at("2026-03-12 09:00"))
    again = deadlines_scan(at=at("2026-03-12 10:00"))
    assert first.raised["overdue"] == 1
    assert again.raised["overdue"] == 0


def test_finished_dossiers_are_not_warned_about(staff: Staff) -> None:
    at_signing = s.dossier_forward(
        dossier=received(staff, "2026-03-02 09:00"), actor=staff.specialist,
        at=at("2026-03-02 15:00"),
    )  # fmt: skip
    dossier = s.dossier_reject(
        dossier=at_signing, actor=staff.leader, at=at("2026-03-03 09:00"), reason="x"
    )
    deadlines_scan(at=at("2026-03-20 09:00"))
    assert kinds(dossier) == set()


def test_no_apology_prompt_after_an_apology(staff: Staff) -> None:
    dossier = received(staff, "2026-03-02 09:00")
    dossier = s.dossier_apologize(
        dossier=dossier,
        actor=staff.leader,
        at=at("2026-03-10 09:00"),
        reason="Cần xác minh",
        new_due=at("2026-03-13 17:00"),
    )
    deadlines_scan(at=at("2026-03-13 09:00"))
    assert "apology_prompt" not in kinds(dossier)


@pytest.mark.django_db(transaction=True)
def test_the_assignee_is_told_by_the_worker(staff: Staff) -> None:
    # Transactional: the worker commits and checks its connection like a real process does.
    staff.specialist.email = "chuyenvien@example.com"
    staff.specialist.save()
    dossier = s.dossier_assign(
        dossier=received(staff, "2026-03-02 09:00"),
        actor=staff.head,
        at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )
    deadlines_scan(at=at("2026-03-12 09:00"))
    assert mail.outbox == []  # queued, not sent from here
    call_command(
        "db_worker", queue_name="*", batch=True, reload=False, startup_delay=False, verbosity=0
    )
    assert mail.outbox
    assert dossier.code in mail.outbox[0].subject
    assert mail.outbox[0].to == ["chuyenvien@example.com"]
