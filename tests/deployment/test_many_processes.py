"""Two web and two worker processes on one PostgreSQL primary and its streaming replica (issue 12).

Officers create and act on dossiers through both servers at once, over HTTP with their API
tokens; the workers render the issued forms and send the SMS. Then: no dossier lost or
duplicated, dossier codes and tracking-book numbers unique and without gaps, every task run
exactly once by one worker, each writer reads what it just wrote from either server, and the
replica served reads — while its replay is paused, a reader that did not write sees the
replica's older list, the writer sees its own dossier (docs/decisions/0018), and the public
lookup's failures are still counted against its limit.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.notifications.models import Notification
from tests import factories
from tests.s3_server import S3Server

from .processes import ApiClient, database_url_named, error_answer, pinned, processes_env, started

PRIMARY_URL = os.environ.get("MOTCUA_DATABASE_URL", "")
REPLICA_URL = os.environ.get("MOTCUA_TEST_REPLICA_URL", "")
WARD = "hn-phuong-hoan-kiem"
PER_OFFICER = 3  # dossiers each of the two officers creates and acts on

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PRIMARY_URL.startswith("postgres"),
        reason="needs PostgreSQL and a streaming replica: runs in make test's PostgreSQL pass "
        "(SQLite has no replicas)",
    ),
    pytest.mark.skipif(
        not REPLICA_URL,
        reason="no streaming replica: run under `scripts/with_postgres.py --replica`, as make "
        "test does",
    ),
]


# ---------------------------------------------------------------- object storage
@dataclass(frozen=True)
class Bucket:
    server: S3Server
    name: str

    def env(self) -> dict[str, str]:
        return self.server.env(self.name)


@pytest.fixture
def bucket(s3_server: S3Server) -> Bucket:
    """One bucket of the local S3 server (moto's server mode) for every web and worker process:
    files written by one process are read by the others, as on many machines."""
    return Bucket(s3_server, s3_server.bucket_create())


@pytest.fixture
def sms() -> Iterator[SmsSandbox]:
    sandbox = SmsSandbox(token="mp-" + secrets.token_hex(8)).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def names(transactional_db: None) -> dict[str, str]:
    """The test database, committed so that the other processes see it, on both servers."""
    name = connection.settings_dict["NAME"]
    return {
        "primary": database_url_named(PRIMARY_URL, name),
        "replica": database_url_named(REPLICA_URL, name),
    }


@contextmanager
def replica(names: dict[str, str]) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(names["replica"], autocommit=True) as conn:
        yield conn


def one(conn: psycopg.Connection[Any], sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def replica_dossier_reads(names: dict[str, str]) -> int:
    """Scans of the dossier table that the replica itself ran (its own statistics), the
    partitions' included (decision 0022: a partitioned table's scans are its partitions')."""
    with replica(names) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return int(
            one(
                conn,
                "SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)) "
                "FROM pg_stat_user_tables WHERE relname = 'dossiers_dossier' OR relid IN "
                "(SELECT inhrelid FROM pg_inherits WHERE inhparent = 'dossiers_dossier'::regclass)",
            )
            or 0
        )


def replica_caught_up(names: dict[str, str], seconds: float = 60) -> None:
    with psycopg.connect(names["primary"], autocommit=True) as primary:
        target = one(primary, "SELECT pg_current_wal_insert_lsn()")
    with replica(names) as conn:
        deadline = time.monotonic() + seconds
        while not one(conn, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def posted(n: int) -> dict[str, Any]:
    """A dossier that came by post: submitted now, received by an officer's action."""
    return {
        "unit": WARD, "procedure": "1.004222", "channel": "post",
        "applicant": {"name": f"Người nộp số {n}", "id_number": "001090012345",
                      "phone": "0912345678"},
    }  # fmt: skip


def worklist(client: ApiClient, server: str) -> dict[str, str]:
    """The unit's worklist, every tab, as ref → status: a read the replica may serve."""
    status, body = client.call("GET", f"{server}/api/v1/dossiers?tab=all&page_size=200")
    assert status == 200, body
    return {item["ref"]: item["status"] for item in body["items"]}


def act(client: ApiClient, server: str, ref: str, action: str, **given: Any) -> dict[str, Any]:
    status, body = client.call("POST", f"{server}/api/v1/dossiers/{ref}/actions/{action}", given)
    assert status == 200, body
    return dict(body)


def officer_works(client: ApiClient, servers: list[str], first: int) -> list[str]:
    """Each dossier: created on one server, received on the other, a supplement requested on
    the first; after each write the caller's worklist, from the other server, shows it."""
    refs = []
    for n in range(first, first + PER_OFFICER):
        here, there = servers[n % 2], servers[(n + 1) % 2]
        status, dossier = client.call(
            "POST", f"{here}/api/v1/dossiers", posted(n), Idempotency_Key=f"mp-{n}"
        )
        assert status == 201, dossier
        assert pinned(client), "a write leaves the read-your-writes cookie"
        ref = dossier["ref"]
        assert worklist(client, there)[ref] == "new"
        dossier = act(client, there, ref, "receive", version=dossier["version"])
        assert worklist(client, here)[ref] == "received"
        act(client, here, ref, "request_supplement", version=dossier["version"],
            items=["Bản sao giấy khai sinh"])  # fmt: skip
        assert worklist(client, there)[ref] == "supplement_requested"
        refs.append(ref)
    return refs


def same_key_on_both_servers(client: ApiClient, servers: list[str]) -> set[str]:
    """One Idempotency-Key sent to both servers at once: one dossier."""
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda server: client.fresh().call(
                    "POST", f"{server}/api/v1/dossiers", posted(99), Idempotency_Key="mp-99"
                ),
                servers,
            )
        )
    assert sorted(status for status, _body in answers) in ([200, 201], [201, 201]), answers
    refs = {body["ref"] for _status, body in answers}
    (ref,) = refs
    act(client, servers[0], ref, "receive", version=answers[0][1]["version"])
    return refs


def while_replay_paused(client: ApiClient, servers: list[str], names: dict[str, str]) -> str:
    """The replica stops replaying: the writer still reads its write (from the primary), a
    reader that wrote nothing reads the replica's older list, and the dossier page never 404s."""
    a, b = servers
    reader = client.fresh()
    with replica(names) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            deadline = time.monotonic() + 10
            while one(conn, "SELECT pg_get_wal_replay_pause_state()") != "paused":
                assert time.monotonic() < deadline, "the replica did not pause"
                time.sleep(0.02)
            status, dossier = client.call("POST", f"{a}/api/v1/dossiers", posted(100))
            assert status == 201, dossier
            ref = dossier["ref"]
            dossier = act(client, b, ref, "receive", version=dossier["version"])
            assert worklist(client, a)[ref] == "received"
            assert ref not in worklist(reader, a), "the reader is served by the paused replica"
            assert lookups_until_refused(servers) == LOOKUP_LIMIT + 1
            for caller in (client, reader):
                status, read = caller.call("GET", f"{b}/api/v1/dossiers/{ref}")
                assert (status, read["status"]) == (200, "received"), read
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")
    replica_caught_up(names)
    assert worklist(client.fresh(), b)[ref] == "received"
    return str(ref)


LOOKUP_LIMIT = 4  # failed public lookups per address (MOTCUA_RATE_LOOKUP_ADDRESS below)


def lookups_until_refused(servers: list[str]) -> int:
    """Failed public lookups from one address, alternating servers, until one is refused (429):
    the failures are counted on the primary, whatever the replica that serves the page shows."""
    csrf = secrets.token_hex(16)
    for attempt in range(1, 3 * LOOKUP_LIMIT):
        form = {
            "csrfmiddlewaretoken": csrf,
            "code": f"H99.{attempt:05}-260101-0001",
            "digits": "1234",
        }
        request = urllib.request.Request(
            f"{servers[attempt % 2]}/tra-cuu/", data=urllib.parse.urlencode(form).encode(),
            headers={"Cookie": f"csrftoken={csrf}"}, method="POST",
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status, body = error_answer(error)
            if status != 429:
                raise AssertionError((status, body)) from error
            return attempt
        assert status == 200
    return 0


def tasks_done(seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
        assert time.monotonic() < deadline, "the workers did not finish the queue"
        time.sleep(0.2)


def assert_codes_and_books_without_gaps(expected: int) -> None:
    dossiers = list(Dossier.objects.filter(receiving_unit__code=WARD))
    assert len(dossiers) == expected
    codes = [d.code for d in dossiers]
    assert len(set(codes)) == expected, Counter(codes).most_common(3)
    by_day: dict[str, list[int]] = {}
    for code in codes:
        match = re.fullmatch(r".+-(\d{6})-(\d{4})", code or "")
        assert match, code
        by_day.setdefault(match.group(1), []).append(int(match.group(2)))
    for numbers in by_day.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), sorted(numbers)
    for kind in ("receipt", "supplement_request"):
        seqs = sorted(IssuedDocument.objects.filter(kind=kind).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)), (kind, seqs)
    books = sorted(d.book_number or 0 for d in dossiers)
    assert books == list(range(1, expected + 1)), books


def assert_each_task_ran_once(sms: SmsSandbox) -> None:
    results = list(DBTaskResult.objects.all())
    assert results
    assert all(r.status == "SUCCESSFUL" for r in results), [
        (r.task_path, r.status, r.traceback[-300:]) for r in results if r.status != "SUCCESSFUL"
    ]
    assert all(len(r.worker_ids) == 1 for r in results), [r.worker_ids for r in results]
    renders = [r for r in results if r.task_path.endswith("issued_document_render_task")]
    assert len(renders) == IssuedDocument.objects.count()
    assert not IssuedDocument.objects.filter(sha256="").exists()
    texts = list(Notification.objects.filter(channel="sms").values_list("status", "attempts"))
    assert texts
    assert all(row == ("sent", 1) for row in texts), texts
    keys = [message["idempotency_key"] for message in sms.received()]
    assert len(keys) == len(set(keys)) == len(texts)


def test_two_web_and_two_worker_processes_on_a_primary_and_its_replica(
    names: dict[str, str], sms: SmsSandbox, bucket: Bucket, tmp_path: Path
) -> None:
    officers = [factories.officer(WARD, Role.RECEPTION) for _ in range(2)]
    clients = [ApiClient(ApiToken.issue(user, "multi-process")) for user in officers]
    env = processes_env(
        tmp_path / "var", primary=names["primary"], replicas=[names["replica"]],
        MOTCUA_SMS_BACKEND="http", MOTCUA_SMS_URL=sms.url, MOTCUA_SMS_TOKEN=sms.token,
        # The other test processes' writes stream through the same standby; this test is about
        # who reads where, not about the lag limit.
        MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS="600", **bucket.env(),
        # The public lookup is a page: its static files are named without a collected manifest.
        MOTCUA_RATE_LOOKUP_ADDRESS=f"{LOOKUP_LIMIT}/15", MOTCUA_MANIFEST_STATIC="0",
    )  # fmt: skip
    reads_before = replica_dossier_reads(names)
    with started(env, webs=2, workers=2, logs=tmp_path / "logs") as servers:
        with ThreadPoolExecutor(2) as pool:
            done = list(
                pool.map(
                    lambda job: officer_works(job[0], servers, job[1]),
                    [(clients[0], 0), (clients[1], PER_OFFICER)],
                )
            )
        assert len(same_key_on_both_servers(clients[0], servers)) == 1
        while_replay_paused(clients[1], servers, names)
        tasks_done()
    # The servers have stopped: their sessions on the replica have flushed their statistics.
    assert replica_dossier_reads(names) > reads_before
    assert sum(len(refs) for refs in done) == 2 * PER_OFFICER
    assert_codes_and_books_without_gaps(expected=2 * PER_OFFICER + 2)
    assert_each_task_ran_once(sms)
    assert_forms_in_the_bucket(bucket)


def assert_forms_in_the_bucket(bucket: Bucket) -> None:
    """Every form the workers issued is an object of the shared bucket, none elsewhere."""
    stored = set(bucket.server.keys(bucket.name))
    files = [name for name in IssuedDocument.objects.values_list("file", flat=True) if name]
    assert files, "no issued form has a file"
    missing = [name for name in files if name not in stored]
    assert not missing, f"issued forms not in the bucket: {missing[:3]}"
