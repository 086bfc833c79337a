"""Linked bundles for ``motcua demo-data``: Hà Nội's share of birth and death bundles (Decree
63/2024), each taken through the services as the ward's counter, the agencies and the worker
take it (decision 0016, "Bundles in demo-data").

A bundle is submitted at its ward's counter on a working-day morning; an hour later the ward
decides its first member; the worker's saga tasks (the registry write, the hand-off that
creates the other members) run an hour after that, as the worker runs them; each agency
receives its member then and decides it an hour later; the saga finishes the bundle. A stage
due after ``until`` is not taken: the last days' bundles stay where they are, as in a city.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django_tasks_db.models import DBTaskResult
from tqdm import tqdm

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.common.clock import clock_set_to, history_since
from motcua.common.tasks import queued_tasks_run
from motcua.dossiers import steps
from motcua.dossiers.demo.histories import applicant, working_days
from motcua.dossiers.demo.plan import Office, Plan, officers_ensure
from motcua.dossiers.demo.run import DemoRun, in_processes
from motcua.dossiers.demo.texts import FAMILY, GIVEN, MIDDLE
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.dossiers.services import Applicant, dossier_approve, dossier_forward, dossier_receive
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

from .models import Bundle, RegistryCall
from .services import bundle_submit

# Hà Nội's first year of linked bundles (issue 14) against the city's dossiers a year (issue 12).
BIRTHS_A_YEAR, DEATHS_A_YEAR = 134_784, 1_017
DOSSIERS_A_YEAR = 4_500_000
SERVICES = {
    "birth": ["birth_registration", "permanent_residence", "health_insurance_card"],
    "death": ["death_registration", "residence_removal", "funeral_allowance"],
}
ADVANCE_TASK = "motcua.bundles.tasks.bundle_advance_task"
REGISTRY_TASK = "motcua.integrations.registry.tasks.registry_call_deliver"
RENDER_TASK = "motcua.dossiers.document_tasks.issued_document_render_task"
HOUR = datetime.timedelta(hours=1)
STAGES = 4  # hours from the counter to the saga's finish: every stage inside the working day


def bundles_share(dossiers: int) -> int:
    """The bundles that go with ``dossiers`` single dossiers in Hà Nội's proportion (3 %)."""
    return round(dossiers * (BIRTHS_A_YEAR + DEATHS_A_YEAR) / DOSSIERS_A_YEAR)


@dataclass(frozen=True)
class Planned:
    number: int
    kind: str
    at: datetime.datetime
    ward: Office


def schedule(plan: Plan, *, count: int, seed: int, days: list[datetime.date]) -> list[Planned]:
    """``count`` bundles in time order: the kind in the city's proportion, the ward by its
    weight, a moment between 8:00 and 10:00 of a working day."""
    rng = random.Random(seed * 7919 + 14)  # noqa: S311 (reproducible demo data, no secret)
    births = BIRTHS_A_YEAR / (BIRTHS_A_YEAR + DEATHS_A_YEAR)
    wards = [office for office in plan.wards if office.unit.pk in plan.police]
    weights = [plan.ward_weights[plan.wards.index(office)] for office in wards]
    if not wards or not days:
        return []
    found = []
    for number in range(count):
        kind = "birth" if rng.random() < births else "death"
        moment = datetime.time(8 + rng.randrange(2), rng.randrange(60), rng.randrange(60))
        at = datetime.datetime.combine(rng.choice(days), moment, VIETNAM_OFFSET)
        found.append(Planned(number, kind, at, rng.choices(wards, weights)[0]))
    return sorted(found, key=lambda planned: planned.at)


def subject_of(kind: str, rng: random.Random, at: datetime.datetime) -> dict[str, str]:
    """Who the bundle is about: a newborn child, or a person who died (``applicant``'s names)."""
    woman = rng.random() < 0.5
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[woman])} {rng.choice(GIVEN[woman])}"
    if kind == "birth":
        mother = f"{rng.choice(FAMILY)} Thị {rng.choice(GIVEN[True])}"
        return {
            "child_name": name, "sex": "nu" if woman else "nam",
            "birth_date": (at - datetime.timedelta(days=rng.randint(3, 55))).strftime("%d/%m/%Y"),
            "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_name": mother,
            "residence_address": f"{rng.randint(1, 200)} phố Hàng Bạc",
        }  # fmt: skip
    return {
        "deceased_name": name, "deceased_id_number": applicant(rng)["id_number"],
        "death_date": (at - datetime.timedelta(days=rng.randint(1, 5))).strftime("%d/%m/%Y"),
        "death_place": "Bệnh viện Bạch Mai", "relationship": rng.choice(["con", "vợ", "chồng"]),
        "funeral_payer": rng.choice(["social_insurance", "social_protection"]),
    }  # fmt: skip


class Officers:
    """The demo officers of each unit a bundle reaches (the plan's; others made on first use)."""

    def __init__(self, plan: Plan) -> None:
        self.names = {office.unit.pk: office.officers for office in plan.wards}
        self.names.update({office.unit.pk: office.officers for office in plan.police.values()})
        self.users: dict[str, User] = {}

    def of(self, unit_id: int, role: str) -> User:
        if unit_id not in self.names:
            unit = Unit.objects.get(pk=unit_id)
            self.names.update(officers_ensure([unit], settings.MOTCUA_DEMO_PASSWORD))
        name = self.names[unit_id].get(role) or self.names[unit_id][Role.SPECIALIST]
        if name not in self.users:
            self.users[name] = User.objects.get(username=name)
        return self.users[name]


def decide(dossier: Dossier, officers: Officers, at: datetime.datetime) -> Dossier:
    """Each step handed on by its role's officer, then the leader's approval."""
    moment = at
    while (here := steps.current(dossier)) is not None and not steps.is_signing(here):
        if steps.following(dossier) is None:
            break
        actor = officers.of(steps.unit_id_of(dossier, here), here.role)
        dossier = dossier_forward(dossier=dossier, actor=actor, at=moment)
        moment += datetime.timedelta(minutes=5)
    leader = officers.of(dossier.deciding_unit_id, Role.LEADER)
    return dossier_approve(dossier=dossier, actor=leader, at=moment, note="Đủ điều kiện")


def saga(bundle: Bundle, at: datetime.datetime) -> int:
    """The bundle's queued saga tasks (its next steps, its registry writes), oldest first, run
    as the worker runs them until none is left."""
    ran = 0
    while tasks := saga_tasks(bundle):
        ran += queued_tasks_run(tasks, at)
    return ran


def saga_tasks(bundle: Bundle) -> list[DBTaskResult]:
    calls = list(RegistryCall.objects.filter(member__bundle=bundle).values_list("pk", flat=True))
    ready = DBTaskResult.objects.filter(status="READY").order_by("pk")
    advance = ready.filter(task_path=ADVANCE_TASK, args_kwargs__kwargs__bundle_id=bundle.pk)
    registry = ready.filter(task_path=REGISTRY_TASK, args_kwargs__kwargs__call_id__in=calls)
    return sorted([*advance, *(registry if calls else [])], key=lambda task: task.pk)


def history_renders_drop(bundle: Bundle) -> None:
    """A history's PDFs render on their first download, as after an import (``renders_enqueue``
    of the batch store): the worker is not handed years of receipts to render."""
    since = history_since()
    if since is None:
        return
    old = list(
        IssuedDocument.objects.filter(
            dossier__bundle_member__bundle=bundle, issued_at__lt=since
        ).values_list("pk", flat=True)
    )
    if old:
        DBTaskResult.objects.filter(
            status="READY", task_path=RENDER_TASK, args_kwargs__kwargs__document_id__in=old
        ).delete()


def bundle_run(
    planned: Planned, officers: Officers, rng: random.Random, until: datetime.datetime
) -> str:
    """One bundle through every stage due by ``until``; its status at the end."""
    at, ward = planned.at, planned.ward
    person = applicant(rng)
    with clock_set_to(at):
        bundle, _created = bundle_submit(
            kind=planned.kind, services=SERVICES[planned.kind], receiving_unit=ward.unit,
            channel="counter", subject=subject_of(planned.kind, rng, at),
            applicant=Applicant(person["name"], person["id_number"], phone=phone_of(rng)),
            actor=officers.of(ward.unit.pk, Role.RECEPTION), at=at,
        )  # fmt: skip
    for stage, when in enumerate(stages_by(at, until)):
        stage_take(stage, bundle, officers, when)
    history_renders_drop(bundle)
    bundle.refresh_from_db(fields=["status"])
    return str(bundle.status)


def stages_by(at: datetime.datetime, until: datetime.datetime) -> Iterator[datetime.datetime]:
    """The moments of the stages after the counter, those due by ``until``."""
    for hours in range(1, STAGES + 1):
        if at + hours * HOUR > until:
            return
        yield at + hours * HOUR


def stage_take(stage: int, bundle: Bundle, officers: Officers, at: datetime.datetime) -> None:
    if stage == 0:  # the ward decides the first member
        root = bundle.members.get(after="").dossier
        assert root is not None  # received at the counter with the bundle
        decide(root, officers, at)
    elif stage == 2:  # each agency receives its member (the saga made it an hour before)
        for member in bundle.members.exclude(after="").select_related("dossier"):
            if member.dossier is not None and member.dossier.received_at is None:
                reception = officers.of(member.dossier.receiving_unit_id, Role.RECEPTION)
                dossier_receive(dossier=member.dossier, actor=reception, at=at)
    elif stage == 3:  # and decides it
        for member in bundle.members.exclude(after="").select_related("dossier"):
            if member.dossier is not None and member.dossier.decision == "":
                decide(member.dossier, officers, at - HOUR / 2)
    saga(bundle, at)


def phone_of(rng: random.Random) -> str:
    return f"09{rng.randrange(10**8):08d}"


def bundles_generate(
    plan: Plan, *, count: int, seed: int, days: list[datetime.date], until: datetime.datetime,
    keep: Callable[[Office], bool] = lambda office: True,
    progress: Callable[[int], object] = lambda n: None,
) -> collections.Counter[str]:  # fmt: skip
    """``count`` bundles (those of the wards ``keep`` accepts), in time order; their final
    statuses counted."""
    officers = Officers(plan)
    statuses: collections.Counter[str] = collections.Counter()
    for planned in schedule(plan, count=count, seed=seed, days=days):
        if planned.at > until or not keep(planned.ward):
            continue
        rng = random.Random(seed * 1_000_003 + planned.number)  # noqa: S311 (demo data)
        statuses[bundle_run(planned, officers, rng, until)] += 1
        progress(1)
    return statuses


def non_negative(text: str) -> int:
    """Refused before anything is generated (argparse words it after the option's name)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("phải là số nguyên ≥ 0 / must be a whole number ≥ 0")
    return value


def arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--bundles", type=non_negative,
        help="số hồ sơ liên thông (mặc định: tỷ lệ của Hà Nội, 3 %% số hồ sơ) / linked bundles "
        "(default: Hà Nội's share, 3 %% of --dossiers)",
    )  # fmt: skip


def generate(
    run: DemoRun, options: dict[str, Any], report: Callable[[str], object], show: bool
) -> None:
    """``--bundles`` of them after the single dossiers, each process taking its wards' bundles
    as it took their dossiers."""
    count = options.get("bundles")
    count = bundles_share(run.count) if count is None else count
    if count == 0:
        return
    days = working_days(run.first, run.last)
    statuses: collections.Counter[str] = collections.Counter()
    began = time.perf_counter()
    with tqdm(total=count, unit="liên thông", file=sys.stderr, disable=not show) as bar:
        for part in in_processes(
            options.get("workers") or 1,
            lambda keep, tick: bundles_generate(
                run.plan, count=count, seed=run.seed, days=days, until=run.until, keep=keep,
                progress=tick,
            ),
            progress=bar.update,
        ):  # fmt: skip
            statuses.update(part)
    seconds = time.perf_counter() - began
    made = sum(statuses.values())
    tally = ", ".join(f"{status} {times}" for status, times in sorted(statuses.items()))
    report(
        f"{made} hồ sơ liên thông / linked bundles ({tally}) in {seconds:.1f} s: "
        f"{made / seconds if seconds else 0:,.1f}/s"
    )
