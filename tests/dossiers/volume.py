"""Generated dossier volume for the scale tests: deterministic facts and cheap rows.

The rows are written as the application would leave them (every column, the keys table the
PostgreSQL triggers keep) but in bulk: no events, no documents. On PostgreSQL the insert and the
removal skip the per-row triggers and foreign-key checks (``session_replication_role``) and
write the keys in one statement: the same rows, without 100,000 trigger calls each way (the
100,000-row volume took 40 s to insert and 24 s to remove)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.common.text import fold_words
from motcua.dossiers.constants import Channel, Decision, Status
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit


def scaled(postgres: int, sqlite: int) -> int:
    """How many rows a volume test generates: the full volume on PostgreSQL, the database the
    city runs on (and whose plans the tests check); fewer on SQLite, which runs the same code
    paths and checks, and whose pass would otherwise spend a minute building rows."""
    return postgres if connection.vendor == "postgresql" else sqlite


# Shares of the statuses: dossiers of the last weeks are mostly open, older ones mostly done
# (a few stuck, hence overdue).
RECENT_DAYS = 45
RECENT = {
    Status.NEW: 8,
    Status.RECEIVED: 15,
    Status.PROCESSING: 45,
    Status.SUPPLEMENT_REQUESTED: 6,
    Status.AWAITING_PAYMENT: 1,
    Status.PROCESSED: 10,
    Status.RETURNED: 12,
    Status.STOPPED: 1,
    Status.NOT_RECEIVED: 2,
}
OLDER = {
    Status.PROCESSING: 2, Status.SUPPLEMENT_REQUESTED: 1, Status.PROCESSED: 4,
    Status.RETURNED: 85, Status.STOPPED: 4, Status.NOT_RECEIVED: 4,
}  # fmt: skip
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]
BATCH = 5_000


@dataclass(frozen=True)
class Fact:
    """What the test needs to know about a generated dossier, to count independently."""

    ref: str
    code: str | None
    procedure_id: int
    status: str
    channel: str
    current_step: int | None
    assignee_id: int | None
    decision: str
    submitted_at: datetime.datetime
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    finished_at: datetime.datetime | None


def process_of(procedure: Procedure) -> ProcessDefinition:
    return ProcessDefinition.objects.filter(procedure=procedure).order_by("-version").first()  # type: ignore[return-value]


def generated_facts(
    count: int, *, at: datetime.datetime, procedures: list[int], assignee: User | None, seed: int,
    days: int = 300, prefix: str = "BK",
) -> Iterator[Fact]:  # fmt: skip
    """Deterministic spread of statuses, steps, channels, submission and due dates around ``at``."""
    rng = random.Random(seed)
    channels = list(Channel.values)
    for number in range(count):
        age = datetime.timedelta(seconds=rng.randint(3_600, days * 86_400))
        weights = RECENT if age.days <= RECENT_DAYS else OLDER
        status = rng.choices(list(weights), list(weights.values()))[0]
        submitted = at - age
        received = None if status in {Status.NEW, Status.NOT_RECEIVED} else submitted
        done = status in {Status.PROCESSED, Status.RETURNED, Status.STOPPED}
        due = due_date(rng, at, submitted, done) if received else None
        finished = (
            min(at, submitted + datetime.timedelta(days=rng.randint(1, 40))) if done else None
        )
        step = {Status.RECEIVED: 2, Status.SUPPLEMENT_REQUESTED: 2, Status.PROCESSING: rng.choice([2, 3]),
                Status.PROCESSED: 4, Status.RETURNED: 4}.get(status)  # fmt: skip
        approved = done or (status == Status.PROCESSING and rng.random() < 0.03)
        yield Fact(
            ref=f"{prefix}{number:07d}", code=f"{prefix}-{number:07d}" if received else None,
            procedure_id=procedures[0] if rng.random() < 0.95 else procedures[-1], status=status,
            channel=rng.choice(channels), current_step=step,
            assignee_id=assignee.pk if assignee and status == Status.PROCESSING and rng.random() < 0.3 else None,
            decision=Decision.APPROVED if approved and status != Status.STOPPED else "",
            submitted_at=submitted, received_at=received, due_at=due, finished_at=finished,
        )  # fmt: skip


def due_date(
    rng: random.Random, at: datetime.datetime, submitted: datetime.datetime, done: bool
) -> datetime.datetime:
    """Done: 5 to 30 days after submission. Open: from 5 days ago to 20 days ahead (so some are
    overdue, some due today or soon), never before submission."""
    if done:
        return submitted + datetime.timedelta(days=rng.randint(5, 30))
    ahead = at + datetime.timedelta(seconds=rng.randint(-5 * 86_400, 20 * 86_400))
    return max(ahead, submitted + datetime.timedelta(days=1))


def bulk_dossiers(unit: Unit, facts: list[Fact], deciding: Unit | None = None) -> None:
    """Insert cheap dossier rows (no events, no documents) in batches of 5,000, in one transaction.
    ``unit`` receives them and decides them, or ``deciding`` does.

    Rows are prepared as plain tuples and written with ``executemany``: Django's ``bulk_create``
    on SQLite caps an INSERT at 999 parameters (20 dossier rows), about 1 ms a row in Python."""
    procedures = {p.pk: p for p in Procedure.objects.filter(pk__in={f.procedure_id for f in facts})}
    processes = {pk: process_of(p) for pk, p in procedures.items()}
    roles = {
        (pk, step.order): step.role for pk, process in processes.items()
        for step in process.steps.all()
    }  # fmt: skip
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    template = prepared(
        fields, Dossier(receiving_unit=unit, deciding_unit=deciding or unit, channel="counter")
    )
    applicants = {name: prepared_json(name) for name in NAMES}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {Dossier._meta.db_table} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )

    def rows(start: int) -> list[list[Any]]:
        batch = []
        for fact in facts[start : start + BATCH]:
            values = dict(zip(names, template, strict=True))
            values.update(varying(fact, procedures, processes, applicants))
            values["step_role"] = roles.get((fact.procedure_id, fact.current_step or 0), "")
            batch.append([values[name] for name in names])
        return batch

    with transaction.atomic(), connection.cursor() as cursor, without_row_triggers(cursor):
        if connection.vendor != "postgresql":
            for start in range(0, len(facts), BATCH):
                cursor.executemany(sql, rows(start))
            return
        # COPY: one stream instead of a statement per row (psycopg's copy protocol).
        copy_sql = f"COPY {Dossier._meta.db_table} ({columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for start in range(0, len(facts), BATCH):
                for row in rows(start):
                    copy.write_row(row)
        # What the skipped key trigger (dossiers migration 0013) writes, in one statement.
        cursor.execute(
            "INSERT INTO dossiers_dossierkey (key, dossier_id) SELECT unnest("
            "dossiers_dossier_key_list(ref, code, submitted_by_id, idempotency_key)), id "
            "FROM dossiers_dossier WHERE ref = ANY(%s)",
            [[fact.ref for fact in facts]],
        )


@contextmanager
def without_row_triggers(cursor: Any) -> Iterator[None]:
    """PostgreSQL, inside a transaction: no row triggers, no foreign-key checks (the test
    server's user is its superuser), then back to normal for the rest of the transaction. The
    generated rows point at existing units, procedures and users, and no other row points at
    them outside a test's own rolled-back transaction."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if postgres:
        cursor.execute("SET LOCAL session_replication_role = origin")


def generated_delete(prefix: str) -> None:
    """Remove the rows ``bulk_dossiers`` wrote under ``prefix`` (and their keys on PostgreSQL)."""
    with transaction.atomic(), connection.cursor() as cursor, without_row_triggers(cursor):
        if connection.vendor == "postgresql":
            # Statistics of the rows just written first: planned on those of the empty tables,
            # this delete once joined the keys to the dossiers row by row (352 s in a CI run).
            cursor.execute("ANALYZE dossiers_dossier, dossiers_dossierkey")
            cursor.execute(
                "DELETE FROM dossiers_dossierkey WHERE dossier_id IN "
                "(SELECT id FROM dossiers_dossier WHERE ref LIKE %s)",
                [f"{prefix}%"],
            )
        Dossier.objects.filter(ref__startswith=prefix)._raw_delete(connection.alias)


def prepared(fields: list[Any], prototype: Dossier) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(prototype, add=True), connection) for f in fields]


def prepared_json(name: str) -> tuple[Any, str]:
    field = Dossier._meta.get_field("applicant")
    value = field.get_db_prep_save({"name": name, "phone": "0912345678"}, connection)
    return value, fold_words(name)


def when(value: datetime.datetime | None) -> Any:
    """A date-time as the database takes it (SQLite: naive UTC text, as Django writes it)."""
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def varying(
    fact: Fact,
    procedures: dict[int, Procedure],
    processes: dict[int, ProcessDefinition],
    applicants: dict[str, tuple[Any, str]],
) -> dict[str, Any]:
    name = NAMES[int(fact.ref[-7:]) % len(NAMES)]
    applicant, folded = applicants[name]
    procedure, process = procedures[fact.procedure_id], processes[fact.procedure_id]
    return {
        "ref": fact.ref, "code": fact.code, "procedure_id": procedure.pk,
        "procedure_version": procedure.version, "process_id": process.pk,
        "process_version": process.version, "applicant": applicant, "applicant_name": name,
        "applicant_name_folded": folded, "applicant_id_number": f"0010900{fact.ref[-5:]}",
        "channel": fact.channel, "status": fact.status, "current_step": fact.current_step,
        "assignee_id": fact.assignee_id, "submitted_at": when(fact.submitted_at),
        "received_at": when(fact.received_at), "due_at": when(fact.due_at),
        "statutory_due_at": when(fact.due_at), "finished_at": when(fact.finished_at),
        "returned_at": when(fact.finished_at if fact.status == Status.RETURNED else None),
        "decision": fact.decision,
    }  # fmt: skip
