"""The worklist of a ward with 100,000 dossiers, in one process: latency per tab, counts included.

    scripts/with_postgres.py -- .venv/bin/python bench/worklist_bench.py --requests 40
    … --src <other checkout>/src   # the same bench on another version of the code (before/after)
    … --profile                   # cProfile of the leader's "all" page instead
    … --profile-api               # the same for the API's list (GET /api/v1/dossiers?tab=all)

Prepares the database (migrate, units, catalog), writes ``--dossiers`` dossiers into Phường Hoàn
Kiếm with the generator of ``tests/dossiers/test_worklist_scale.py`` (statuses, steps, due dates
spread as in a ward; rows only, no events), vacuums and analyses as autovacuum would, and then,
for the ward's reception, specialist and leader, asks every tab ``--requests`` times through
Django's test client (the whole middleware stack, no HTTP server): the officer's page
``/can-bo/ho-so/?tab=…`` (session) and ``GET /api/v1/dossiers?tab=…`` (token), first pages, and
deep pages of "all" by due date (the page after the 5,000th and the 50,000th dossier). Prints
p50 / p95 wall time, CPU time of the process and time in the database (the queries' own time).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from source import source_folder

SRC = source_folder()
sys.path.insert(0, str(SRC))
sys.path.insert(1, str(SRC.parent))  # the same checkout's tests (its generator)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
# Every request from one address: the API limit is counted (its cost measured), never reached.
os.environ.setdefault("MOTCUA_RATE_API", "1000000/1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Case, F, IntegerField, Q, Value, When  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from tests import factories  # noqa: E402
from tests.dossiers import test_worklist_scale as scale  # noqa: E402

from motcua.accounts.models import ApiToken, User  # noqa: E402
from motcua.common.clock import clock_set_to  # noqa: E402
from motcua.dossiers import selectors  # noqa: E402
from motcua.dossiers.constants import OPEN_STATUSES  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402

PREFIX = "WB"
DEEP = (5_000, 50_000)


def prepare(count: int) -> list[User]:
    with open(os.devnull, "w") as quiet:
        call_command("serve", "--prepare-only", "--no-demo", verbosity=0, stdout=quiet)
    unit = Unit.objects.get(code=scale.UNIT)
    officers = [
        User.objects.filter(username=f"wb-{role}").first()
        or factories.officer(scale.UNIT, role, username=f"wb-{role}")
        for role in ("reception", "specialist", "leader")
    ]
    if not Dossier.objects.filter(ref__startswith=PREFIX).exists():
        began = time.perf_counter()
        main = scale.Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
        other = (
            scale.Procedure.objects.filter(
                in_hanoi_set=True, processes__steps__role="division_head"
            )
            .exclude(code="1.004222")
            .order_by("pk")
            .first()
        )
        assert main is not None
        assert other is not None
        facts = list(
            scale.generated_facts(
                count, at=scale.AT, procedures=[main.pk, other.pk], assignee=officers[1], seed=7,
                prefix=PREFIX,
            )
        )  # fmt: skip
        scale.bulk_dossiers(unit, facts)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            # SQLite (a quick profile of the Python side) has no VACUUM of one table.
            vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            cursor.execute(f"{vacuum} dossiers_dossier")
        print(f"generated {count:,} dossiers in {time.perf_counter() - began:.0f} s", flush=True)
    return officers


def deep_pages(unit: Unit) -> dict[int, dict[str, str]]:
    """GET parameters of the page after the n-th dossier of "all" by due date: a page token
    where the code has them, else the page number."""
    found = {}
    unfinished = Q(status__in=OPEN_STATUSES, finished_at__isnull=True)
    ordered = (
        Dossier.objects.filter(receiving_unit=unit)
        .annotate(seg=Case(When(unfinished, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("seg", F("due_at").asc(nulls_last=True), "-submitted_at", "-id")
        .values("id", "seg", "due_at", "submitted_at")
    )  # fmt: skip
    total = ordered.count()
    for position in [p for p in DEEP if p <= total]:  # a small trial volume has no 50,000th
        row = ordered[position - 1]
        if not hasattr(selectors, "page_token"):
            found[position] = {"page": str(position // 50 + 1)}
            continue
        segment = row["seg"] * 2 + (1 if row["due_at"] is None else 0)
        values = (row["due_at"], row["submitted_at"], row["id"])
        cursor = selectors.PageCursor(
            "due", segment, values[1:] if row["due_at"] is None else values, False, position
        )
        found[position] = {"page_token": selectors.page_token(cursor, "all")}
    return found


def timed(call: Callable[[], Any], requests: int) -> dict[str, float]:
    call()  # warm: caches of the process, the session
    walls, cpus, dbs = [], [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as done:
            wall, cpu = time.perf_counter(), time.process_time()
            call()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        dbs.append(sum(float(q["time"]) for q in done.captured_queries) * 1000)
        queries = len(done.captured_queries)
    walls.sort()
    return {
        "p50": statistics.median(walls), "p95": walls[max(0, round(0.95 * len(walls)) - 1)],
        "cpu": statistics.median(cpus), "db": statistics.median(dbs), "queries": queries,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--src", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-api", action="store_true", help="the API's list instead")
    options = parser.parse_args()
    with clock_set_to(scale.AT):
        officers = prepare(options.dossiers)
        deep = deep_pages(Unit.objects.get(code=scale.UNIT))
        run(officers, deep, options)


def run(officers: list[User], deep: dict[int, dict[str, str]], options: Any) -> None:
    web, api = {}, {}
    for officer in officers:
        web[officer.pk] = Client()
        web[officer.pk].force_login(officer)
        # One client per officer, as for the pages: a new Client loads the middleware again, and
        # WhiteNoise's start-up (a scan of every static file) would be counted in each request.
        api[officer.pk] = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(officer, 'bench')}")
    if options.profile or options.profile_api:
        leader = officers[2]
        profile = cProfile.Profile(time.process_time)  # CPU: waits on a busy machine left out
        profile.enable()
        for _ in range(options.requests):
            if options.profile_api:
                api[leader.pk].get("/api/v1/dossiers", {"tab": "all"})
            else:
                web[leader.pk].get("/can-bo/ho-so/", {"tab": "all"})
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    print(
        f"{connection.vendor}, {Dossier.objects.count():,} dossiers, "
        f"{Dossier.objects.filter(ref__startswith=PREFIX).count():,} in {scale.UNIT}; "
        f"{options.requests} requests each; code {SRC}; {datetime.datetime.now():%d/%m/%Y %H:%M}"
    )
    print(f"{'officer':<11}{'request':<28}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'db ms':>8}{'queries':>8}")  # fmt: skip
    worst = 0.0
    for officer, role in zip(officers, ("reception", "specialist", "leader"), strict=True):
        session, token = web[officer.pk], api[officer.pk]
        asked: list[tuple[str, Callable[[], Any]]] = []
        for tab, _label in selectors.TABS:
            asked.append((f"web {tab}", lambda t=tab, c=session: c.get("/can-bo/ho-so/", {"tab": t})))  # fmt: skip
            asked.append((f"api {tab}", lambda t=tab, c=token: c.get("/api/v1/dossiers", {"tab": t})))  # fmt: skip
        for position, params in deep.items():
            asked.append((f"web all after {position:,}", lambda p=params, c=session: c.get("/can-bo/ho-so/", {"tab": "all", **p})))  # fmt: skip
        for name, call in asked:
            result = timed(call, options.requests)
            worst = max(worst, result["p95"])
            print(
                f"{role:<11}{name:<28}{result['p50']:>8.1f}{result['p95']:>8.1f}"
                f"{result['cpu']:>8.1f}{result['db']:>8.1f}{result['queries']:>8}",
                flush=True,
            )
    print(f"worst p95: {worst:.1f} ms; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
