"""``common.rows.rows_insert``: the rows the ORM's ``save``/``bulk_create`` write, in one
statement made once per model and number of rows (issue 12: creation's inserts)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Procedure
from motcua.common.rows import rows_insert
from motcua.dossiers.models import Dossier, DossierPause
from motcua.notifications.models import Notification
from tests.dossiers.conftest import Staff, submitted

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


def stored(model: Any, pk: int) -> dict[str, Any]:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def pauses(dossier: Dossier) -> list[DossierPause]:
    return [
        DossierPause(dossier=dossier, kind="supplement", start=START, reason="Thiếu giấy tờ"),
        DossierPause(dossier=dossier, kind="consultation", start=START, end=START, reason="é\n"),
    ]


def test_rows_are_those_the_orm_writes_in_one_statement(staff: Staff) -> None:
    dossier = submitted(staff)
    ours, theirs = pauses(dossier), pauses(dossier)
    DossierPause.objects.bulk_create(theirs)
    with CaptureQueriesContext(connection) as queries:
        rows_insert(ours)
    assert len(queries) == 1
    assert all(p.pk is not None and not p._state.adding for p in ours)
    assert [stored(DossierPause, p.pk) for p in ours] == [
        stored(DossierPause, p.pk) for p in theirs
    ]
    assert ours[0].pk < ours[1].pk  # the keys come back in the rows' order


def test_a_row_with_relations_and_one_given_before_its_row_was_saved(staff: Staff) -> None:
    dossier = submitted(staff)
    event = dossier.events.get()
    note = Notification(
        dossier=dossier, event=event, kind="received", channel="sms", recipient="0912345678",
        subject="", body="Hồ sơ {\"a\": [1]}", idempotency_key="k1", created_at=START,
        next_attempt_at=START,
    )  # fmt: skip
    rows_insert([note])
    copy = Notification.objects.create(
        dossier=dossier, event=event, kind="received", channel="email", recipient="0912345678",
        subject="", body="Hồ sơ {\"a\": [1]}", idempotency_key="k2", created_at=START,
        next_attempt_at=START,
    )  # fmt: skip
    mine, orm = stored(Notification, note.pk), stored(Notification, copy.pk)
    assert mine.pop("idempotency_key") != orm.pop("idempotency_key")
    assert (mine.pop("channel"), orm.pop("channel")) == ("sms", "email")
    assert mine == orm
    # A relation set while its row had no key yet takes the key the row got since, as save does.
    pause = DossierPause(kind="supplement", start=START)
    fresh = Dossier.objects.get(pk=dossier.pk)
    fresh.pk = None
    pause.dossier = fresh
    with pytest.raises(ValueError, match="not saved"):
        rows_insert([pause])
    fresh.pk = dossier.pk
    rows_insert([pause])
    assert DossierPause.objects.get(pk=pause.pk).dossier_id == dossier.pk


def test_a_model_with_save_receivers_and_mixed_keys_are_refused(staff: Staff) -> None:
    with pytest.raises(TypeError, match="save signals"):
        rows_insert([Procedure(code="x")])  # the catalog's revision listens to its saves
    dossier = submitted(staff)
    keyed, new = pauses(dossier)
    keyed.pk = 10**9
    with pytest.raises(ValueError, match="with and without keys"):
        rows_insert([keyed, new])
