"""City-scale bench: Một Cửa and the bare-Django "floor" side by side on one PostgreSQL.

    .venv/bin/python bench/city_bench.py --dossiers 100000          # cluster in var/bench-pg
    .venv/bin/python bench/city_bench.py --small                    # a few minutes
    .venv/bin/python bench/city_bench.py --reuse --database-url postgres://…  # as it is

Steps: a PostgreSQL cluster kept in ``var/bench-pg`` (or ``--database-url``); Một Cửa's
database prepared as ``motcua serve --prepare-only`` does (migrations, 126 wards and communes,
the national catalog); dossiers added up to ``--dossiers`` by ``volume.volume_generate`` (COPY;
``--reuse`` skips preparing and generating); two bench officers at the big ward with API tokens;
then Một Cửa (``motcua.wsgi``) and the floor (``bench/floor``) under gunicorn, 3 sync workers
each, and for each endpoint the same load driver (``load.py``: 16 connections over 2 processes)
against the floor, then against Một Cửa. Prints one table (req/s, ratio, p50/p95/p99, errors),
the web workers' RSS, and writes the figures as JSON under ``var/bench/``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from source import source_folder  # noqa: E402

SOURCE = source_folder()
sys.path.insert(0, str(SOURCE))

from load import LoadResult, Request, load_run  # noqa: E402

WORKERS = 3
# The issue's search queries (tests/catalog/test_search.py): accented, accent-free, colloquial.
SEARCHES = [
    "dang ky khai sinh", "Đăng ký khai sinh", "khai sinh cho con", "đăng ký khai tử",
    "giấy chứng tử", "dang ky ket hon", "xac nhan doc than", "nhập hộ khẩu", "thuong tru",
    "cắt khẩu", "tạm trú", "thủ tục tạm trú cần gì", "trich luc khai sinh", "công chứng giấy tờ",
    "chung thuc chu ky", "1.004222",
]  # fmt: skip
CREATE_PROCEDURE = "1.004222"  # Đăng ký thường trú: a commune procedure with its process


@dataclass
class Row:
    endpoint: str
    floor: dict[str, Any]
    app: dict[str, Any]

    @property
    def ratio(self) -> float:
        return self.app["rate"] / self.floor["rate"] if self.floor["rate"] else float("nan")

    @property
    def cpu_ratio(self) -> float:
        """Floor CPU per request ÷ Một Cửa's (web workers and PostgreSQL): the throughput ratio a
        quiet machine would show when the CPU is the limit, and much less sensitive than req/s
        to other work on a shared machine."""
        floor = self.floor["web_cpu_ms"] + self.floor["db_cpu_ms"]
        return floor / (self.app["web_cpu_ms"] + self.app["db_cpu_ms"])


def main() -> None:
    args = arguments()
    var = django_ready(args)
    facts = database_ready(args)
    print(describe(facts), flush=True)
    if args.prepare_only:
        return
    fixtures = bench_fixtures(args.creation_units)
    servers = {
        "app": Server("motcua.wsgi:application", args.port, SOURCE, "/readyz"),
        "floor": Server("floor.wsgi:application", args.port + 1, BENCH, "/ready"),
    }
    try:
        for server in servers.values():
            server.start(var)
        rows = measure(args, fixtures, servers)
        rss = {name: server.worker_rss_mb() for name, server in servers.items()}
        print_table(rows, rss)
        out = var / f"city-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(
            {"facts": facts, "rss_mb": rss, "args": vars(args),
             "rows": [{**asdict(r), "ratio": r.ratio, "cpu_ratio": r.cpu_ratio} for r in rows]},
            indent=2, default=str,
        ))  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()
    print(f"\nfigures: {out.relative_to(ROOT)}")


def django_ready(args: argparse.Namespace) -> Path:
    """The bench's environment (database, folders, limits) and Django set up; the folder of
    the figures and logs."""
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    url = args.database_url or cluster(args)
    # Published audit roots belong to one database: each database of the cluster has its own.
    roots = var / "audit-roots" / url.rsplit("/", 1)[-1].split("?")[0]
    os.environ.update(
        MOTCUA_DATABASE_URL=url, MOTCUA_VAR_DIR=str(var), MOTCUA_AUDIT_ROOTS_DIR=str(roots)
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    # Every request from one address: the API limit is counted (its cost measured), never reached.
    os.environ.setdefault("MOTCUA_RATE_API", "1000000/1")
    # No task worker runs beside the bench's web servers (the receipts it queues wait): the
    # readiness probe that the servers' start waits for leaves its worker and queue checks out.
    os.environ.setdefault("MOTCUA_READY_WORKER_STALE_SECONDS", "0")
    os.environ.setdefault("MOTCUA_READY_QUEUE_LAG_SECONDS", "0")
    import django

    django.setup()
    return var


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="5,000 dossiers, 3 s per run")
    parser.add_argument("--database-url", default="", help="use this database, not var/bench-pg")
    parser.add_argument(
        "--database", default="postgres", help="database name in var/bench-pg (made if missing)"
    )
    parser.add_argument("--reuse", action="store_true", help="no preparing, no generating")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client", choices=["raw", "aiohttp"], default="raw", help="load.py")
    parser.add_argument("--port", type=int, default=18_100)
    parser.add_argument("--prepare-only", action="store_true", help="prepare, generate, stop")
    parser.add_argument(
        "--big-share", type=float, default=0.1,
        help="the big ward's share of generated dossiers (0.01 of 10 M: the goal's 100,000)",
    )  # fmt: skip
    parser.add_argument("--only", default="", help="comma-separated endpoint names (see table)")
    parser.add_argument("--src", default="", help="the src folder of the code to measure")
    parser.add_argument(
        "--writes-per-second", type=float, default=0.0,
        help="while Một Cửa's worklist rows run, receive this many dossiers a second at the big "
        "ward (each changes the marks its counts are kept under)",
    )  # fmt: skip
    parser.add_argument(
        "--creation-units", type=int, default=1,
        help="wards the creations are spread over (1: all in the big ward, whose numbers are "
        "drawn one reception at a time, the law's gapless book)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.small:
        args.dossiers, args.seconds, args.warmup = min(args.dossiers, 5_000), 3.0, 1.0
    return args


def cluster(args: argparse.Namespace) -> str:
    import psycopg
    from pgcluster import cluster_url

    os.environ["MOTCUA_BENCH_OWN_CLUSTER"] = "1"
    url = cluster_url(ROOT / "var" / "bench-pg")
    if args.database == "postgres":
        return url
    with psycopg.connect(url, autocommit=True) as admin:
        if not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone():
            admin.execute(f'CREATE DATABASE "{args.database}"')
    return url.rsplit("/", 1)[0] + "/" + args.database


def database_ready(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare and fill the database (unless ``--reuse``); what it holds, for the record."""
    from django.core.management import call_command
    from django.db import connection

    from motcua.dossiers.constants import OPEN_STATUSES
    from motcua.dossiers.models import Dossier

    if not args.reuse:
        began = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("serve", "--prepare-only", "--no-demo", stdout=quiet)
        print(f"prepared in {time.perf_counter() - began:.0f} s", flush=True)
        missing = args.dossiers - Dossier.objects.count()
        if missing > 0:
            from volume import volume_generate

            report = volume_generate(missing, big_share=args.big_share)
            print(f"generated {report.dossiers:,} dossiers, {report.events:,} events in "
                  f"{report.seconds:.0f} s ({report.dossiers / report.seconds:,.0f}/s)")  # fmt: skip
    files_for_workers()
    with connection.cursor() as cursor:
        # What autovacuum keeps true on a server that runs for days: the visibility map of the
        # dossiers' pages set, and statistics of today's rows. Without it, dossiers the last
        # runs created are read from the table by every "index-only" scan, and PostgreSQL
        # chooses its plans by a visibility map of the load: session 33 took such a plan of
        # "Của tôi" (18.5 ms, after VACUUM 6.7 ms) for a fault of its rule.
        began = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE) dossiers_dossier")
        print(f"dossiers vacuumed in {time.perf_counter() - began:.1f} s", flush=True)
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_write (id bigserial PRIMARY KEY, "
            "kind int NOT NULL, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            "SELECT version(), current_setting('jit'), current_setting('shared_buffers')"
        )
        version, jit, shared_buffers = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM dossiers_dossierevent")
        events = cursor.fetchone()[0]
    from volume import BIG_WARD

    return {
        "dossiers": Dossier.objects.count(), "events": events, "big_ward": BIG_WARD,
        "big_ward_dossiers": Dossier.objects.filter(receiving_unit__code=BIG_WARD).count(),
        # What the worklist's counts walk: the ward's open dossiers (creation runs add to them).
        "big_ward_open": Dossier.objects.filter(
            receiving_unit__code=BIG_WARD, status__in=OPEN_STATUSES
        ).count(),
        "postgresql": version.split(" on ")[0], "jit": jit, "shared_buffers": shared_buffers,
        "machine": machine(), "python": platform.python_version(),
        "django": django_version(), "at": datetime.datetime.now().isoformat(timespec="seconds"),
    }  # fmt: skip


def files_for_workers() -> None:
    """What ``motcua serve`` writes before it starts the workers, also with ``--reuse``: the
    search index on disk (else one worker builds it on its first search and keeps the build's
    memory, which a served worker never does) and the calendar's days."""
    from motcua.catalog.search import INDEX
    from motcua.worktime.models import SUPPORTED_YEARS
    from motcua.worktime.sources import holiday_days

    INDEX.get()
    holiday_days(*SUPPORTED_YEARS)


def django_version() -> str:
    import django

    return django.get_version()


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024**2
    return f"{os.cpu_count()} cores ({cpu}), {memory} GB, {platform.machine()}"


def describe(facts: dict[str, Any]) -> str:
    return (
        f"{facts['dossiers']:,} dossiers, {facts['events']:,} events; "
        f"{facts['big_ward']}: {facts['big_ward_dossiers']:,} dossiers, "
        f"{facts['big_ward_open']:,} of them open\n"
        f"{facts['postgresql']} (jit {facts['jit']}, shared_buffers {facts['shared_buffers']}); "
        f"Django {facts['django']}, Python {facts['python']}; {facts['machine']}"
    )


@dataclass
class Fixtures:
    reception_token: str
    leader_token: str
    creation_token: str  # the reception officer's, or one receiving at every creation ward
    procedure_codes: list[str]
    refs: list[str]
    lookups: list[tuple[str, str]]
    creation_units: list[str]


def bench_fixtures(creation_units: int) -> Fixtures:
    """Two officers of the big ward (reception, leader) with API tokens, and sample keys; the
    reception officer receives at ``creation_units`` wards (the big ward first)."""
    from volume import BIG_WARD

    from motcua.accounts.models import ApiToken, OfficerRole, User
    from motcua.accounts.services import officer_role_grant
    from motcua.catalog.models import Procedure
    from motcua.common.clock import now
    from motcua.dossiers.models import Dossier
    from motcua.organizations.models import Unit

    unit = Unit.objects.get(code=BIG_WARD)
    tokens = {}
    for role in ("reception", "leader"):
        user, _created = User.objects.get_or_create(
            username=f"bench-{role}", defaults={"full_name": f"Cán bộ đo tải ({role})"}
        )
        if not OfficerRole.objects.filter(user=user, unit=unit, role=role).exists():
            officer_role_grant(actor=None, officer=user, unit=unit, role=role, at=now())
        tokens[role] = ApiToken.issue(user, f"city-bench {secrets.token_hex(3)}")
    wards = [unit, *Unit.objects.filter(kind="ward").exclude(pk=unit.pk).order_by("code")]
    # The worklist rows read as the big ward's reception officer, whatever earlier runs did:
    # until session 40 a run with ``--creation-units 20`` gave that officer the 20 wards for
    # good, and every later run measured a worklist of 20 wards (40,000 open dossiers).
    receptionist = User.objects.get(username="bench-reception")
    OfficerRole.objects.filter(user=receptionist).exclude(unit=unit, role="reception").delete()
    tokens["creation"] = tokens["reception"]
    if creation_units > 1:  # another officer receives at the wards; a token covers its units
        counters, _created = User.objects.get_or_create(
            username="bench-counters", defaults={"full_name": "Cán bộ đo tải (nhiều một cửa)"}
        )
        for ward in wards[:creation_units]:
            if not OfficerRole.objects.filter(user=counters, unit=ward, role="reception").exists():
                officer_role_grant(actor=None, officer=counters, unit=ward, role="reception", at=now())  # fmt: skip
        tokens["creation"] = ApiToken.issue(counters, f"city-bench {secrets.token_hex(3)}")
    codes = list(
        Procedure.objects.filter(in_hanoi_set=True)
        .order_by("-popularity", "pk")
        .values_list("code", flat=True)[:200]
    )
    ward = Dossier.objects.filter(receiving_unit=unit).order_by("ref")
    refs = list(ward.values_list("ref", flat=True)[:500])
    lookups = [
        (code, id_number[-4:])
        for code, id_number in Dossier.objects.filter(code__isnull=False)
        .order_by("ref")
        .values_list("code", "applicant_id_number")[:500]
    ]
    units = [ward.code for ward in wards[:creation_units]]
    return Fixtures(
        tokens["reception"], tokens["leader"], tokens["creation"], codes, refs, lookups, units
    )


def endpoints(f: Fixtures) -> list[tuple[str, list[Request], list[Request]]]:
    """(name, Một Cửa requests, floor requests) for each row of the issue's table."""

    from motcua.dossiers.selectors import TABS

    reception = (("Authorization", f"Bearer {f.reception_token}"),)
    leader = (("Authorization", f"Bearer {f.leader_token}"),)
    by_code = [Request("GET", f"/procedure/{c}") for c in f.procedure_codes]
    by_ref = [Request("GET", f"/dossier/{r}") for r in f.refs]
    csrf = secrets.token_hex(16)
    form = (("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", f"csrftoken={csrf}"))
    lookups = [
        urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "code": c, "digits": d}).encode()
        for c, d in f.lookups
    ]
    rows = [
        ("catalog detail", [Request("GET", f"/api/v1/procedures/{c}") for c in f.procedure_codes],
         by_code),
        ("search", [Request("GET", "/api/v1/procedures?" + urllib.parse.urlencode({"q": q}))
                    for q in SEARCHES], by_code),
        ("dossier read", [Request("GET", f"/api/v1/dossiers/{r}", leader) for r in f.refs],
         by_ref),
        ("public lookup", [Request("POST", "/tra-cuu/", form, body) for body in lookups],
         [Request("POST", "/lookup", form[:1], body) for body in lookups]),
    ]  # fmt: skip
    for tab, _label in TABS:
        rows.append((f"worklist {tab}",
                     [Request("GET", f"/api/v1/dossiers?tab={tab}", reception)], by_ref))  # fmt: skip
    # The ward's leader reads what the ward received and what it decides for other units: a
    # part of their own, whose plans the reception's rows never run (session 39).
    for tab, _label in TABS:
        rows.append((f"leader worklist {tab}",
                     [Request("GET", f"/api/v1/dossiers?tab={tab}", leader)], by_ref))  # fmt: skip
    bodies = [json.dumps({
        "unit": unit, "procedure": CREATE_PROCEDURE, "channel": "counter",
        "applicant": {"name": "Nguyễn Văn Đo Tải", "id_number": "001090012345", "phone": "0912345678"},
    }).encode() for unit in f.creation_units]  # fmt: skip
    json_headers = (("Content-Type", "application/json"),)
    creator = (("Authorization", f"Bearer {f.creation_token}"),)
    rows.append(("creation", [Request("POST", "/api/v1/dossiers", creator + json_headers, body,
                                      expect=201) for body in bodies],
                 [Request("POST", "/write", json_headers, body, expect=201) for body in bodies]))  # fmt: skip
    return rows


def marks_folded() -> None:
    """What the scheduler does every round (``count_cache.unit_marks_fold``). The bench runs no
    scheduler, and every dossier the creation rows receive adds a mark to the big ward: past
    ``MARKS_READ_MAX`` marks a unit's worklist counts were made again on every request (12 ms of
    the database's time each, session 48), as the log's warning says."""
    from motcua.dossiers.count_cache import unit_marks_fold

    unit_marks_fold()


def measure(args: argparse.Namespace, fixtures: Fixtures, servers: dict[str, Server]) -> list[Row]:
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    rows = []
    listed = endpoints(fixtures)
    creations = next(app for name, app, _floor in listed if name == "creation")
    for name, app_requests, floor_requests in listed:
        if wanted and name not in wanted and name.split()[0] not in wanted:
            continue
        if "worklist" in name:
            marks_folded()
        preflight(servers["app"], app_requests[0])
        figures = {}
        for side, requests in (("floor", floor_requests), ("app", app_requests)):
            load = os.getloadavg()[0]
            writing = args.writes_per_second if side == "app" and "worklist" in name else 0
            writer = Writer(servers[side], creations[0], writing)
            writer.start()
            try:
                result = load_run(
                    servers[side].base, requests, seconds=args.seconds, warmup=args.warmup,
                    connections=args.connections, probe=servers[side].cpu_probe,
                    client=args.client,
                )  # fmt: skip
            finally:
                writer.stop()
            figures[side] = summary(result, load)
            if writing:
                figures[side]["writes"] = writer.done
                print(f"({name}: {writer.done} dossiers received meanwhile, "
                      f"{writer.failed} failed)", flush=True)  # fmt: skip
        row = Row(name, figures["floor"], figures["app"])
        rows.append(row)
        print(line(row), flush=True)
    return rows


class Writer(threading.Thread):
    """Sends ``request`` (a reception at the big ward) ``rate`` times a second until stopped."""

    def __init__(self, server: Server, request: Request, rate: float) -> None:
        super().__init__(daemon=True)
        self.server, self.request, self.rate = server, request, rate
        self.done = self.failed = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        if not self.rate:
            return
        while not self.stopping.wait(1 / self.rate):
            sent = urllib.request.Request(
                self.server.base + self.request.path, data=self.request.body or None,
                method=self.request.method, headers=dict(self.request.headers),
            )  # fmt: skip
            try:
                with urllib.request.urlopen(sent, timeout=60) as answer:
                    ok = answer.status == self.request.expect
            except OSError:
                ok = False
            self.done += ok
            self.failed += not ok

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def preflight(server: Server, request: Request) -> None:
    """One request by hand: a wrong token or form shows here, not as a fast stream of errors."""
    sent = urllib.request.Request(
        server.base + request.path, data=request.body or None, method=request.method,
        headers=dict(request.headers),
    )  # fmt: skip
    try:
        with urllib.request.urlopen(sent, timeout=120) as answer:
            status, text = answer.status, answer.read()[:300]
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()[:300]
    if status != request.expect or b"Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y" in text:
        print(f"!!! {request.method} {request.path}: {status} {text!r}", flush=True)


def summary(result: LoadResult, load: float) -> dict[str, Any]:
    web, db = result.probed or (float("nan"), float("nan"))
    served = max(result.requests, 1)
    return {
        "web_cpu_ms": 1000 * web / served, "db_cpu_ms": 1000 * db / served,
        "rate": result.rate, "requests": result.requests, "errors": result.errors,
        "p50": result.percentile(50), "p95": result.percentile(95),
        "p99": result.percentile(99), "statuses": dict(result.statuses),
        "driver_cpu": result.driver_cpu_share, "load_before": load,
    }  # fmt: skip


def line(row: Row) -> str:
    f, a = row.floor, row.app
    return (
        f"| {row.endpoint} | {f['rate']:,.0f} | {a['rate']:,.1f} | {row.ratio:.3f} | "
        f"{a['p50']:,.0f} / {a['p95']:,.0f} / {a['p99']:,.0f} | {a['errors']} | "
        f"{f['p50']:,.0f} / {f['p99']:,.0f} | {f['errors']} | "
        f"{f['web_cpu_ms']:.1f} + {f['db_cpu_ms']:.1f} | {a['web_cpu_ms']:.1f} + {a['db_cpu_ms']:.1f} | "
        f"{row.cpu_ratio:.3f} | {f['load_before']:.0f} / {a['load_before']:.0f} |"
    )


def print_table(rows: list[Row], rss: dict[str, list[float]]) -> None:
    print("\n| endpoint | floor req/s | Một Cửa req/s | ratio | Một Cửa p50 / p95 / p99 ms | "
          "errors | floor p50 / p99 ms | floor errors | floor CPU ms/req (web + db) | "
          "Một Cửa CPU ms/req (web + db) | CPU ratio | load avg (floor / app) |")  # fmt: skip
    print("|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(line(row))
    for name, sizes in rss.items():
        print(f"{name} web workers RSS: {', '.join(f'{s:.0f}' for s in sizes)} MB")


class Server:
    """A gunicorn master with 3 sync workers, as `motcua serve` runs the web app."""

    def __init__(self, app: str, port: int, path: Path, ready: str) -> None:
        self.app, self.port, self.path, self.ready = app, port, path, ready
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def start(self, var: Path) -> None:
        command = [
            sys.executable, "-m", "gunicorn", self.app, "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "120",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        if "--no-control-socket" in gunicorn_help():
            command.append("--no-control-socket")  # two masters would share one socket path
        settings = self.app.split(".")[0] + ".settings"
        env = {**os.environ, "PYTHONPATH": str(self.path), "DJANGO_SETTINGS_MODULE": settings}
        log = (var / f"gunicorn-{self.port}.log").open("wb")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + self.ready, timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"{self.app} did not start; see {log.name}")

    def cpu_probe(self) -> tuple[float, float]:
        """CPU seconds used so far by this server's workers, and by PostgreSQL's backends of the
        database under test (a backend that ends inside the window takes its CPU with it; with
        persistent connections, few do)."""
        assert self.process is not None
        for group, pids in (("web", children(self.process.pid)), ("db", postgres_pids())):
            now = cpu_by_pid(pids)
            seen = self.seen.setdefault(group, {})
            # Only growth is counted: a process that ended takes its CPU out of any plain sum.
            self.used[group] = self.used.get(group, 0.0) + sum(
                max(0.0, cpu - seen.get(pid, 0.0)) for pid, cpu in now.items()
            )
            seen.update(now)
        return self.used["web"], self.used["db"]

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of each worker (the master's children), from /proc."""
        assert self.process is not None
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sorted(sizes)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn waits --graceful-timeout for requests in flight
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(parent):
            found.append(int(stat.parent.name))
    return found


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of ``pids`` still running (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def postgres_pids() -> list[int]:
    """The server processes of the database under test (client backends, not those of another
    database in the same cluster), when the bench runs its own cluster on this machine."""
    if "MOTCUA_BENCH_OWN_CLUSTER" not in os.environ:
        return []
    import psycopg

    with psycopg.connect(os.environ["MOTCUA_DATABASE_URL"]) as probe:
        rows = probe.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def gunicorn_help() -> str:
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, check=False
    ).stdout


if __name__ == "__main__":
    main()
