"""The small version of the city bench (``bench/city_bench.py``), in ``make test``: nothing is
timed. Each hot endpoint of issue 12 keeps its number of queries within a budget, and on
PostgreSQL, over a generated volume spread across many wards, no query those endpoints run scans
the whole dossier or event table. The plans are taken of the SQL the endpoints actually send
(captured, then ``EXPLAIN (FORMAT JSON)``), so the check holds whatever the queries become.

The worklist at 100,000 dossiers in one unit (counts, paging, its own budgets) is
``tests/dossiers/test_worklist_scale.py``; its generator is reused here."""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import OfficerRole, RoleChange, User
from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to
from motcua.dossiers import count_cache
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import TABS
from motcua.dossiers.services import dossier_forward
from motcua.organizations.models import Unit
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received
from tests.dossiers.test_worklist_scale import bearer
from tests.dossiers.volume import bulk_dossiers, generated_delete, generated_facts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar_revalidated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The working calendar re-reads its revision (2 queries) every few seconds in each process,
    not per request; on a loaded machine the first request can take longer than that window and
    the measured one would pay for it. The budgets count what a request costs."""
    from motcua.worktime import services as worktime_services

    monkeypatch.setattr(worktime_services, "REVALIDATE_SECONDS", 3600.0)


# Query budgets: what each request makes today (the second identical request, caches warm),
# measured on SQLite and PostgreSQL, with room for the one or two queries that depend on which
# caches earlier tests left warm (the worklist tabs make 5–9, each the same in every run), so
# that a regression fails and the order of tests does not. Issue 12's goals are lower: lower a
# budget when the code gets there, never raise it without saying why.
CATALOG_DETAIL_BUDGET = 1  # the catalog's token (decision 0021); was 9
SEARCH_BUDGET = 1  # the catalog's token (decision 0021); was 3
DOSSIER_READ_BUDGET = (
    3  # the token with its roles, the dossier, the access log's insert (0021); was 11
)
WORKLIST_BUDGET = 10  # measured 5–9 by tab (= API_BUDGET of test_worklist_scale)
# Creation measured 12 on both databases (was 30): the worker renders the receipt; counters in
# one upsert each; reference rows kept per catalog state (``catalog_cached``); the new dossier's
# rows written once, as they finally stand (``CreationStore``: no savepoints, no update of the
# row just inserted, its events in one insert, no reads of rows it cannot have yet); the answer
# built from them, not read back (nor logged as a read: the officer wrote it); the data store
# not asking for the files a new dossier cannot have yet; the tasks it queues (the receipt's PDF,
# the applicant's message when one is sent) in one insert (``tasks_written_together``).
CREATION_BUDGET = 11
LOOKUP_BUDGET = 1  # the dossier, its history and the failure counts in one query (0021); was 5

# Spread like a city: many wards, each a small share of the table, so that a plan reading one
# ward through an index is the right plan and a scan of the whole table is a regression.
WARDS = 40
PER_WARD = {"postgresql": 500, "sqlite": 25}
EVENTS_PER_DOSSIER = 6
PREFIX = "HP"
AT = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
SCANNED = {"dossiers_dossier", "dossiers_dossierevent"}


@dataclass
class City:
    ward: Unit
    reception: User
    specialist: User
    leader: User


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: Any) -> Iterator[City]:
    """Generated once for the module, outside the tests' transactions; removed at the end."""
    officers: list[User] = []
    try:
        with django_db_blocker.unblock(), clock_set_to(AT):
            wards = list(Unit.objects.filter(kind__in=["ward", "commune"]).order_by("code")[:WARDS])
            ward = wards[0]
            officers += [
                factories.officer(ward.code, r) for r in ("reception", "specialist", "leader")
            ]
            generate(wards)
            yield City(ward, *officers)
    finally:
        with django_db_blocker.unblock():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "DELETE FROM dossiers_dossierevent WHERE dossier_id IN "
                        "(SELECT id FROM dossiers_dossier WHERE ref LIKE %s)",
                        [f"{PREFIX}%"],
                    )
            generated_delete(PREFIX)
            OfficerRole.objects.filter(user__in=officers).delete()
            RoleChange.objects.filter(officer__in=officers).delete()
            User.objects.filter(pk__in=[o.pk for o in officers]).delete()


def generate(wards: list[Unit]) -> None:
    main = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    assert main is not None
    per_ward = PER_WARD.get(connection.vendor, 25)
    for number, ward in enumerate(wards):
        facts = generated_facts(
            per_ward, at=AT, procedures=[main.pk], assignee=None, seed=number,
            prefix=f"{PREFIX}{number:02d}",
        )  # fmt: skip
        bulk_dossiers(ward, list(facts))
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Histories of the generated dossiers, for the plans that read events.
        cursor.execute(
            "INSERT INTO dossiers_dossierevent (dossier_id, seq, at, actor_name, action, "
            "from_status, to_status, reason, payload, prev_hash, hash, key_id, facts) "
            "SELECT d.id, s, d.submitted_at + s * interval '1 hour', '', 'forward', "
            "'processing', 'processing', '', '{}'::jsonb, '', md5(d.ref || s), '', '' "
            "FROM dossiers_dossier d CROSS JOIN generate_series(1, %s) s WHERE d.ref LIKE %s",
            [EVENTS_PER_DOSSIER, f"{PREFIX}%"],
        )
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE dossiers_dossierevent")


def queries_of(client: Client, method: str, path: str, **extra: Any) -> list[dict[str, str]]:
    """The queries of the second of two identical requests (the first warms caches)."""
    send = getattr(client, method)
    send(path, **extra)
    with CaptureQueriesContext(connection) as done:
        answer = send(path, **extra)
    assert answer.status_code < 300, (path, answer.status_code, answer.content[:300])
    return done.captured_queries


def partitioned_table(relation: str) -> str:
    """The table a partition belongs to on PostgreSQL (``dossiers_dossier_p2027`` →
    ``dossiers_dossier``; decision 0022): a scan of one partition is a scan of the table."""
    return re.sub(r"_p\d{4,6}$", "", relation)


def seq_scans(plan: Any) -> list[str]:
    """The relations of ``SCANNED`` read with a Seq Scan anywhere in an EXPLAIN JSON plan."""
    found = []
    if isinstance(plan, dict):
        relation = partitioned_table(str(plan.get("Relation Name", "")))
        if plan.get("Node Type") == "Seq Scan" and relation in SCANNED:
            found.append(plan["Relation Name"])
        for value in plan.values():
            found += seq_scans(value)
    elif isinstance(plan, list):
        for value in plan:
            found += seq_scans(value)
    return found


def assert_no_full_scans(queries: list[dict[str, str]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in SCANNED):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            assert not seq_scans(plan), (sql, json.dumps(plan, indent=1)[:4000])


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff()


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock_set_to(AT):
        yield


@pytest.mark.parametrize("tab", [key for key, _label in TABS])
def test_worklist_tab_keeps_its_budget_and_reads_the_ward_through_indexes(
    city: City, tab: str
) -> None:
    for officer in (city.reception, city.specialist):
        queries = queries_of(Client(), "get", f"/api/v1/dossiers?tab={tab}", **bearer(officer))
        assert len(queries) <= WORKLIST_BUDGET, (len(queries), [q["sql"][:200] for q in queries])
        assert_no_full_scans(queries)


def test_worklist_pages_are_prepared_only_where_a_generic_plan_was_measured(city: City) -> None:
    """Decision 0039 ("Later") planned every worklist statement for its values: at 1 M dossiers
    a generic plan of "Của tôi" cost 518 ms of PostgreSQL's time, the plan made for its values
    24 ms. Decision 0047 writes the statuses into the page statement, so that a generic plan can
    use the open-dossier partial indexes, and prepares the page of the tabs measured faster that
    way (``GENERIC_PLAN_TABS``), when nothing is searched or filtered. Checked here: the counts,
    "Của tôi" and a searched page are never prepared; the prepared pages name their statuses
    and their generic plans read no dossier table whole."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    client = Client()
    never: set[str] = set()
    planned_each_time = (
        "?tab=mine", "?tab=all&q=nguyen", "?tab=all&status=received", "?tab=all&sort=code",
        "?tab=all&page=2",
    )  # fmt: skip
    for officer in (city.reception, city.leader):
        for path in (*planned_each_time, "?tab=all", "?tab=due_soon"):
            sent: list[str] = []
            with connection.execute_wrapper(functools.partial(recorded, sent)):
                for _ in range(3):  # prepared from the second run of a statement on a connection
                    count_cache.KEPT.clear()  # counted every time, as if the ward kept changing
                    answer = client.get(f"/api/v1/dossiers{path}", **bearer(officer))
                    assert answer.status_code == 200, answer.content[:300]
            if path in planned_each_time:
                never |= {sql for sql in sent if '"seg"' in sql}
    assert len(never) >= len(planned_each_time), never
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement, coalesce(array_length(parameter_types, 1), 0) "
            "FROM pg_prepared_statements"
        )
        prepared = cursor.fetchall()
    counts = [s for _n, s, _t in prepared if "COUNT(" in s.upper() and "dossiers_unitmark" not in s]
    assert not counts, counts
    pages = [(name, s, length) for name, s, length in prepared if '"seg"' in s]
    as_sent = {re.sub(r"\$\d+", "%s", statement) for _name, statement, _types in pages}
    assert not as_sent & set(never), "a page planned per request was prepared"
    assert 1 <= len(pages) <= 4, [s[:200] for _n, s, _t in pages]  # "all", "due_soon"; 2 officers
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            for name, statement, length in pages:
                assert "'received'" in statement, statement[:400]
                nulls = ", ".join(["NULL"] * length)
                cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({nulls})")
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                assert not seq_scans(plan), (statement[:400], json.dumps(plan, indent=1)[:4000])
        finally:
            cursor.execute("RESET plan_cache_mode")


def recorded(sent: list[str], run: Any, sql: str, *rest: Any) -> Any:
    """An execute wrapper keeping each statement's text as sent (placeholders, no values)."""
    sent.append(sql)
    return run(sql, *rest)


def test_generated_city_is_spread_over_the_wards(city: City) -> None:
    per_ward = PER_WARD.get(connection.vendor, 25)
    assert Dossier.objects.filter(ref__startswith=PREFIX).count() == WARDS * per_ward
    assert Dossier.objects.filter(receiving_unit=city.ward, ref__startswith=PREFIX).count() == (
        per_ward
    )


def test_catalog_detail_and_search_keep_their_budgets(city: City) -> None:
    client = Client()
    assert len(queries_of(client, "get", "/api/v1/procedures/1.004222")) <= CATALOG_DETAIL_BUDGET
    searched = queries_of(client, "get", "/api/v1/procedures?q=dang+ky+thuong+tru")
    assert len(searched) <= SEARCH_BUDGET, [q["sql"][:120] for q in searched]


def test_dossier_read_keeps_its_budget_and_uses_indexes(city: City, staff: Staff) -> None:
    dossier = dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    queries = queries_of(Client(), "get", f"/api/v1/dossiers/{dossier.ref}", **bearer(staff.leader))
    assert len(queries) <= DOSSIER_READ_BUDGET, (len(queries), [q["sql"][:200] for q in queries])
    assert_no_full_scans(queries)
    generated = Dossier.objects.filter(receiving_unit=city.ward, ref__startswith=PREFIX).first()
    assert generated is not None
    queries = queries_of(
        Client(), "get", f"/api/v1/dossiers/{generated.ref}", **bearer(city.leader)
    )
    assert len(queries) <= DOSSIER_READ_BUDGET
    assert_no_full_scans(queries)


def test_creation_keeps_its_budget(city: City, staff: Staff) -> None:
    body = {
        "unit": POLICE, "procedure": "1.004222", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345", "phone": "0912345678"},
    }  # fmt: skip
    client, headers = Client(), bearer(staff.reception)
    first = client.post("/api/v1/dossiers", body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    with CaptureQueriesContext(connection) as done:
        answer = client.post("/api/v1/dossiers", body, content_type="application/json", **headers)
    assert answer.status_code == 201, answer.content
    assert len(done.captured_queries) <= CREATION_BUDGET, [
        q["sql"][:160] for q in done.captured_queries
    ]


def test_creation_with_portal_sync_on_costs_one_statement_more(
    city: City, staff: Staff, settings: Any
) -> None:
    """The outbox (decision 0027): one upsert per dossier and transaction; off, nothing at all."""
    body = {
        "unit": POLICE, "procedure": "1.004222", "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "001090012345", "phone": "0912345678"},
    }  # fmt: skip
    client, headers = Client(), bearer(staff.reception)
    counts = []
    for url in ("", "", "http://127.0.0.1:9", "http://127.0.0.1:9"):  # the first of each warms
        settings.MOTCUA_DVCQG_URL = url
        with CaptureQueriesContext(connection) as done:
            answer = client.post(
                "/api/v1/dossiers", body, content_type="application/json", **headers
            )
        assert answer.status_code == 201, answer.content
        counts.append(done.captured_queries)
    off, on = counts[1], counts[3]
    assert len(off) <= CREATION_BUDGET
    assert len(on) <= len(off) + 1
    assert sum("dossiersync" in q["sql"].lower() for q in on) == 1
    assert not any("dossiersync" in q["sql"].lower() for q in off)


def test_public_lookup_keeps_its_budget_and_uses_indexes(city: City, staff: Staff) -> None:
    dossier = received(staff)
    client = Client()
    queries = queries_of(client, "post", "/tra-cuu/", data={"code": dossier.code, "digits": "2345"})
    assert len(queries) <= LOOKUP_BUDGET, (len(queries), [q["sql"][:200] for q in queries])
    assert_no_full_scans(queries)
    assert (
        dossier.code
        in client.post("/tra-cuu/", {"code": dossier.code, "digits": "2345"}).content.decode()
    )
