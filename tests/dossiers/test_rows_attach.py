"""``common.held_rows.rows_attach``: rows placed where ``prefetch_related`` puts them are read
without a query, and the queryset holding them filters as the related manager's would."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from django.db.models import Prefetch

from motcua.common.held_rows import HeldRows, related_rows, rows_attach, rows_held
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


def test_what_the_held_rows_do_not_answer_is_as_on_a_prefetched_queryset(
    staff: Staff, django_assert_num_queries: Any
) -> None:
    pk = received(staff).pk
    in_order = DossierEvent.objects.all()  # the model's order, as ``Inline`` sorts its rows
    prefetched = Dossier.objects.prefetch_related(Prefetch("events", in_order)).get(pk=pk)
    dossier = Dossier.objects.get(pk=pk)
    events = list(in_order.filter(dossier=dossier))
    rows_attach(dossier, "events", events)
    held, theirs = dossier.events.all(), prefetched.events.all()
    assert isinstance(held, HeldRows)
    with django_assert_num_queries(0):
        assert len(held) == len(events)
        assert held[0] is events[0]
        assert list(held[1:]) == events[1:]
        assert held._result_cache is events
        assert held.ordered == theirs.ordered
        assert held.first() is events[0]  # ordered: read from the rows, as theirs is
        assert theirs.first().pk == events[0].pk
    with django_assert_num_queries(4):  # a new query on each, the same answer
        assert held.last().pk == theirs.last().pk == events[-1].pk
        assert list(held.filter(seq__gte=2)) == list(theirs.filter(seq__gte=2)) == events[1:]


def test_a_parent_with_held_rows_is_copied_and_pickled(staff: Staff) -> None:
    dossier = Dossier.objects.get(pk=received(staff).pk)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    rows_attach(dossier, "events", events)
    for again in (copy.deepcopy(dossier), pickle.loads(pickle.dumps(dossier))):
        assert [e.pk for e in again.events.all()] == [e.pk for e in events]
        assert again.events.count() == len(events)


def test_related_rows_are_the_held_ones_or_the_managers(
    staff: Staff, django_assert_num_queries: Any
) -> None:
    pk = received(staff).pk
    dossier = Dossier.objects.get(pk=pk)
    events = list(DossierEvent.objects.filter(dossier=dossier))
    with django_assert_num_queries(1):  # not held: the manager's query
        assert list(related_rows(dossier, "events")) == events
    rows_attach(dossier, "events", events)
    with django_assert_num_queries(0):
        assert list(related_rows(dossier, "events")) == events
    prefetched = Dossier.objects.prefetch_related("events").get(pk=pk)
    with django_assert_num_queries(0):  # Django's own prefetch is read as well
        assert list(related_rows(prefetched, "events")) == events


def test_an_update_through_the_held_rows_is_read_back(staff: Staff) -> None:
    pk = received(staff).pk
    held, prefetched = Dossier.objects.get(pk=pk), Dossier.objects.prefetch_related("events").get(pk=pk)  # fmt: skip
    rows_attach(held, "events", list(DossierEvent.objects.filter(dossier=held)))
    for dossier in (prefetched, held):
        dossier.events.all().update(reason="Đã sửa")
    assert {e.reason for e in held.events.all()} == {e.reason for e in prefetched.events.all()} == {"Đã sửa"}  # fmt: skip
    assert held.events.count() == prefetched.events.count()
    assert rows_held(held, "events") == list(held.events.all())
