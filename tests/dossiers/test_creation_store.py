"""A dossier's creation writes its rows once, as they finally stand (``CreationStore``), and
reference rows are read once per catalog state (``catalog_cached``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import ProcessDefinition
from motcua.catalog.revision import catalog_changed
from motcua.common import events
from motcua.dossiers.actions import REGISTRY
from motcua.dossiers.audit import audit_verify
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierEvent,
    DossierStep,
    IssuedDocument,
)
from motcua.dossiers.services import Applicant
from motcua.dossiers.services.reception import dossier_create, processes_of
from motcua.dossiers.store import DATABASE, store
from motcua.organizations.models import Unit

from .conftest import POLICE, Staff, at, residence

pytestmark = pytest.mark.django_db


def created(staff: Staff, name: str = "Lê Văn Cường", channel: str = "counter") -> Dossier:
    dossier, made = dossier_create(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=Applicant(name, "001090012345", phone="0912345678"), channel=channel,
        at=at("2026-03-02 09:00"), actor=staff.reception,
    )  # fmt: skip
    assert made
    return dossier


def statements_on(captured: CaptureQueriesContext, table: str, verb: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    return [
        q["sql"] for q in captured.captured_queries
        if q["sql"].upper().startswith(verb) and quoted in q["sql"].split(" WHERE ")[0]
    ]  # fmt: skip


def test_a_counter_dossier_is_written_once_as_it_finally_stands(staff: Staff) -> None:
    created(staff, "Người Đầu Tiên")  # the caches warm
    with CaptureQueriesContext(connection) as done:
        dossier = created(staff)
    assert len(statements_on(done, "dossiers_dossier", "INSERT")) == 1
    assert statements_on(done, "dossiers_dossier", "UPDATE") == []
    assert len(statements_on(done, "dossiers_dossierevent", "INSERT")) == 1  # both events
    # The creation's own transaction only (a savepoint here, inside the test's transaction).
    opened = [q for q in done.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]
    assert len(opened) <= 1
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.status == Status.RECEIVED
    assert stored.version == 2
    assert stored.code == dossier.code
    assert stored.book_number == dossier.book_number is not None
    assert stored.due_at == dossier.due_at is not None
    actions = list(
        DossierEvent.objects.filter(dossier=stored).order_by("seq").values_list("action", "seq")
    )
    assert actions == [(Action.SUBMIT, 1), (Action.RECEIVE, 2)]
    step = DossierStep.objects.get(dossier=stored)
    assert step.ended_at is None
    assert step.order == stored.current_step
    receipt = IssuedDocument.objects.get(dossier=stored)
    assert receipt.event_id == DossierEvent.objects.get(dossier=stored, seq=2).pk
    assert receipt.facts["dossier"]["book_number"] == stored.book_number
    checked, problems = audit_verify(Dossier.objects.filter(pk=stored.pk))
    assert (checked, problems) == (1, [])


def test_an_online_dossier_is_written_once_and_waits_for_reception(staff: Staff) -> None:
    dossier = created(staff, channel="online")
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.status == Status.NEW
    assert not stored.code
    assert DossierEvent.objects.filter(dossier=stored).count() == 1


def test_subscribers_see_the_rows_they_are_about_and_use_the_database_store(
    staff: Staff,
) -> None:
    seen: list[tuple[str, bool, str]] = []

    def subscriber(published: events.Event) -> None:
        dossier = published.data["dossier"]
        written = Dossier.objects.filter(pk=dossier.pk).exists()
        seen.append((published.name, written, type(store()).__name__))

    events.subscribe("*", subscriber)
    try:
        created(staff)
    finally:
        events.unsubscribe("*", subscriber)
    names = [REGISTRY[Action.SUBMIT].event_name, REGISTRY[Action.RECEIVE].event_name]
    assert [name for name, _written, _store in seen] == names
    assert all(written and used == type(DATABASE).__name__ for _name, written, used in seen)


@pytest.fixture
def refusing() -> Iterator[None]:
    def refuse(published: events.Event) -> None:
        raise RuntimeError("a subscriber refuses")

    events.subscribe("dossier.received", refuse)
    yield
    events.unsubscribe("dossier.received", refuse)


def test_a_refused_creation_leaves_nothing_behind(staff: Staff, refusing: Any) -> None:
    with pytest.raises(RuntimeError):
        created(staff)
    assert not Dossier.objects.exists()
    assert not DossierEvent.objects.exists()
    assert not IssuedDocument.objects.exists()
    assert not DailySequence.objects.exists()  # the day's number is not used up


def test_reference_rows_are_read_once_per_catalog_state(staff: Staff) -> None:
    procedure = residence()
    first = processes_of(procedure.pk)
    with CaptureQueriesContext(connection) as again:
        assert processes_of(procedure.pk) == first
    assert not statements_on(again, "catalog_processdefinition", "SELECT")
    latest = ProcessDefinition.objects.filter(procedure=procedure).order_by("-version").first()
    assert latest is not None
    latest.approved_by = "Quyết định số 1/QĐ-UBND"
    latest.save()  # a change of the catalog: the next read sees it
    assert processes_of(procedure.pk)[0].approved_by == latest.approved_by
    ProcessDefinition.objects.filter(pk=latest.pk).update(approved_by="Quyết định số 2/QĐ-UBND")
    catalog_changed()  # what every path that writes without signals does
    assert processes_of(procedure.pk)[0].approved_by == "Quyết định số 2/QĐ-UBND"
