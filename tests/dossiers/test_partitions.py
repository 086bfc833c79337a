"""Dossiers, events and step visits partitioned by ranges of dossier ids on PostgreSQL
(docs/decisions/0022-partitions-by-id-range.md); SQLite keeps plain tables."""

from __future__ import annotations

import datetime
import importlib
import json
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from psycopg import errors as psycopg_errors

from motcua.common.clock import VIETNAM, clock_set_to
from motcua.dossiers import partitions as p
from motcua.dossiers.audit_roots import audit_publish, audit_scan
from motcua.dossiers.bulk.export import dossiers_export
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.services.reception import dossier_made_with

from .conftest import Staff, at, received, submitted

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only"
)
TABLES = ("dossiers_dossier", "dossiers_dossierevent", "dossiers_dossierstep")
MIGRATION = importlib.import_module("motcua.dossiers.migrations.0013_partitions")


def scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def foreign_key_of(table: str) -> str:
    """The definition of ``table``'s one foreign key, as PostgreSQL prints it."""
    return str(
        scalar(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
    )


def partition_of(table: str, **where: int) -> str:
    column, value = next(iter(where.items()))
    return str(scalar(f"SELECT tableoid::regclass::text FROM {table} WHERE {column} = %s LIMIT 1", [value]))  # fmt: skip


@pytest.fixture
def sequence_kept(db: None) -> Iterator[None]:
    """A jump of the dossier id sequence is not rolled back with the test's transaction (the
    partitions it points into are): put the sequence back."""
    if connection.vendor != "postgresql":
        yield
        return
    sequence = scalar("SELECT pg_get_serial_sequence('dossiers_dossier', 'id')")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last, called = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last, called])


def partition_in_use() -> p.Partition:
    """The period whose range the next dossier id falls in."""
    sequence = scalar("SELECT pg_get_serial_sequence('dossiers_dossier', 'id')")
    following = scalar(f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}")  # fmt: skip
    return next(x for x in p.partitions_list() if x.low <= following < x.high)


def next_period_opened() -> tuple[p.Partition, p.Partition]:
    """(the period in use, the one after the latest period): created ahead, then begun.
    Works whatever periods earlier tests or processes left in the test database."""
    in_use, latest = partition_in_use(), p.partitions_list()[-1]
    following = p.period_of(latest.starts_on).next_starts_on
    ahead = datetime.datetime.combine(following, datetime.time(9), VIETNAM) - datetime.timedelta(days=3)  # fmt: skip
    created = p.partitions_ensure(at=ahead)
    assert [line.split(":")[0] for line in created] == [f"tạo / created {following.year}"]
    assert p.partitions_list()[-1].opened_at is None  # created ahead, not in use yet
    assert partition_in_use() == in_use
    assert p.partitions_ensure(at=ahead) == []  # idempotent
    begun = datetime.datetime.combine(following, datetime.time(0, 5), VIETNAM)
    assert p.partitions_due(begun)
    assert p.partitions_ensure(at=begun) == [
        f"mở / opened {following.year}: hồ sơ mới từ id {latest.high:,}"
    ]
    assert not p.partitions_due(begun)
    opened = p.partitions_list()[-1]
    assert partition_in_use() == opened
    return in_use, opened


@postgres_only
def test_postgres_dossiers_events_and_steps_are_partitioned_by_dossier_id() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.partstrat, a.attname FROM pg_partitioned_table t "
            "JOIN pg_class c ON c.oid = t.partrelid "
            "JOIN pg_attribute a ON a.attrelid = t.partrelid AND a.attnum = t.partattrs[0] "
            "WHERE c.relname = ANY (%s) ORDER BY c.relname",
            [list(TABLES)],
        )
        assert cursor.fetchall() == [
            ("dossiers_dossier", "r", "id"),
            ("dossiers_dossierevent", "r", "dossier_id"),
            ("dossiers_dossierstep", "r", "dossier_id"),
        ]
    periods = p.partitions_list()
    first = periods[0]
    for table in TABLES:
        partitions = scalar(
            "SELECT array_agg(inhrelid::regclass::text ORDER BY inhrelid) FROM pg_inherits "
            "WHERE inhparent = %s::regclass",
            [table],
        )
        assert sorted(partitions) == sorted(f"{table}_{x.suffix}" for x in periods)
    # The worklist's partial and covering indexes exist on the table and on each partition.
    for name in ("dossier_open_receiving", "dossier_open_deciding", "dossier_deciding_cover"):
        assert scalar("SELECT count(*) FROM pg_class WHERE relname = %s", [name]) == 1
        assert scalar("SELECT count(*) FROM pg_class WHERE relname = %s", [f"{name}_{first.suffix}"]) == 1  # fmt: skip


@postgres_only
def test_postgres_a_new_periods_dossiers_and_their_history_land_in_its_partitions(
    staff: Staff, sequence_kept: None
) -> None:
    before = received(staff)
    first, second = next_period_opened()
    after = received(staff, "2026-03-03 09:00")
    assert first.low <= before.pk < first.high <= second.low <= after.pk < second.high
    for dossier, partition in ((before, first), (after, second)):
        assert partition_of("dossiers_dossier", id=dossier.pk) == f"dossiers_dossier_{partition.suffix}"  # fmt: skip
        assert partition_of("dossiers_dossierevent", dossier_id=dossier.pk) == f"dossiers_dossierevent_{partition.suffix}"  # fmt: skip
        assert partition_of("dossiers_dossierstep", dossier_id=dossier.pk) == f"dossiers_dossierstep_{partition.suffix}"  # fmt: skip
    # An old dossier's later events stay with it, in its period's partition.
    from motcua.dossiers.services import dossier_forward

    dossier_forward(dossier=before, actor=staff.specialist, at=at("2026-03-04 09:00"))
    tables = scalar(
        "SELECT array_agg(DISTINCT tableoid::regclass::text) FROM dossiers_dossierevent "
        "WHERE dossier_id = %s",
        [before.pk],
    )
    assert tables == [f"dossiers_dossierevent_{first.suffix}"]
    out = StringIO()
    call_command("partitions", stdout=out)
    listing = out.getvalue()
    assert f"{second.period:<10} {second.starts_on:%d/%m/%Y}" in listing
    assert re.search(rf"{second.low:,}\s+{second.high - 1:,}", listing)


@postgres_only
def test_postgres_one_dossiers_history_is_read_from_one_partition(
    staff: Staff, sequence_kept: None
) -> None:
    received(staff)
    _first, second = next_period_opened()
    dossier = received(staff, "2026-03-03 09:00")
    for query in (
        DossierEvent.objects.filter(dossier=dossier).order_by("seq"),
        DossierStep.objects.filter(dossier=dossier).order_by("started_at", "pk"),
        Dossier.objects.filter(pk=dossier.pk),
    ):
        plan = query.explain()
        touched = {name.rsplit("_", 1)[1] for name in re.findall(r"dossiers_dossier\w*_p\d+", plan)}
        assert touched == {second.suffix}, plan


@postgres_only
def test_postgres_export_and_verify_read_both_sides_of_a_periods_jump(
    staff: Staff, sequence_kept: None
) -> None:
    received(staff)
    next_period_opened()
    received(staff, "2026-03-03 09:00")
    ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    assert ids[-1] - ids[0] > p.STEP // 2
    moment = at("2026-03-20 09:00")
    out = StringIO()
    assert dossiers_export(out, at=moment) == 2
    assert [json.loads(line)["ref"] for line in out.getvalue().splitlines()] == list(
        Dossier.objects.order_by("pk").values_list("ref", flat=True)
    )
    audit_publish(at=moment)
    report = audit_scan()
    assert (report.dossiers, report.problems) == (2, [])


def test_a_code_a_reference_or_an_idempotency_key_is_never_given_twice(
    staff: Staff, sequence_kept: None
) -> None:
    """Across partitions on PostgreSQL (through dossiers_dossierkey), within the table on SQLite."""
    old = received(staff)
    if connection.vendor == "postgresql":
        next_period_opened()
    new = received(staff, "2026-03-03 09:00")
    assert old.code != new.code
    for field, value in (("code", old.code), ("ref", old.ref)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Dossier.objects.filter(pk=new.pk).update(**{field: value})
    Dossier.objects.filter(pk=old.pk).update(submitted_by=staff.reception, idempotency_key="K1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=new.pk).update(submitted_by=staff.reception, idempotency_key="K1")  # fmt: skip
    # A key given up is free again (a corrected code, a changed key).
    Dossier.objects.filter(pk=old.pk).update(code=old.code + "-X", idempotency_key="K2")
    Dossier.objects.filter(pk=new.pk).update(code=old.code, idempotency_key="K1")
    assert Dossier.objects.get(code=old.code).pk == new.pk


def test_an_idempotency_key_seen_before_finds_its_dossier_in_one_partition(
    staff: Staff, sequence_kept: None
) -> None:
    """On PostgreSQL the key table gives the id, then the dossier is read by id: planned for its
    own partition, not for every period's; a key never seen costs the key table's read alone."""
    received(staff)
    second = next_period_opened()[1] if connection.vendor == "postgresql" else None
    dossier = received(staff, "2026-03-03 09:00")
    Dossier.objects.filter(pk=dossier.pk).update(submitted_by=staff.reception, idempotency_key="K1")
    with CaptureQueriesContext(connection) as done:
        assert dossier_made_with(staff.reception, "K1") == dossier
        assert dossier_made_with(staff.specialist, "K1") is None  # another caller's key
        assert dossier_made_with(staff.reception, "K2") is None
    if second is None:
        return
    assert len(done.captured_queries) == 4  # key, dossier by id; key; key
    read = done.captured_queries[1]["sql"]
    assert "dossiers_dossierkey" not in read
    plan = scalar("EXPLAIN (FORMAT JSON) " + read)
    touched = {name.rsplit("_", 1)[1] for name in re.findall(r"dossiers_dossier\w*_p\d+", json.dumps(plan))}  # fmt: skip
    assert touched == {second.suffix}, plan


def bare(staff: Staff, ref: str) -> Dossier:
    """A dossier row without history (nothing protects it from deletion)."""
    model = submitted(staff)
    return Dossier.objects.create(
        ref=ref, procedure=model.procedure, procedure_version=model.procedure_version,
        applicant_name="Thử", channel=model.channel, receiving_unit=model.receiving_unit,
        deciding_unit=model.deciding_unit, submitted_at=model.submitted_at,
    )  # fmt: skip


@postgres_only
def test_postgres_key_rows_follow_inserts_deletes_and_truncation(staff: Staff) -> None:
    dossier = bare(staff, "HSTHU1")
    keys = {f"r|{dossier.ref}"}
    assert set(scalar("SELECT array_agg(key) FROM dossiers_dossierkey WHERE dossier_id = %s", [dossier.pk])) == keys  # fmt: skip
    Dossier.objects.filter(pk=dossier.pk).update(code="TEST-1")
    assert scalar("SELECT count(*) FROM dossiers_dossierkey WHERE dossier_id = %s", [dossier.pk]) == 2  # fmt: skip
    Dossier.objects.filter(pk=dossier.pk).delete()
    assert scalar("SELECT count(*) FROM dossiers_dossierkey WHERE dossier_id = %s", [dossier.pk]) == 0  # fmt: skip
    submitted(staff)
    with connection.cursor() as cursor:  # what a test database's flush does (rolled back here)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check left pending
        cursor.execute("TRUNCATE dossiers_dossier CASCADE")
    assert scalar("SELECT count(*) FROM dossiers_dossierkey") == 0


def test_the_partitions_command_says_where_it_has_nothing_to_show() -> None:
    if connection.vendor == "postgresql":
        out = StringIO()
        call_command("partitions", stdout=out)
        assert "kỳ/period" in out.getvalue()
        return
    with pytest.raises(CommandError, match="Chỉ có phân vùng trên PostgreSQL"):
        call_command("partitions", "--ensure")
    assert not p.partitions_due(at("2026-03-02 09:00"))


def test_the_partitions_command_refuses_a_date_it_cannot_read() -> None:
    with pytest.raises(CommandError, match="ngày không hợp lệ"):
        call_command("partitions", "--ensure", "--at", "2027-01-01")


def test_periods_are_years_or_months() -> None:
    day = datetime.date(2027, 12, 15)
    assert p.period_of(day, "year") == p.Period("2027", datetime.date(2027, 1, 1), datetime.date(2028, 1, 1))  # fmt: skip
    assert p.period_of(day, "month") == p.Period("2027-12", datetime.date(2027, 12, 1), datetime.date(2028, 1, 1))  # fmt: skip
    assert p.period_of(day, "month").suffix == "p202712"


@postgres_only
def test_postgres_a_table_with_rows_becomes_its_own_first_partition_and_back() -> None:
    """The migration's conversion on small tables made for the test: rows, keys, foreign keys
    (one to a key that gains the partition column) and the sequence carry over, both ways."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE t_parent (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "ref varchar(10) UNIQUE);"
            "CREATE TABLE t_child (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "parent_id bigint NOT NULL REFERENCES t_parent(id) DEFERRABLE INITIALLY DEFERRED, "
            "seq int NOT NULL CHECK (seq >= 0), UNIQUE (parent_id, seq));"
            "CREATE INDEX t_child_seq ON t_child (seq) WHERE seq > 1;"
            "CREATE TABLE t_note (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            "parent_id bigint NOT NULL, child_id bigint REFERENCES t_child(id));"
            "INSERT INTO t_parent (ref) SELECT 'R' || n FROM generate_series(1, 30) n;"
            "INSERT INTO t_child (parent_id, seq) SELECT p, s FROM generate_series(1, 30) p, "
            "generate_series(0, 2) s;"
            "INSERT INTO t_note (parent_id, child_id) SELECT parent_id, id FROM t_child;"
            "SET CONSTRAINTS ALL IMMEDIATE;"  # a migration starts with no check pending
        )
        MIGRATION.table_partition(cursor, "t_parent", "id", ["id"], suffix="p1", high=1000)
        MIGRATION.table_partition(cursor, "t_child", "parent_id", ["id", "parent_id"], suffix="p1", high=1000)  # fmt: skip
        cursor.execute(
            "CREATE TABLE t_parent_p2 PARTITION OF t_parent FOR VALUES FROM (1000) TO (2000);"
            "CREATE TABLE t_child_p2 PARTITION OF t_child FOR VALUES FROM (1000) TO (2000);"
        )
        assert scalar("SELECT count(*) FROM t_child") == 90
        assert scalar("SELECT count(*) FROM t_child_p1") == 90
        note_key = foreign_key_of("t_note")
        assert note_key == "FOREIGN KEY (child_id, parent_id) REFERENCES t_child(id, parent_id)"
        assert scalar("SELECT count(*) FROM pg_class WHERE relname = 't_child_seq_p1'") == 1
        # The sequence goes on from the last id; the new range takes its rows.
        assert scalar("INSERT INTO t_parent (ref) VALUES ('R31') RETURNING id") == 31
        cursor.execute("SELECT setval(pg_get_serial_sequence('t_parent', 'id'), 1000, false)")
        assert scalar("INSERT INTO t_parent (ref) VALUES ('R33') RETURNING tableoid::regclass::text") == "t_parent_p2"  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():  # (parent, seq) stays unique
            cursor.execute("INSERT INTO t_child (parent_id, seq) VALUES (1, 0)")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError), transaction.atomic():  # the child's parent exists
            cursor.execute("INSERT INTO t_child (parent_id, seq) VALUES (1500, 0)")
        # And back (migrate dossiers 0012): plain tables with every row and the keys of before.
        cursor.execute("INSERT INTO t_child (parent_id, seq) VALUES (1000, 0)")
        MIGRATION.table_unpartition(cursor, "t_child", "parent_id")
        MIGRATION.table_unpartition(cursor, "t_parent", "id")
        assert scalar("SELECT count(*) FROM pg_partitioned_table WHERE partrelid IN ('t_parent'::regclass, 't_child'::regclass)") == 0  # fmt: skip
        assert scalar("SELECT count(*) FROM t_parent") == 32
        assert scalar("SELECT count(*) FROM t_child") == 91
        note_key = foreign_key_of("t_note")
        assert note_key == "FOREIGN KEY (child_id) REFERENCES t_child(id)"
        assert scalar("SELECT count(*) FROM pg_class WHERE relname = 't_child_seq'") == 1
        assert scalar("INSERT INTO t_parent (ref) VALUES ('R32') RETURNING id") == 1001
        with pytest.raises(IntegrityError), transaction.atomic():  # unique again on its own
            cursor.execute("INSERT INTO t_parent (ref) VALUES ('R2')")


@postgres_only
def test_postgres_the_scheduler_enqueues_the_partition_job_when_a_period_is_near() -> None:
    latest = p.partitions_list()[-1]
    following = p.period_of(latest.starts_on).next_starts_on
    near = datetime.datetime.combine(following, datetime.time(9), VIETNAM) - datetime.timedelta(days=3)  # fmt: skip
    with clock_set_to(near):
        call_command("scheduler", once=True, verbosity=0)
    path = "motcua.dossiers.tasks.partitions_ensure_task"
    assert DBTaskResult.objects.filter(task_path=path).count() == 1


@pytest.mark.parametrize(
    ("cause", "deferred"),
    [(psycopg_errors.LockNotAvailable, True), (psycopg_errors.DeadlockDetected, True),
     (psycopg_errors.AdminShutdown, False)],
)  # fmt: skip
def test_the_partition_job_waits_for_busy_tables_and_fails_on_anything_else(
    monkeypatch: pytest.MonkeyPatch, cause: type[Exception], deferred: bool
) -> None:
    """A lock held past the job's ``lock_timeout`` (as under load, or with killed sessions not yet
    gone) or a deadlock: the job did nothing and says so, and the scheduler asks again. Any
    other database error still fails the job."""
    from motcua.dossiers import tasks

    def busy(*, at: datetime.datetime) -> list[str]:
        raise OperationalError("busy") from cause("busy")

    monkeypatch.setattr(tasks, "partitions_ensure", busy)
    if deferred:
        answer = tasks.partitions_ensure_task.call()
        assert answer == {"done": [], "deferred": cause.sqlstate}
    else:
        with pytest.raises(OperationalError):
            tasks.partitions_ensure_task.call()
