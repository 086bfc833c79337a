"""The read hot paths of issue 12, in one process: requests per second, latency and queries.

    MOTCUA_DATABASE_URL=postgres://… .venv/bin/python bench/reads_bench.py --dossiers 200000
    … --profile dossier       # cProfile of the dossier read instead: top functions by own time
    … --src <other checkout>/src   # the same bench on another version of the code (before/after)

Prepares the database if needed (migrate, units, catalog), adds ``--dossiers`` generated dossiers
of six sealed events each (written straight into the tables, as ``audit_bench`` does) for volume,
and a few real dossiers made through the services (receipt, forward, decision, result) that the
reads are timed on. Then, for each endpoint, ``--requests`` requests through Django's test client
(the whole middleware stack, no network), one after the other:

- ``floor``: a bare Django view (no middleware) doing one indexed select, the issue's floor;
- ``detail``: ``GET /api/v1/procedures/{code}`` over 20 common procedures;
- ``search``: ``GET /api/v1/procedures?q=`` over the real queries of the search tests;
- ``dossier``: ``GET /api/v1/dossiers/{ref}`` with a leader's API token;
- ``page``: the leader's dossier page ``/can-bo/ho-so/{ref}/`` (session);
- ``lookup``: ``POST /tra-cuu/`` with the right code and digits;
- ``create``: ``POST /api/v1/dossiers`` at the counter with a reception officer's API token.

In-process figures leave out the HTTP server and the network: they compare versions of the code
with each other and with the floor measured the same way, not with a load test
(``bench/city_bench.py`` is that).
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
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent

from source import source_folder  # noqa: E402 (this folder, the script's)

sys.path.insert(0, str(source_folder()))
sys.path.insert(1, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
# Every request from one address: the API limit is counted (its cost measured), never reached.
os.environ.setdefault("MOTCUA_RATE_API", "1000000/1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path  # noqa: E402
from sealed import sealed_dossiers_write  # noqa: E402
from tests.catalog.test_search import REAL_QUERIES  # noqa: E402

from motcua.accounts.constants import OfficerRoleName as Role  # noqa: E402
from motcua.accounts.models import ApiToken, OfficerRole, User  # noqa: E402
from motcua.catalog.models import Procedure  # noqa: E402
from motcua.catalog.seeds import POPULARITY  # noqa: E402
from motcua.dossiers.models import Dossier, DossierEvent  # noqa: E402
from motcua.dossiers.services import (  # noqa: E402
    Applicant,
    dossier_approve,
    dossier_forward,
    dossier_receive,
    dossier_submit,
)
from motcua.organizations.models import Unit  # noqa: E402

UNIT = "hn-cong-an-phuong-hoan-kiem"
ICT = datetime.timezone(datetime.timedelta(hours=7))
COMMON = sorted(POPULARITY, key=lambda code: -POPULARITY[code])[:20]  # the most used
REAL = 12  # real dossiers the reads are timed on
PASSWORD = "Bench-mat-khau-1"


# ----------------------------------------------------------------------------- the floor
def floor(request: HttpRequest, ref: str) -> JsonResponse:
    row = Dossier.objects.filter(ref=ref).values("ref", "code", "status", "due_at").first()
    return JsonResponse(row or {}, status=200 if row else 404)


urlpatterns = [path("floor/<str:ref>", floor)]


# ----------------------------------------------------------------------------- data
def generate(count: int) -> None:
    """Volume: dossiers of six sealed events each, straight into the tables."""
    sealed_dossiers_write(
        count, start=Dossier.objects.filter(ref__startswith="RB").count(), unit_code=UNIT,
        ref_of=lambda n: f"RB{n:08d}", code_of=lambda n: f"RB-{n:08d}", progress_every=50_000,
    )  # fmt: skip


def officer(username: str, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
        OfficerRole.objects.create(user=user, unit=Unit.objects.get(code=UNIT), role=role)
    return user


def real_dossiers() -> list[Dossier]:
    """Dossiers with a real history (receipt, forward, decision): what the reads are timed on."""
    reception, specialist = (
        officer("rb-reception", Role.RECEPTION),
        officer("rb-specialist", Role.SPECIALIST),
    )
    leader = officer("rb-leader", Role.LEADER)  # fmt: skip
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    unit = Unit.objects.get(code=UNIT)
    made = list(Dossier.objects.filter(applicant_name="Lê Văn Bench").order_by("pk"))
    at = datetime.datetime.now(ICT) - datetime.timedelta(days=3)
    for number in range(len(made), REAL):
        dossier = dossier_submit(
            procedure=procedure, receiving_unit=unit, channel="counter", at=at, actor=reception,
            applicant=Applicant("Lê Văn Bench", f"00109{number:07d}", phone="0912345678"),
        )  # fmt: skip
        dossier = dossier_receive(dossier=dossier, actor=reception, at=at)
        if number % 2 == 0:
            dossier = dossier_forward(
                dossier=dossier, actor=specialist, at=at + datetime.timedelta(hours=1)
            )
            dossier = dossier_approve(
                dossier=dossier, actor=leader, at=at + datetime.timedelta(hours=2), note="Đủ"
            )
        made.append(dossier)
    return made


# ----------------------------------------------------------------------------- timing
Call = Callable[[int], Any]


def timed(name: str, call: Call, requests: int, profile: bool) -> dict[str, Any]:
    # The floor's settings (no middleware, its own URLs) hold for its whole run: entering them
    # per request would clear Django's caches each time.
    bare = (
        override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=[])
        if name == "floor"
        else nullcontext()
    )
    with bare:
        return timed_run(name, call, requests, profile)


def timed_run(name: str, call: Call, requests: int, profile: bool) -> dict[str, Any]:
    for number in range(min(50, requests)):  # warm: caches, connections, PDFs rendered once
        call(number)
    with CaptureQueriesContext(connection) as done:
        call(0)
    statements = [query["sql"] for query in done.captured_queries]  # before the next request
    if profile:
        # CPU time, not the wall clock: waits for PostgreSQL (and a busy machine) left out.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for number in range(requests):
            call(number)
        profiler.disable()
        profiler.dump_stats(ROOT / "var" / f"profile-{name}.prof")  # for pstats' callers/callees
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        return {}
    timings = []
    cpu = time.process_time()
    began = time.perf_counter()
    for number in range(requests):
        start = time.perf_counter()
        call(number)
        timings.append((time.perf_counter() - start) * 1000)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    timings.sort()
    return {
        "name": name, "rps": requests / seconds, "cpu": cpu * 1000 / requests, "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1], "p99": timings[int(len(timings) * 0.99) - 1],
        "queries": len(statements), "sql": statements, "rss": resident_mb(),
    }  # fmt: skip


def resident_mb() -> float:
    """This process's resident memory now (VmRSS): what the endpoints run so far left in it."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def ok(response: Any) -> Any:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response


def endpoints(dossiers: list[Dossier]) -> dict[str, Call]:
    leader = User.objects.get(username="rb-leader")
    ApiToken.objects.filter(user=leader).delete()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(leader, 'bench')}"}
    reception = User.objects.get(username="rb-reception")
    ApiToken.objects.filter(user=reception).delete()
    receiving = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(reception, 'bench')}"}
    api, page, public = Client(), Client(), Client()
    page.force_login(leader)
    refs = [d.ref for d in dossiers]
    codes = [(d.code, d.applicant_id_number[-4:]) for d in dossiers]
    queries = [query for query, _code in REAL_QUERIES]
    volume = list(Dossier.objects.filter(ref__startswith="RB").values_list("ref", flat=True)[:200])
    bare = Client()  # its handler loads the (empty) middleware at its first request

    def create_call(n: int) -> Any:
        body = {"unit": UNIT, "procedure": "1.004222", "channel": "counter",
                "applicant": {"name": "Nguyễn Văn Đo Tải", "id_number": "001090012345", "phone": "0912345678"}}  # fmt: skip
        response = api.post("/api/v1/dossiers", body, content_type="application/json", **receiving)
        assert response.status_code == 201, (response.status_code, response.content[:300])
        return response

    def floor_call(n: int) -> Any:
        return ok(bare.get(f"/floor/{(volume or refs)[n % len(volume or refs)]}"))

    return {
        "floor": floor_call,
        "detail": lambda n: ok(api.get(f"/api/v1/procedures/{COMMON[n % len(COMMON)]}")),
        "search": lambda n: ok(api.get("/api/v1/procedures", {"q": queries[n % len(queries)]})),
        "dossier": lambda n: ok(api.get(f"/api/v1/dossiers/{refs[n % len(refs)]}", **bearer)),
        "page": lambda n: ok(page.get(f"/can-bo/ho-so/{refs[n % len(refs)]}/")),
        "create": create_call,
        "lookup": lambda n: ok(
            # urlencoded, as a browser's form sends it (the test client's default is multipart)
            public.post("/tra-cuu/", urlencode({"code": codes[n % len(codes)][0], "digits": codes[n % len(codes)][1]}),
                        content_type="application/x-www-form-urlencoded")
        ),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--profile", default="", help="an endpoint name: cProfile it")
    parser.add_argument("--sql", action="store_true", help="print each endpoint's statements")
    parser.add_argument("--src", default="", help="the src folder of the code to measure")
    options = parser.parse_args()
    with open(os.devnull, "w") as quiet:
        call_command("serve", "--prepare-only", "--no-demo", verbosity=0, stdout=quiet)
    missing = options.dossiers - Dossier.objects.filter(ref__startswith="RB").count()
    if missing > 0:
        began = time.perf_counter()
        generate(missing)
        print(f"generated {missing:,} dossiers in {time.perf_counter() - began:.0f} s", flush=True)
    calls = endpoints(real_dossiers())
    print(
        f"{connection.vendor}, {Dossier.objects.count():,} dossiers, "
        f"{DossierEvent.objects.count():,} events; {options.requests:,} requests per endpoint"
    )
    chosen = [options.profile] if options.profile else options.only.split(",") if options.only else list(calls)  # fmt: skip
    results = [timed(name, calls[name], options.requests, bool(options.profile)) for name in chosen]
    if options.profile:
        return
    floor_rps = next((r["rps"] for r in results if r["name"] == "floor"), None)
    print(f"{'endpoint':<8} {'req/s':>8} {'× floor':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'cpu ms':>7} {'queries':>7} {'RSS MB':>7}")  # fmt: skip
    for r in results:
        ratio = f"{r['rps'] / floor_rps:.2f}" if floor_rps else "—"
        print(
            f"{r['name']:<8} {r['rps']:>8,.0f} {ratio:>8} {r['p50']:>7.2f} {r['p95']:>7.2f} "
            f"{r['p99']:>7.2f} {r['cpu']:>7.2f} {r['queries']:>7} {r['rss']:>7.0f}"
        )
        if options.sql:
            for sql in r["sql"]:
                print(f"    {sql[:160]}")


if __name__ == "__main__":
    main()
