"""``common.inline.rows_attach``: rows placed where ``prefetch_related`` puts them are read
without a query, and the queryset holding them filters as the related manager's would."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.common.inline import rows_attach, rows_held
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import Staff, received

pytestmark = pytest.mark.django_db


def test_attached_rows_are_read_without_a_query(
    staff: Staff, django_assert_num_queries: Any
) -> None:
    dossier = Dossier.objects.get(pk=received(staff).pk)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert len(events) >= 2
    rows_attach(dossier, "events", events)
    with django_assert_num_queries(0):
        assert list(dossier.events.all()) == events
        assert dossier.events.count() == len(events)
        assert dossier.events.exists()
        assert rows_held(dossier, "events") == events


def test_the_held_queryset_filters_as_the_managers_would(
    staff: Staff, django_assert_num_queries: Any
) -> None:
    first, second = received(staff), received(staff)
    dossier = Dossier.objects.get(pk=first.pk)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    rows_attach(dossier, "events", events)
    plain = Dossier.objects.get(pk=first.pk)
    assert str(dossier.events.filter(seq__gte=2).query) == str(
        plain.events.filter(seq__gte=2).query
    )
    with django_assert_num_queries(1):
        later = list(dossier.events.filter(seq__gte=2).order_by("seq"))
    assert later == [event for event in events if event.seq >= 2]
    assert DossierEvent.objects.filter(dossier=second).exists()  # another dossier's are left out
    with django_assert_num_queries(0):
        assert all(event.dossier is dossier for event in later)  # known to be this dossier's


def test_an_empty_relation_is_held_too(staff: Staff, django_assert_num_queries: Any) -> None:
    dossier = Dossier.objects.get(pk=received(staff).pk)
    rows_attach(dossier, "consultations", [])
    with django_assert_num_queries(0):
        assert list(dossier.consultations.all()) == []
        assert not dossier.consultations.exists()
