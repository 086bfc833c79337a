"""Where the dossier kernel reads and writes rows: one seam, two implementations.

The services decide (``services/``, the action registry); the store persists what they decided.
``DatabaseStore``, the default, writes each row as the action happens, as the web, the API and
the line-by-line importer need. The bulk importer (``dossiers.bulk``) installs a ``BatchStore``
for its run: the same services run the same rules on the same state, and only the writes are
grouped into batches (COPY on PostgreSQL). Nothing here decides anything; a method that starts
to hold a rule belongs in the services instead (docs/decisions/0016).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import QuerySet

from motcua.common import events
from motcua.common.held_rows import rows_attach
from motcua.common.prepared import PreparedQuery
from motcua.common.queries import unique_or_none
from motcua.common.rows import rows_insert
from motcua.common.task_backend import tasks_written_together

from .errors import StaleDossier
from .models import (
    Consultation,
    DailySequence,
    DocumentSequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStep,
    IssuedDocument,
)


class DossierStore(Protocol):
    """What the kernel and the services need from storage (see the module docstring)."""

    def atomic(self) -> AbstractContextManager[Any]: ...
    def by_ref(self, ref: str) -> Dossier | None: ...
    def locked(self, dossier: Dossier, expected_version: int | None) -> Dossier:
        found = DOSSIER_LOCKED(pk=dossier.pk)
        if not found:
            raise Dossier.DoesNotExist(dossier.pk)
        current = found[0]
        if expected_version is not None and current.version != expected_version:
            raise StaleDossier()
        return current

    def dossier_insert(self, dossier: Dossier) -> None: ...
    def dossier_save(self, dossier: Dossier) -> None: ...
    def book_number_set(self, dossier: Dossier, number: int) -> None: ...
    def event_add(self, event: DossierEvent) -> None: ...
    def step_leave(self, dossier: Dossier, ended: dict[str, Any]) -> None: ...
    def step_enter(self, visit: DossierStep) -> None: ...
    def pause_open(self, pause: DossierPause) -> None: ...
    def pause_end(self, dossier: Dossier, kind: str, at: datetime.datetime) -> None: ...
    def pauses_closed(self, dossier: Dossier) -> list[DossierPause]: ...
    def code_next(self, unit_id: int, day: datetime.date) -> int: ...
    def number_next(self, unit_id: int, year: int, kind: str) -> int: ...
    def document_add(self, document: IssuedDocument) -> None: ...
    def has_result_document(self, dossier: Dossier) -> bool: ...
    def input_document_names(self, dossier: Dossier) -> list[str]: ...
    def open_consultation_unit_ids(self, dossier: Dossier) -> list[int]: ...
    def publish(self, name: str, **data: Any) -> None: ...


def dossier_locked(pk: int) -> QuerySet[Dossier]:
    # Only the units are joined: the procedure row carries large JSON (e-form, legal basis)
    # that no action needs; it is fetched lazily when one does.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_unit", "deciding_unit")
        .defer(
            *[
                f"{unit}__{name}"
                for unit in ("receiving_unit", "deciding_unit")
                for name in ("attributes", "note")
            ]
        )
        .filter(pk=pk)
        .order_by()
    )


# The row every action starts from: compiled once per connection (``common.prepared``).
DOSSIER_LOCKED = PreparedQuery(dossier_locked, pk=(1, 2))


class DatabaseStore:
    """Every write at once, in the caller's transaction; every read from the database."""

    def atomic(self) -> AbstractContextManager[Any]:
        """One action: all of it or nothing."""
        return transaction.atomic()

    def by_ref(self, ref: str) -> Dossier | None:
        return unique_or_none(Dossier.objects.filter(ref=ref))

    def locked(self, dossier: Dossier, expected_version: int | None) -> Dossier:
        # Only the units are joined: the procedure row carries large JSON (e-form, legal basis)
        # that no action needs; it is fetched lazily when one does.
        current = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("receiving_unit", "deciding_unit")
            .defer(
                *[
                    f"{unit}__{name}"
                    for unit in ("receiving_unit", "deciding_unit")
                    for name in ("attributes", "note")
                ]
            )
            .get(pk=dossier.pk)
        )
        if expected_version is not None and current.version != expected_version:
            raise StaleDossier()
        return current

    def dossier_insert(self, dossier: Dossier) -> None:
        rows_insert([dossier])

    def dossier_save(self, dossier: Dossier) -> None:
        dossier.save()

    def book_number_set(self, dossier: Dossier, number: int) -> None:
        Dossier.objects.filter(pk=dossier.pk).update(book_number=number)

    def event_add(self, event: DossierEvent) -> None:
        rows_insert([event])

    def step_leave(self, dossier: Dossier, ended: dict[str, Any]) -> None:
        DossierStep.objects.filter(dossier=dossier, ended_at__isnull=True).update(**ended)

    def step_enter(self, visit: DossierStep) -> None:
        rows_insert([visit])

    def pause_open(self, pause: DossierPause) -> None:
        rows_insert([pause])

    def pause_end(self, dossier: Dossier, kind: str, at: datetime.datetime) -> None:
        DossierPause.objects.filter(dossier=dossier, kind=kind, end__isnull=True).update(end=at)

    def pauses_closed(self, dossier: Dossier) -> list[DossierPause]:
        return list(
            DossierPause.objects.filter(dossier=dossier, end__isnull=False).order_by("start")
        )

    def code_next(self, unit_id: int, day: datetime.date) -> int:
        """The unit's next number of the day (TT 01/2018 art. 19), see ``counter_next``."""
        return counter_next(
            DailySequence, {"unit_id": unit_id, "day": connection.ops.adapt_datefield_value(day)}
        )

    def number_next(self, unit_id: int, year: int, kind: str) -> int:
        """The unit's next number of a kind of document in the year, see ``counter_next``."""
        return counter_next(DocumentSequence, {"unit_id": unit_id, "year": year, "kind": kind})

    def document_add(self, document: IssuedDocument) -> None:
        from .document_tasks import issued_document_render_task  # its module renders PDFs

        rows_insert([document])
        issued_document_render_task.enqueue(document_id=document.pk)  # outbox: commits with it

    def has_result_document(self, dossier: Dossier) -> bool:
        return dossier.documents.filter(kind=DossierDocument.Kind.RESULT).exists()

    def input_document_names(self, dossier: Dossier) -> list[str]:
        return list(dossier.documents.filter(kind="input").values_list("name", flat=True))

    def open_consultation_unit_ids(self, dossier: Dossier) -> list[int]:
        return list(
            Consultation.objects.filter(dossier=dossier, answered_at__isnull=True).values_list(
                "unit_id", flat=True
            )
        )

    def publish(self, name: str, **data: Any) -> None:
        events.publish(name, **data)


DATABASE = DatabaseStore()


class CreationStore(DatabaseStore):
    """The store of one new dossier's creation: submitted and, at the counter, received in the
    creation's one transaction (``services.reception.dossier_create``).

    Nothing of the dossier is in the database before the creation writes it, so what the rules
    ask about it (its pauses, steps, input documents, consultations) is answered from what the
    creation did, and its rows are written once, at the end (``flush``): the dossier as it
    finally stands (one insert instead of an insert, an update and the book number's update),
    its events in one statement, then its steps and issued documents, then the events published
    in between, in their order, so that subscribers see the rows they are about. Everything else
    (the counters, reference data) is the database's, as in ``DatabaseStore``."""

    def __init__(self) -> None:
        self.dossier: Dossier | None = None
        self.events: list[DossierEvent] = []
        self.steps: list[DossierStep] = []
        self.pauses: list[DossierPause] = []
        self.documents: list[IssuedDocument] = []
        self.published: list[tuple[str, dict[str, Any]]] = []

    def atomic(self) -> AbstractContextManager[Any]:
        """Each action is part of the creation's transaction: all of it or nothing."""
        return nullcontext()

    def mine(self, dossier: Dossier) -> bool:
        return dossier is self.dossier

    def by_ref(self, ref: str) -> Dossier | None:
        if self.dossier is not None and self.dossier.ref == ref:
            return self.dossier
        return super().by_ref(ref)

    def locked(self, dossier: Dossier, expected_version: int | None) -> Dossier:
        if not self.mine(dossier):
            return super().locked(dossier, expected_version)
        if expected_version is not None and dossier.version != expected_version:
            raise StaleDossier()
        return dossier

    def dossier_insert(self, dossier: Dossier) -> None:
        if self.dossier is not None:  # one creation, one dossier
            raise RuntimeError("CreationStore: a second dossier in one creation")
        self.dossier = dossier

    def dossier_save(self, dossier: Dossier) -> None:
        if not self.mine(dossier):
            super().dossier_save(dossier)

    def book_number_set(self, dossier: Dossier, number: int) -> None:
        if not self.mine(dossier):  # the dossier in hand carries it to its insert
            super().book_number_set(dossier, number)

    def event_add(self, event: DossierEvent) -> None:
        self.events.append(event)

    def step_leave(self, dossier: Dossier, ended: dict[str, Any]) -> None:
        if not self.mine(dossier):
            super().step_leave(dossier, ended)
            return
        for step in self.steps:
            if step.ended_at is None:
                for name, value in ended.items():
                    setattr(step, name, value)

    def step_enter(self, visit: DossierStep) -> None:
        self.steps.append(visit)

    def pause_open(self, pause: DossierPause) -> None:
        self.pauses.append(pause)

    def pause_end(self, dossier: Dossier, kind: str, at: datetime.datetime) -> None:
        if not self.mine(dossier):
            super().pause_end(dossier, kind, at)
            return
        for pause in self.pauses:
            if pause.kind == kind and pause.end is None:
                pause.end = at

    def pauses_closed(self, dossier: Dossier) -> list[DossierPause]:
        if not self.mine(dossier):
            return super().pauses_closed(dossier)
        return sorted((p for p in self.pauses if p.end is not None), key=lambda p: p.start)

    def document_add(self, document: IssuedDocument) -> None:
        self.documents.append(document)

    def has_result_document(self, dossier: Dossier) -> bool:
        return False if self.mine(dossier) else super().has_result_document(dossier)

    def input_document_names(self, dossier: Dossier) -> list[str]:
        return [] if self.mine(dossier) else super().input_document_names(dossier)

    def open_consultation_unit_ids(self, dossier: Dossier) -> list[int]:
        return [] if self.mine(dossier) else super().open_consultation_unit_ids(dossier)

    def publish(self, name: str, **data: Any) -> None:
        self.published.append((name, data))

    def flush(self) -> None:
        """Write what the creation did; call inside its transaction, with this store no longer
        installed (subscribers act on other dossiers through the database's store)."""
        assert self.dossier is not None
        DATABASE.dossier_insert(self.dossier)
        rows_insert(self.events)  # both events, one statement
        rows_insert(self.steps)
        rows_insert(self.pauses)
        with tasks_written_together():  # the receipt's PDF and the messages: one statement
            for document in self.documents:
                DATABASE.document_add(document)
            self.relations_keep(self.dossier)
            for name, data in self.published:
                DATABASE.publish(name, **data)

    def relations_keep(self, dossier: Dossier) -> None:
        """The new dossier's related rows as this creation wrote them, where a read would have
        loaded them (``reading.INLINES``, and its files): its answer and its subscribers (which
        act on it only through tasks) read nothing back."""
        rows_attach(dossier, "events", sorted(self.events, key=lambda event: event.seq))
        issued = sorted(self.documents, key=lambda document: (document.issued_at, document.pk))
        rows_attach(dossier, "issued_documents", issued)
        rows_attach(dossier, "consultations", [])  # asked later, never at creation
        rows_attach(dossier, "documents", [])  # none yet (``input_document_names``)


_CURRENT: ContextVar[DossierStore] = ContextVar("motcua_dossier_store", default=DATABASE)


def counter_next(model: type[DailySequence | DocumentSequence], key: dict[str, Any]) -> int:
    """The counter's next value, in one statement (an upsert that returns it).

    The row stays locked until the action commits, so numbers have no gaps (the tracking book and
    the register of issued documents may not skip one) and two actions never get the same number;
    actions counting on other rows do not wait. (PostgreSQL and SQLite >= 3.35 both speak this.)"""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column) for column in key)  # the columns of its unique constraint
    marks = ", ".join(["%s"] * len(key))
    upsert = (
        f"INSERT INTO {table} ({columns}, last) VALUES ({marks}, 1) "  # noqa: S608 (our names)
        f"ON CONFLICT ({columns}) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(upsert, list(key.values()))
        return int(cursor.fetchone()[0])


def store() -> DossierStore:
    """The store of this thread or task: the database's, unless a bulk run installed its own."""
    return _CURRENT.get()


@contextmanager
def store_installed(installed: DossierStore) -> Iterator[DossierStore]:
    token = _CURRENT.set(installed)
    try:
        yield installed
    finally:
        _CURRENT.reset(token)
