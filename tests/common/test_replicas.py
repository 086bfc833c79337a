"""Reads from streaming replicas: which reads may leave the primary, the read-your-writes
cookie, and the settings (docs/decisions/0018). The same code against a real primary and
replica, in several processes: tests/deployment/test_many_processes.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.models import RateCount
from motcua.common.replicas import (
    COOKIE,
    PRIMARY_ONLY_APPS,
    PRIMARY_ONLY_MODELS,
    REPLICA_VIEWS,
    STATE,
    UNREADABLE,
    Health,
    ReadState,
    ReplicaMiddleware,
    ReplicaRouter,
    lag_acceptable,
    lsn_position,
    may_read_replica,
    replica_reads,
)
from motcua.dossiers.models import Dossier

ROUTED = ReadState(routed=True)
ROUTERS = ["motcua.common.replicas.ReplicaRouter"]


def view_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from view_names(pattern.url_patterns, namespace)
        elif pattern.name:
            yield prefix + pattern.name


def test_every_view_sent_to_a_replica_exists() -> None:
    known = set(view_names(get_resolver().url_patterns))
    assert set(REPLICA_VIEWS) <= known, set(REPLICA_VIEWS) - known


def test_pages_an_officer_acts_on_stay_on_the_primary() -> None:
    for name in ("dossiers:detail", "dossiers:act", "dossiers:reception", "api-v1:dossier_get"):
        assert name not in REPLICA_VIEWS
    assert "POST" not in REPLICA_VIEWS["api-v1:dossier_list"]  # the same URL creates dossiers


def test_wal_positions_are_read_from_their_text() -> None:
    assert lsn_position("0/0") == 0
    assert lsn_position("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_position("1/0") > lsn_position("0/FFFFFFFF")  # type: ignore[operator]
    assert lsn_position(None) is None
    assert lsn_position("") is None
    assert lsn_position("drop table") == UNREADABLE
    assert lsn_position("0/123456789") == UNREADABLE


def test_only_a_routed_read_outside_a_transaction_before_any_write_may_leave_the_primary() -> None:
    assert may_read_replica(ROUTED, "dossiers", primary_in_transaction=False)
    assert not may_read_replica(None, "dossiers", primary_in_transaction=False)
    assert not may_read_replica(ReadState(), "dossiers", primary_in_transaction=False)
    assert not may_read_replica(replace(ROUTED, wrote=True), "dossiers", False)
    assert not may_read_replica(ROUTED, "dossiers", primary_in_transaction=True)


@pytest.mark.parametrize("app", sorted(PRIMARY_ONLY_APPS))
def test_sign_in_roles_sessions_and_the_task_queue_are_always_read_fresh(app: str) -> None:
    assert not may_read_replica(ROUTED, app, primary_in_transaction=False)


def test_a_limit_counts_every_attempt_read_fresh_and_other_common_models_may_not() -> None:
    assert not may_read_replica(ROUTED, RateCount._meta.label_lower, primary_in_transaction=False)
    assert not may_read_replica(ROUTED, User._meta.label_lower, primary_in_transaction=False)
    assert may_read_replica(ROUTED, "common.chainedevent", primary_in_transaction=False)


def test_the_role_and_session_apps_are_the_ones_installed() -> None:
    from django.apps import apps

    labels = {config.label for config in apps.get_app_configs()}
    assert labels >= PRIMARY_ONLY_APPS, PRIMARY_ONLY_APPS - labels
    assert User._meta.app_label in PRIMARY_ONLY_APPS
    models = {model._meta.label_lower for model in apps.get_models()}
    assert models >= PRIMARY_ONLY_MODELS, PRIMARY_ONLY_MODELS - models


def test_the_router_writes_and_migrates_on_the_primary_and_notes_the_write() -> None:
    router = ReplicaRouter()
    with replica_reads() as state:
        assert router.db_for_write(Dossier) == "default"
        assert state.wrote
        assert router.db_for_read(Dossier) == "default"  # the request reads what it wrote
    assert router.allow_migrate("replica1", "dossiers") is False
    assert router.allow_migrate("default", "dossiers") is True


@override_settings(MOTCUA_DATABASE_REPLICAS=[])
def test_with_no_usable_replica_routed_reads_fall_back_to_the_primary() -> None:
    with replica_reads() as state:
        assert ReplicaRouter().db_for_read(Procedure) == "default"
        assert state.alias == "default"  # chosen once for the request


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary() -> None:
    # pytest-django's test transaction is itself an atomic block: nothing inside leaves it.
    assert connection.in_atomic_block
    with replica_reads() as state, transaction.atomic():
        assert ReplicaRouter().db_for_read(Procedure) == "default"
    assert state.alias is None  # no replica was even chosen


def test_a_replica_too_far_behind_serves_nobody() -> None:
    with override_settings(MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS=30):
        assert lag_acceptable("replica1", 29.5)
        assert not lag_acceptable("replica1", 30.5)
    with override_settings(MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS=0):
        assert lag_acceptable("replica1", 86400)


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_health_question_is_valid_sql_and_a_server_not_in_recovery_is_not_behind() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("replicas are PostgreSQL servers")
    assert Health().ask("default")


def test_a_replica_that_keeps_failing_is_asked_less_and_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    answers: list[bool] = []

    class Scripted(Health):
        def ask(self, alias: str) -> bool:
            answers.append(answer[0])
            return answer[0]

    monkeypatch.setattr("motcua.common.replicas.time.monotonic", lambda: clock[0])
    health, answer = Scripted(), [False]
    asked_at = []
    for _second in range(300):
        before = len(answers)
        health.usable("replica1")
        if len(answers) > before:
            asked_at.append(clock[0] - 1000)
        clock[0] += 1
    assert asked_at == [0, 5, 15, 35, 75, 135, 195, 255]  # waits 5, 10, 20, 40, then 60 s
    answer[0] = True
    clock[0] += 60
    assert health.usable("replica1")
    clock[0] += 5
    health.usable("replica1")
    assert len(answers) == len(asked_at) + 2, "a healthy replica is asked every 5 s again"
    health.failed("replica1")  # a query on it failed: skipped at once, for a while
    assert not health.usable("replica1")


def test_without_replicas_the_middleware_is_not_installed() -> None:
    from django.core.exceptions import MiddlewareNotUsed

    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: HttpResponse())


def through_middleware(
    request: HttpRequest, view: Callable[[], None]
) -> tuple[HttpResponse, ReadState]:
    """The request through the middleware (installed as with one replica), ``view`` run where
    the resolved view would run; what the request was allowed to read, as the view saw it."""
    seen: list[ReadState] = []

    def get_response(req: HttpRequest) -> HttpResponse:
        req.resolver_match = resolve(req.path)
        middleware.process_view(req, req.resolver_match.func, (), {})
        view()
        state = STATE.get()
        assert state is not None
        seen.append(replace(state))
        return HttpResponse()

    with override_settings(MOTCUA_DATABASE_REPLICAS=["replica1"], DATABASE_ROUTERS=ROUTERS):
        middleware = ReplicaMiddleware(get_response)
        response = middleware(request)
    assert STATE.get() is None  # nothing leaks into the next request of this thread
    return response, seen[0]


def test_only_the_listed_views_and_methods_are_routed() -> None:
    factory = RequestFactory()
    _response, worklist = through_middleware(factory.get("/can-bo/ho-so/"), lambda: None)
    assert worklist.routed
    _response, page = through_middleware(factory.get("/can-bo/ho-so/HS123/"), lambda: None)
    assert not page.routed
    _response, create = through_middleware(factory.post("/api/v1/dossiers"), lambda: None)
    assert not create.routed
    _response, lookup = through_middleware(factory.post("/tra-cuu/"), lambda: None)
    assert lookup.routed


def test_a_request_that_only_read_leaves_no_cookie() -> None:
    response, state = through_middleware(RequestFactory().get("/thu-tuc/"), lambda: None)
    assert not state.wrote
    assert COOKIE not in response.cookies


def test_the_client_cookie_says_which_write_its_reads_must_include() -> None:
    request = RequestFactory().get("/can-bo/ho-so/")
    request.COOKIES[COOKIE] = "2A/10"
    _response, state = through_middleware(request, lambda: None)
    assert state.after == (0x2A << 32) + 0x10
    request.COOKIES[COOKIE] = "not a position"
    _response, state = through_middleware(request, lambda: None)
    assert state.after == UNREADABLE  # no replica can claim it: the primary serves


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_request_that_wrote_leaves_the_primarys_wal_position_in_a_cookie() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("WAL positions exist on PostgreSQL only (replicas need it)")

    def write() -> None:
        Procedure.objects.filter(pk=0).update(name="x")

    response, state = through_middleware(RequestFactory().post("/can-bo/tiep-nhan/"), write)
    assert state.wrote
    cookie = response.cookies[COOKIE]
    position = lsn_position(cookie.value)
    assert position is not None
    assert position != UNREADABLE
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 0


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'replicas': s.MOTCUA_DATABASE_REPLICAS, 'routers': "
        "s.DATABASE_ROUTERS, 'dbs': {k: [v['HOST'], v['PORT'], v['TEST']['MIRROR']] "
        "for k, v in s.DATABASES.items() if k != 'default'}}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_replica_addresses_become_read_databases_mirroring_the_primary_in_tests() -> None:
    result = settings_with(
        MOTCUA_DATABASE_URL="postgres://app@db1:5432/motcua",
        MOTCUA_DATABASE_REPLICA_URLS="postgres://app@db2:5432/motcua, postgres://app@db3/motcua",
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["replicas"] == ["replica1", "replica2"]
    assert read["routers"] == ["motcua.common.replicas.ReplicaRouter"]
    assert read["dbs"] == {
        "replica1": ["db2", 5432, "default"],
        "replica2": ["db3", "", "default"],
    }


def test_no_replica_address_means_no_router() -> None:
    result = settings_with(
        MOTCUA_DATABASE_URL="postgres://app@db1:5432/motcua", MOTCUA_DATABASE_REPLICA_URLS=""
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"replicas": [], "routers": [], "dbs": {}}


def test_replicas_of_sqlite_are_refused() -> None:
    result = settings_with(
        MOTCUA_DATABASE_URL="sqlite:///x.sqlite3", MOTCUA_DATABASE_REPLICA_URLS="sqlite:///y"
    )
    assert result.returncode != 0
    assert "MOTCUA_DATABASE_REPLICA_URLS" in result.stderr
