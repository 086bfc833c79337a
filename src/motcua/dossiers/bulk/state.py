"""The batch store: the ``DossierStore`` the bulk importer installs (docs/decisions/0016).

The services run unchanged on top of it: ``locked`` hands them a copy of the dossier as the
database would return it, and everything they write (the dossier, its events, steps, pauses,
issued documents, counters, the events they publish) is kept per line, then per batch. A line
the rules refuse leaves nothing behind (as its rolled-back transaction would); at the end of a
batch every row is written at once, in one transaction (``flush``). Dossiers stay in memory
between batches while they are open, so a history spread over a whole file is read once.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from typing import Any

from django.db import connection, transaction

from motcua.common import events
from motcua.common.clock import history_since
from motcua.common.rows import Ids, Table

from ..constants import FINAL
from ..errors import StaleDossier
from ..models import Dossier, DossierEvent, DossierPause, DossierStep, IssuedDocument
from .records import Record, clone, readback, records_load
from .sequences import Sequences

DOSSIERS = Table(Dossier)
EVENTS = Table(DossierEvent)
STEPS = Table(DossierStep)
PAUSES = Table(DossierPause)
DOCUMENTS = Table(IssuedDocument)
KEEP_OPEN = 200_000  # open dossiers kept in memory between batches; beyond, re-read when needed


class StaleBatch(Exception):
    """A dossier changed in the database since the run read it: the batch goes line by line."""


class BatchStore:
    def __init__(self) -> None:
        self.ids = {m: Ids(m) for m in (Dossier, DossierEvent, DossierStep, DossierPause, IssuedDocument)}  # fmt: skip
        self.sequences = Sequences()
        self.records: dict[int, Record] = {}
        self.refs: dict[str, int] = {}
        self.absent: set[str] = set()
        self.batch_clear()
        self.line_clear()

    # --- lines and batches ------------------------------------------------------------------

    def batch_clear(self) -> None:
        self.touched: dict[int, Record] = {}
        self.rows: dict[tuple[type, int], Any] = {}  # steps and pauses written in this batch
        self.events: list[DossierEvent] = []
        self.documents: list[IssuedDocument] = []
        self.published: list[tuple[str, dict[str, Any]]] = []

    def line_clear(self) -> None:
        self.line_records: dict[int, Record] = {}
        self.line_refs: dict[str, int] = {}
        self.line_rows: dict[tuple[type, int], Any] = {}
        self.line_events: list[DossierEvent] = []
        self.line_documents: list[IssuedDocument] = []
        self.line_published: list[tuple[str, dict[str, Any]]] = []

    def begin(self, refs: set[str]) -> None:
        """A new batch: (SQLite) keys counted from the database, the batch's dossiers read."""
        for ids in self.ids.values():
            ids.start()
        self.absent = set()
        self.load_refs(refs)

    def atomic(self) -> AbstractContextManager[Any]:
        """An action needs no transaction of its own here: ``line`` keeps or forgets all it
        did, and the batch is written in one transaction."""
        return nullcontext()

    @contextmanager
    def line(self) -> Iterator[None]:
        """One line: kept if it ends normally, forgotten if anything refuses it."""
        try:
            yield
        except BaseException:
            self.sequences.line_discard()
            self.line_clear()
            raise
        self.records.update(self.line_records)
        self.touched.update(self.line_records)
        self.refs.update(self.line_refs)
        self.rows.update(self.line_rows)
        self.events.extend(self.line_events)
        self.documents.extend(self.line_documents)
        self.published.extend(self.line_published)
        self.sequences.line_commit()
        self.line_clear()

    def reset(self) -> None:
        """After a failed batch: forget everything; the database is read again."""
        self.sequences = Sequences()
        self.records, self.refs, self.absent = {}, {}, set()
        self.batch_clear()
        self.line_clear()

    @property
    def pending_events(self) -> int:
        return len(self.events)

    # --- reading ----------------------------------------------------------------------------

    def load_refs(self, refs: set[str]) -> None:
        wanted = [ref for ref in refs if ref not in self.refs]
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            for record in records_load(Dossier.objects.filter(ref__in=chunk)):
                self.records[record.dossier.pk] = record
                self.refs[record.dossier.ref] = record.dossier.pk
            self.absent.update(ref for ref in chunk if ref not in self.refs)

    def record(self, pk: int) -> Record:
        found = self.line_records.get(pk) or self.records.get(pk)
        if found is None:
            for record in records_load(Dossier.objects.filter(pk=pk)):
                self.records[pk] = record
                self.refs[record.dossier.ref] = pk
            found = self.records[pk]
        return found

    def touch(self, pk: int) -> Record:
        """The line's own copy of the record, made on its first change in the line."""
        found = self.line_records.get(pk)
        if found is None:
            found = self.line_records[pk] = replace(self.record(pk))
        return found

    def by_ref(self, ref: str) -> Dossier | None:
        pk = self.line_refs.get(ref) or self.refs.get(ref)
        if pk is None:
            if ref in self.absent:
                return None
            self.load_refs({ref})
            pk = self.refs.get(ref)
            if pk is None:
                return None
        return readback(self.record(pk).dossier)

    def locked(self, dossier: Dossier, expected_version: int | None) -> Dossier:
        current = readback(self.record(dossier.pk).dossier)
        if expected_version is not None and current.version != expected_version:
            raise StaleDossier()
        return current

    def pauses_closed(self, dossier: Dossier) -> list[DossierPause]:
        return sorted(self.record(dossier.pk).closed_pauses, key=lambda p: p.start)

    def has_result_document(self, dossier: Dossier) -> bool:
        return self.record(dossier.pk).has_result

    def input_document_names(self, dossier: Dossier) -> list[str]:
        return list(self.record(dossier.pk).input_names)

    def open_consultation_unit_ids(self, dossier: Dossier) -> list[int]:
        return list(self.record(dossier.pk).consultations)

    # --- writing (in memory) ----------------------------------------------------------------

    def dossier_insert(self, dossier: Dossier) -> None:
        dossier.pk = self.ids[Dossier].next()
        self.line_records[dossier.pk] = Record(dossier)
        self.line_refs[dossier.ref] = dossier.pk

    def dossier_save(self, dossier: Dossier) -> None:
        self.touch(dossier.pk).dossier = dossier

    def book_number_set(self, dossier: Dossier, number: int) -> None:
        """Nothing to do: the saved dossier object already carries it."""

    def event_add(self, event: DossierEvent) -> None:
        event.pk = self.ids[DossierEvent].next()
        event.dossier_id = event.dossier.pk
        self.line_events.append(event)

    def step_leave(self, dossier: Dossier, ended: dict[str, Any]) -> None:
        record = self.touch(dossier.pk)
        for step in record.open_steps:
            closed = clone(step)
            for name, value in ended.items():
                setattr(closed, name, value)
            self.line_rows[(DossierStep, closed.pk)] = closed
        record.open_steps = ()

    def step_enter(self, visit: DossierStep) -> None:
        visit.pk = self.ids[DossierStep].next()
        visit.dossier_id = visit.dossier.pk
        record = self.touch(visit.dossier_id)
        record.open_steps = (*record.open_steps, visit)
        self.line_rows[(DossierStep, visit.pk)] = visit

    def pause_open(self, pause: DossierPause) -> None:
        pause.pk = self.ids[DossierPause].next()
        pause.dossier_id = pause.dossier.pk
        record = self.touch(pause.dossier_id)
        record.open_pauses = (*record.open_pauses, pause)
        self.line_rows[(DossierPause, pause.pk)] = pause

    def pause_end(self, dossier: Dossier, kind: str, at: datetime.datetime) -> None:
        record = self.touch(dossier.pk)
        still = []
        for pause in record.open_pauses:
            if pause.kind != kind:
                still.append(pause)
                continue
            ended = clone(pause)
            ended.end = at
            self.line_rows[(DossierPause, ended.pk)] = ended
            record.closed_pauses = (*record.closed_pauses, ended)
        record.open_pauses = tuple(still)

    def code_next(self, unit_id: int, day: datetime.date) -> int:
        return self.sequences.code_next(unit_id, day)

    def number_next(self, unit_id: int, year: int, kind: str) -> int:
        return self.sequences.number_next(unit_id, year, kind)

    def document_add(self, document: IssuedDocument) -> None:
        document.pk = self.ids[IssuedDocument].next()
        document.dossier_id = document.dossier.pk
        if document.event is not None:
            document.event_id = document.event.pk
        self.line_documents.append(document)

    def publish(self, name: str, **data: Any) -> None:
        self.line_published.append((name, data))

    # --- writing (to the database) ----------------------------------------------------------

    def flush(self) -> int:
        """Write the batch in one transaction; returns the number of events written."""
        records = list(self.touched.values())
        written = len(self.events)
        with transaction.atomic():
            DOSSIERS.insert([r.dossier for r in records if r.stored_version is None])
            changed = [r for r in records if r.stored_version is not None]
            for record in changed:
                record.dossier._bulk_guard = record.stored_version  # type: ignore[attr-defined]
            if DOSSIERS.update([r.dossier for r in changed], guard="version") != len(changed):
                raise StaleBatch()
            for table, model in ((STEPS, DossierStep), (PAUSES, DossierPause)):
                rows = [row for (kind, _pk), row in self.rows.items() if kind is model]
                table.insert([row for row in rows if row._state.adding])
                table.update([row for row in rows if not row._state.adding])
            EVENTS.insert(self.events)
            DOCUMENTS.insert(self.documents)
            self.sequences.write()
            self.renders_enqueue()
            # Subscribers see the rows they are about; those that read per event take the
            # batch's events at once (``events.subscribe_batch``).
            events.publish_many(self.published)
        for record in records:
            record.stored_version = record.dossier.version
        self.batch_clear()
        self.evict()
        return written

    def renders_enqueue(self) -> None:
        """PDFs of recent documents are rendered by the worker, as after any action; those of a
        history (older than a notification may be) on their first download (``issued_pdf``)."""
        from ..document_tasks import issued_document_render_task

        since = history_since()
        for document in self.documents:
            if since is None or document.issued_at >= since:
                issued_document_render_task.enqueue(document_id=document.pk)

    def evict(self) -> None:
        """Finished dossiers leave memory; beyond ``KEEP_OPEN`` the oldest open ones too (a
        dossier that leaves is read again from the database if a later line names it)."""
        finished = {pk for pk, record in self.records.items() if record.dossier.status in FINAL}
        extra = max(0, len(self.records) - len(finished) - KEEP_OPEN)
        oldest = (pk for pk in self.records if pk not in finished)
        for pk in [*finished, *itertools.islice(oldest, extra)]:
            record = self.records.pop(pk)
            self.refs.pop(record.dossier.ref, None)

    @staticmethod
    def whole_batch_in_one_transaction() -> bool:
        """SQLite hands keys out from the highest in use: the batch holds the write lock from its
        first key to its last row. PostgreSQL draws them from the sequences, so the rules run
        outside any transaction and only the writing takes one."""
        return connection.vendor != "postgresql"
