"""A year of Hà Nội's linked bundles replayed through the services (issue 14).

    MOTCUA_VAR_DIR=<fresh or prepared var> .venv/bin/python bench/bundles_bench.py [--scale 0.01]
        [--wards 10] [--seed 14]

Hà Nội handled 134,784 birth bundles and 1,017 death bundles in the first year; ``--scale`` takes
that share of them (``--scale 1`` is the whole year). Each bundle goes the way it goes in the
city, through the same services the pages and the API call, in simulated time over the year's
working days, spread over ``--wards`` wards (with their police) and the city's social insurance:

- received at the ward's counter (``bundle_submit``: the first member's dossier, received at once);
- the ward's specialist and leader decide the birth (death) registration;
- the saga's tasks run as the worker runs them: the registry write (the in-process stand-in
  registry, so the figure leaves the network out) and the hand-off that creates the police's and
  social insurance's members;
- each agency receives and decides its member; the saga finishes the bundle.

The other tasks the events enqueue (receipts rendered as PDF, messages to applicants) are left
queued and counted: they are the worker's, not the bundle's. Prints bundles per second, the time of
each stage (p50/p95), statements per bundle and the final states. Results go to
docs/performance.md by hand.

The whole year is longer than a session, so it runs in sittings (``--stop-after``), each logged
to its own gzip file in the ``--log`` folder. The year's folder is kept in the repository
(``bench/results/bundles-2026-1-14``): a new machine goes on where the last sitting stopped, on
a database of its own (bundles do not read one another's rows).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from motcua.accounts.models import User  # noqa: E402
from motcua.accounts.services import officer_role_grant  # noqa: E402
from motcua.bundles.models import Bundle, RegistryCall  # noqa: E402
from motcua.bundles.services import bundle_submit  # noqa: E402
from motcua.catalog.models import Procedure  # noqa: E402
from motcua.common.clock import clock_set_to  # noqa: E402
from motcua.common.tasks import queued_tasks_run  # noqa: E402
from motcua.dossiers import steps  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.dossiers.services import (  # noqa: E402
    Applicant,
    dossier_approve,
    dossier_forward,
    dossier_receive,
)
from motcua.organizations.constants import UnitKind  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402
from motcua.worktime.engine import VIETNAM_OFFSET  # noqa: E402

YEAR_BIRTH, YEAR_DEATH = 134_784, 1_017
BHXH = "hn-bhxh"
SAGA_TASKS = (
    "motcua.bundles.tasks.bundle_advance_task",
    "motcua.integrations.registry.tasks.registry_call_deliver",
)
HOUR = datetime.timedelta(hours=1)
FIRST_NAMES = ["Minh Khang", "Bảo Anh", "Gia Huy", "Ngọc Hân", "Đức Anh", "Khánh Linh"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]


class Staff:
    """Reception, specialist and leader of one unit (created once, reused on later runs)."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.reception = officer(unit, "reception")
        self.specialist = officer(unit, "specialist")
        self.leader = officer(unit, "leader")


def officer(unit: Unit, role: str) -> User:
    user, created = User.objects.get_or_create(
        username=f"bench.{unit.code}.{role}"[:150], defaults={"full_name": f"Bench {role}"}
    )
    if created:
        officer_role_grant(
            actor=None, officer=user, unit=unit, role=role,
            at=datetime.datetime(2025, 7, 1, 8, tzinfo=VIETNAM_OFFSET),
        )  # fmt: skip
    return user


def prepared() -> None:
    """The schema, the unit tree and the catalog, as `motcua serve --prepare-only` leaves them."""
    call_command("migrate", interactive=False, verbosity=0)
    if not Unit.objects.exists():
        call_command("load_units", verbosity=0)
    if not Procedure.objects.exists():
        call_command("import_catalog", no_progress=True, verbosity=0)


def wards_with_police(count: int) -> list[tuple[Staff, Staff]]:
    """The first ``count`` wards and communes (the city has 126) with their police."""
    police = {
        u.area_id: u
        for u in Unit.objects.filter(kind=UnitKind.COMMUNE_POLICE).exclude(area_id=None)
    }
    communes = Unit.objects.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE]).order_by("code")
    wards = [w for w in communes if w.pk in police][:count]
    return [(Staff(w), Staff(police[w.pk])) for w in wards]


def working_days(year: int) -> list[datetime.date]:
    from motcua.worktime.services import calendar_in_force

    calendar, _rules = calendar_in_force(on=datetime.date(year, 1, 1))
    day, days = datetime.date(year, 1, 1), []
    while day.year == year:
        if calendar.is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def schedule(births: int, deaths: int, days: list[datetime.date], seed: int) -> Iterator[tuple[str, datetime.datetime]]:  # fmt: skip
    """The year's bundles in time order, at random times of the morning (so that every stage,
    two hours apart, stays inside the working day)."""
    rng = random.Random(seed)
    kinds = ["birth"] * births + ["death"] * deaths
    moments = sorted(
        datetime.datetime.combine(rng.choice(days), datetime.time(8, rng.randrange(0, 60)),
                                  tzinfo=VIETNAM_OFFSET)
        for _ in kinds
    )  # fmt: skip
    rng.shuffle(kinds)
    yield from zip(kinds, moments, strict=True)


def subject(kind: str, number: int, at: datetime.datetime) -> dict[str, str]:
    name = f"{FAMILY[number % len(FAMILY)]} {FIRST_NAMES[number % len(FIRST_NAMES)]}"
    if kind == "birth":
        born = (at - datetime.timedelta(days=7 + number % 50)).strftime("%d/%m/%Y")
        return {
            "child_name": name, "birth_date": born, "sex": "nam" if number % 2 else "nu",
            "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_name": f"Trần Thị Mẹ {number}",
            "residence_address": f"{1 + number % 200} Hàng Bạc",
        }  # fmt: skip
    died = (at - datetime.timedelta(days=1 + number % 5)).strftime("%d/%m/%Y")
    return {
        "deceased_name": name, "deceased_id_number": f"001{number:09d}", "death_date": died,
        "death_place": "Bệnh viện Bạch Mai", "relationship": "con",
        "funeral_payer": "social_insurance" if number % 3 else "social_protection",
    }  # fmt: skip


SERVICES = {
    "birth": ["birth_registration", "permanent_residence", "health_insurance_card"],
    "death": ["death_registration", "residence_removal", "funeral_allowance"],
}


def decide(dossier: Dossier, staff: Staff, at: datetime.datetime) -> Dossier:
    if steps.steps_of(dossier):
        dossier = dossier_forward(dossier=dossier, actor=staff.specialist, at=at)
    return dossier_approve(
        dossier=dossier, actor=staff.leader, at=at + HOUR / 4, note="Đủ điều kiện"
    )


def saga(at: datetime.datetime, bundle: Bundle) -> int:
    """The bundle's queued saga tasks, run as the worker runs them (oldest first). Only this
    bundle's: with ``--processes`` the other processes' bundles have tasks of their own queued."""
    ran = 0
    while rows := saga_tasks_of(bundle):
        ran += queued_tasks_run(rows, at)
    return ran


def saga_tasks_of(bundle: Bundle) -> list[DBTaskResult]:
    ready = list(
        DBTaskResult.objects.filter(task_path__in=SAGA_TASKS, status="READY").order_by("pk")[:200]
    )
    call_ids = {r.args_kwargs["kwargs"]["call_id"] for r in ready if r.task_path == SAGA_TASKS[1]}
    mine = set(
        RegistryCall.objects.filter(pk__in=call_ids, member__bundle=bundle).values_list(
            "pk", flat=True
        )
    ) if call_ids else set()  # fmt: skip
    return [
        r
        for r in ready
        if r.args_kwargs["kwargs"].get("bundle_id") == bundle.pk
        or r.args_kwargs["kwargs"].get("call_id") in mine
    ]


class Timer:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}

    def run(self, stage: str, work: object) -> object:
        started = time.perf_counter()
        result = work()  # type: ignore[operator]
        self.samples.setdefault(stage, []).append(time.perf_counter() - started)
        return result


def one_bundle(
    number: int, kind: str, at: datetime.datetime, ward: Staff, police: Staff, bhxh: Staff,
    timer: Timer,
) -> Bundle:  # fmt: skip
    applicant = Applicant(f"Người nộp {number}", f"0010{number:08d}", phone="0912345678")
    with clock_set_to(at):
        submitted: tuple[Bundle, bool] = timer.run("1 submit at the counter", lambda: bundle_submit(
            kind=kind, services=SERVICES[kind], receiving_unit=ward.unit, channel="counter",
            applicant=applicant, subject=subject(kind, number, at), actor=ward.reception, at=at,
        ))  # type: ignore[assignment]  # fmt: skip
    bundle = submitted[0]
    root = bundle.members.get(after="").dossier
    assert root is not None  # the first member's dossier is received at the counter
    timer.run("2 ward decides", lambda: decide(root, ward, at + HOUR))
    timer.run("3 saga: registry + hand-off", lambda: saga(at + 2 * HOUR, bundle))
    for member in bundle.members.exclude(after="").select_related("dossier", "unit"):
        if member.dossier is None:
            continue
        staff = police if member.unit_id == police.unit.pk else bhxh if member.unit_id == bhxh.unit.pk else ward  # fmt: skip
        received = timer.run("4 agency receives", lambda m=member, s=staff: dossier_receive(
            dossier=m.dossier, actor=s.reception, at=at + 2 * HOUR))  # fmt: skip
        timer.run("5 agency decides", lambda d=received, s=staff: decide(d, s, at + 3 * HOUR))
    timer.run("6 saga: registries + finish", lambda: saga(at + 4 * HOUR, bundle))
    return Bundle.objects.get(pk=bundle.pk)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def options_parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="share of the year (1 = all)")
    parser.add_argument("--wards", type=int, default=10)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="replay in this many processes, the wards shared out among them",
    )
    parser.add_argument(
        "--log",
        type=Path,
        default=None,
        help="folder of the sittings' logs (one JSON line per bundle, one gzip file per "
        "sitting); a run with the same folder resumes the year "
        "(default: <var>/bundles-<year>-<scale>-<seed>)",
    )
    parser.add_argument(
        "--compact",
        action="store_true",
        help="only gzip the logs of sittings that were killed before they could",
    )
    parser.add_argument(
        "--stop-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop (each process after the bundle it is on) after this long",
    )
    parser.add_argument(
        "--report", action="store_true", help="only print the figures of the log's runs so far"
    )
    options = parser.parse_args()
    if options.log is None:
        from django.conf import settings

        options.log = Path(settings.VAR_DIR) / (
            f"bundles-{options.year}-{options.scale:g}-{options.seed}"
        )
    # This sitting's own file; the earlier sittings' files are only read.
    options.sitting = options.log / time.strftime("sitting-%Y%m%dT%H%M%SZ.jsonl", time.gmtime())
    return options


def log_read(folder: Path) -> list[dict[str, Any]]:
    """Every sitting's lines, oldest sitting first (the names sort by start time)."""
    lines = []
    for path in sorted(folder.glob("sitting-*.jsonl*")):
        text = (
            gzip.decompress(path.read_bytes()).decode()
            if path.suffix == ".gz"
            else path.read_text()
        )
        for line in text.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:  # a line cut short when a run was killed mid-write
                continue
    return lines


def log_compact(folder: Path) -> None:
    """A sitting's log as gzip (about a tenth of the size): small enough to keep in the
    repository, which is what carries a year of sittings from one machine to the next."""
    for path in sorted(folder.glob("sitting-*.jsonl")):
        packed = path.with_name(path.name + ".gz")
        packed.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        path.unlink()


def log_write(path: Path, entry: dict[str, Any]) -> None:
    # One write of one line per call, appended: lines of the processes do not interleave.
    with path.open("a") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def commit_of_code() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "?"


def replay(worker: int, options: argparse.Namespace, plan: list[tuple[int, str, datetime.datetime]]) -> None:  # fmt: skip
    """One process's share of the year: the bundles of its wards, in time order."""
    connections.close_all()  # never share the parent's connection after a fork
    pairs = wards_with_police(options.wards)
    bhxh = Staff(Unit.objects.get(code=BHXH))
    deadline = None if options.stop_after is None else time.monotonic() + options.stop_after
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    for done, (number, kind, at) in enumerate(plan, 1):
        if stopping or (deadline is not None and time.monotonic() > deadline):
            break
        ward, police = pairs[number % len(pairs)]
        timer, cpu = Timer(), time.process_time()
        reset_queries()  # the log keeps 9,000 statements: count each bundle from empty
        with CaptureQueriesContext(connection) as queries:
            bundle = one_bundle(number, kind, at, ward, police, bhxh, timer)
        log_write(options.sitting, {
            "n": number, "kind": kind, "at": at.isoformat(), "status": bundle.status,
            "statements": len(queries.captured_queries),
            "stages": {k: [round(v, 4) for v in vs] for k, vs in timer.samples.items()},
            "cpu": round(time.process_time() - cpu, 4), "worker": worker,
            "ended": round(time.time(), 2),
        })  # fmt: skip
        if done % 250 == 0:
            log_write(options.sitting, {"purged": queued_tasks_purge(), "worker": worker})
    log_write(options.sitting, {"purged": queued_tasks_purge(), "worker": worker})


def queued_tasks_purge() -> int:
    """The other tasks the events enqueue (receipts as PDF, messages) are the worker's, not the
    bundle's: counted, then dropped, so that the queue stays the size a running worker keeps it."""
    deleted, _by_model = (
        DBTaskResult.objects.exclude(task_path__in=SAGA_TASKS).filter(status="READY").delete()
    )
    return deleted


def share_of(worker: int, processes: int, wards: int, number: int) -> bool:
    """Whole wards per process, so that a ward's day is replayed in its own time order."""
    return (number % wards) % processes == worker


def main() -> None:
    options = options_parse()
    if options.report:
        report(options)
        return
    if options.compact:
        log_compact(options.log)
        return
    prepared()
    options.log.mkdir(parents=True, exist_ok=True)
    births = max(1, round(YEAR_BIRTH * options.scale))
    deaths = max(1, round(YEAR_DEATH * options.scale))
    wards = len(wards_with_police(options.wards))
    days = working_days(options.year)
    done = {entry["n"] for entry in log_read(options.log) if "n" in entry}
    todo = [
        (number, kind, at)
        for number, (kind, at) in enumerate(schedule(births, deaths, days, options.seed), 1)
        if number not in done
    ]
    print(f"{births:,} birth + {deaths:,} death bundles over {len(days)} working days of "
          f"{options.year}, {wards} wards; {connection.vendor}; Python "
          f"{platform.python_version()}; {options.processes} process(es); "
          f"{len(done):,} done before, {len(todo):,} to go; log {options.sitting}", flush=True)  # fmt: skip
    segment = {"segment": time.time(), "processes": options.processes, "commit": commit_of_code(),
               "database": connection.vendor, "load_before": os.getloadavg()[0]}  # fmt: skip
    if options.processes == 1:  # in this process: a profiler run over the bench sees it all
        replay(0, options, todo)
        segment.update(ended=time.time(), load_after=os.getloadavg()[0], failed=0)
        log_write(options.sitting, segment)
        log_compact(options.log)
        report(options)
        return
    connections.close_all()
    children = []
    for worker in range(options.processes):
        plan = [b for b in todo if share_of(worker, options.processes, wards, b[0])]
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                replay(worker, options, plan)
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        children.append(pid)

    def stop_children(*_: object) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop_children)
    failed = sum(os.waitstatus_to_exitcode(os.waitpid(c, 0)[1]) != 0 for c in children)
    signal.signal(signal.SIGTERM, previous)
    segment.update(ended=time.time(), load_after=os.getloadavg()[0], failed=failed)
    log_write(options.sitting, segment)
    log_compact(options.log)
    report(options)


def report(options: argparse.Namespace) -> None:
    entries = log_read(options.log)
    bundles = [e for e in entries if "n" in e]
    segments = [e for e in entries if "segment" in e]
    if not bundles:
        print("no bundle replayed yet")
        return
    # Each run's time is its wall time, start to end, with all its processes: the year's figure
    # is every bundle over the sum of those times (runs may be spread over several sittings).
    elapsed = sum(s["ended"] - s["segment"] for s in segments)
    finished = sum(1 for b in bundles for s in segments if s["segment"] <= b["ended"] <= s["ended"])
    if finished < len(bundles):  # a run under way (or killed): from its first bundle to its last
        ongoing = [b["ended"] for b in bundles if not any(
            s["segment"] <= b["ended"] <= s["ended"] for s in segments)]  # fmt: skip
        elapsed += max(ongoing) - min(ongoing)
        print(f"(a run under way or stopped without its summary: {len(ongoing):,} bundles)")
    total = len(bundles)
    year = YEAR_BIRTH + YEAR_DEATH
    print(f"\n{total:,} bundles in {len(segments)} run(s), {elapsed:,.0f} s: "
          f"{total / elapsed:.2f} bundles/s, "
          f"{statistics.mean(b['statements'] for b in bundles):.0f} statements per bundle")  # fmt: skip
    cpu = [b["cpu"] for b in bundles if "cpu" in b]
    if cpu:  # this process's own CPU: steadier than the wall clock when the machine is shared
        print(f"CPU of the replaying process per bundle: {statistics.mean(cpu) * 1000:.0f} ms")
    for s in segments:
        started = datetime.datetime.fromtimestamp(s["segment"], tz=VIETNAM_OFFSET)
        count = sum(1 for b in bundles if s["segment"] <= b["ended"] <= s["ended"])
        print(f"  run {started:%d/%m/%Y %H:%M}: {count:,} bundles in {s['ended'] - s['segment']:,.0f} s, "
              f"{s['processes']} process(es), {s['database']}, code {s['commit']}, "
              f"load {s['load_before']:.1f} → {s['load_after']:.1f}"
              + (f", {s['failed']} process(es) failed" if s["failed"] else ""))  # fmt: skip
    if total < year:
        print(f"the whole year ({year:,}) at this rate: {year / (total / elapsed) / 3600:.1f} h")
    samples: dict[str, list[float]] = {}
    for b in bundles:
        for stage, values in b["stages"].items():
            samples.setdefault(stage, []).extend(values)
    print("\n| stage | runs | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for stage, values in sorted(samples.items()):
        print(f"| {stage} | {len(values):,} | {statistics.median(values) * 1000:.1f} | "
              f"{percentile(values, 0.95) * 1000:.1f} |")  # fmt: skip
    states = Counter(f"{b['kind']}:{b['status']}" for b in bundles)
    print("\nfinal states:", dict(sorted(states.items())))
    purged = sum(e["purged"] for e in entries if "purged" in e)
    print(f"other tasks dropped from the queue (receipts, messages; the worker's): {purged:,}")
    months = Counter(b["at"][:7] for b in bundles)
    print("bundles by month:", ", ".join(f"{m} {c:,}" for m, c in sorted(months.items())))


if __name__ == "__main__":
    main()
