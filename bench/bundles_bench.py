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
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from motcua.accounts.models import User  # noqa: E402
from motcua.accounts.services import officer_role_grant  # noqa: E402
from motcua.bundles.models import Bundle  # noqa: E402
from motcua.bundles.services import bundle_advance, bundle_submit  # noqa: E402
from motcua.catalog.models import Procedure  # noqa: E402
from motcua.common.clock import clock_set_to  # noqa: E402
from motcua.dossiers import steps  # noqa: E402
from motcua.dossiers.models import Dossier  # noqa: E402
from motcua.dossiers.services import (  # noqa: E402
    Applicant,
    dossier_approve,
    dossier_forward,
    dossier_receive,
)
from motcua.integrations.registry.delivery import registry_call_send  # noqa: E402
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
    police = {
        u.area_id: u
        for u in Unit.objects.filter(kind=UnitKind.COMMUNE_POLICE).exclude(area_id=None)
    }
    wards = [w for w in Unit.objects.filter(kind=UnitKind.WARD).order_by("code") if w.pk in police][
        :count
    ]
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


def saga(at: datetime.datetime) -> int:
    """The saga's queued tasks, run as the worker runs them (oldest first)."""
    ran = 0
    with clock_set_to(at):
        while rows := list(
            DBTaskResult.objects.filter(task_path__in=SAGA_TASKS, status="READY").order_by("pk")[
                :50
            ]
        ):
            for row in rows:
                kwargs = row.args_kwargs["kwargs"]
                if row.task_path == SAGA_TASKS[0]:
                    bundle_advance(bundle_id=kwargs["bundle_id"], at=at)
                else:
                    registry_call_send(call_id=kwargs["call_id"])
                row.delete()
                ran += 1
    return ran


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
        bundle, _created = timer.run("1 submit at the counter", lambda: bundle_submit(
            kind=kind, services=SERVICES[kind], receiving_unit=ward.unit, channel="counter",
            applicant=applicant, subject=subject(kind, number, at), actor=ward.reception, at=at,
        ))  # type: ignore[misc]  # fmt: skip
    root = bundle.members.get(after="").dossier
    timer.run("2 ward decides", lambda: decide(root, ward, at + HOUR))
    timer.run("3 saga: registry + hand-off", lambda: saga(at + 2 * HOUR))
    for member in bundle.members.exclude(after="").select_related("dossier", "unit"):
        if member.dossier is None:
            continue
        staff = police if member.unit_id == police.unit.pk else bhxh if member.unit_id == bhxh.unit.pk else ward  # fmt: skip
        received = timer.run("4 agency receives", lambda m=member, s=staff: dossier_receive(
            dossier=m.dossier, actor=s.reception, at=at + 2 * HOUR))  # fmt: skip
        timer.run("5 agency decides", lambda d=received, s=staff: decide(d, s, at + 3 * HOUR))
    timer.run("6 saga: registries + finish", lambda: saga(at + 4 * HOUR))
    return Bundle.objects.get(pk=bundle.pk)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="share of the year (1 = all)")
    parser.add_argument("--wards", type=int, default=10)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=14)
    options = parser.parse_args()
    prepared()
    births = max(1, round(YEAR_BIRTH * options.scale))
    deaths = max(1, round(YEAR_DEATH * options.scale))
    pairs = wards_with_police(options.wards)
    bhxh = Staff(Unit.objects.get(code=BHXH))
    days = working_days(options.year)
    timer, states, statements = Timer(), Counter[str](), 0
    queued_before = DBTaskResult.objects.exclude(task_path__in=SAGA_TASKS).count()
    print(f"{births:,} birth + {deaths:,} death bundles over {len(days)} working days of "
          f"{options.year}, {len(pairs)} wards; {connection.vendor}; Python {platform.python_version()}")  # fmt: skip
    started = time.perf_counter()
    for number, (kind, at) in enumerate(schedule(births, deaths, days, options.seed), 1):
        ward, police = pairs[number % len(pairs)]
        reset_queries()  # the log keeps 9,000 statements: count each bundle from empty
        with CaptureQueriesContext(connection) as queries:
            bundle = one_bundle(number, kind, at, ward, police, bhxh, timer)
        statements += len(queries.captured_queries)
        states[f"{kind}:{bundle.status}"] += 1
        if number % 500 == 0:
            rate = number / (time.perf_counter() - started)
            print(f"  {number:,} bundles, {rate:.1f}/s", flush=True)
    elapsed = time.perf_counter() - started
    total = births + deaths
    print(f"\n{total:,} bundles in {elapsed:.0f} s: {total / elapsed:.1f} bundles/s, "
          f"{statements / total:.0f} statements per bundle")  # fmt: skip
    print(f"a whole year ({YEAR_BIRTH + YEAR_DEATH:,}) at this rate: "
          f"{(YEAR_BIRTH + YEAR_DEATH) / (total / elapsed) / 3600:.1f} h of one process")  # fmt: skip
    print("\n| stage | runs | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for stage, values in sorted(timer.samples.items()):
        print(f"| {stage} | {len(values):,} | {statistics.median(values) * 1000:.1f} | "
              f"{percentile(values, 0.95) * 1000:.1f} |")  # fmt: skip
    print("\nfinal states:", dict(sorted(states.items())))
    left = DBTaskResult.objects.exclude(task_path__in=SAGA_TASKS).count() - queued_before
    print(f"other tasks left queued for the worker (receipts, messages): {left:,}")


if __name__ == "__main__":
    main()
