"""What ``motcua demo-data`` works with: the wards, the procedures and the officers.

- Offices: every ward and commune of the loaded unit tree (126 in Hà Nội) and its police, each
  with a weight (how busy it is: lognormal, from the seed) and one officer per role.
- Procedures: the 50 "most used" ward-level procedures. There is no usage data yet, so the rule
  is: first the procedures the catalog seed marks as common (``catalog.seeds.POPULARITY``: the
  article's bundles and Hà Nội's essential online services) that a ward or its police decides,
  by that popularity; then the other ward-level procedures of the Hà Nội set whose internal
  process is configured (a ward can run them end to end today), by code. Each is drawn with
  its popularity as weight (10 for those the seed does not rate). See docs/decisions/0016.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.demo import ROLE_SUFFIX
from motcua.accounts.grants import officer_role_grant
from motcua.accounts.models import OfficerRole, User
from motcua.catalog.constants import CommuneBody, CompetenceLevel, OnlineLevel, ProcessStatus
from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.common.clock import now
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit
from motcua.worktime.rules import Limit

from .. import steps
from ..deadlines import limit_of
from ..models import Dossier
from ..services.reception import process_for

PROCEDURES = 50
ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER)
UNRATED_WEIGHT = 10


@dataclass(frozen=True)
class Office:
    """A unit that receives and decides: the ward (its People's Committee) or its police."""

    unit: Unit
    officers: dict[str, str]  # role → username


@dataclass(frozen=True)
class ProcedurePlan:
    procedure: Procedure
    weight: float
    police: bool  # decided by the ward's police
    online: bool  # may be submitted online
    full_online: bool  # fully online: an online dossier's result is electronic
    limit: Limit | None  # the statutory limit (shortest case), None: no limit recorded
    forwards: tuple[str, ...]  # roles of the steps handed on before the signing step
    signing: bool  # the process has a leader's signing step


@dataclass(frozen=True)
class Plan:
    procedures: list[ProcedurePlan]
    wards: list[Office]
    police: dict[int, Office]  # ward id → its police
    ward_weights: list[float]


def procedures_chosen(count: int = PROCEDURES) -> list[Procedure]:
    """The procedures by the rule of the module docstring (the record the importer picks for
    each code: the Hà Nội set's)."""
    records = Procedure.objects.filter(in_hanoi_set=True, level=CompetenceLevel.COMMUNE).order_by(
        "code", "pk"
    )
    by_code: dict[str, Procedure] = {}
    for procedure in records:
        by_code.setdefault(procedure.code, procedure)
    configured = set(
        ProcessDefinition.objects.filter(status=ProcessStatus.ACTIVE).values_list(
            "procedure_id", flat=True
        )
    )
    rated = [p for p in by_code.values() if p.popularity > 0]
    rated.sort(key=lambda p: (-p.popularity, p.code))
    others = [p for p in by_code.values() if p.popularity == 0 and p.pk in configured]
    return [*rated, *others][:count]


def procedure_plan(procedure: Procedure, office: Unit) -> ProcedurePlan:
    probe = Dossier(procedure=procedure, process=process_for(procedure, office))
    chain = steps.steps_of(probe)
    signing = steps.signing_step(probe)
    forwards = tuple(
        s.role
        for s in chain
        if s.scope == "deciding" and signing is not None and s.order < signing.order
    )
    return ProcedurePlan(
        procedure=procedure,
        weight=float(procedure.popularity or UNRATED_WEIGHT),
        police=procedure.commune_body == CommuneBody.POLICE,
        online=procedure.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL),
        full_online=procedure.online_level == OnlineLevel.FULL,
        limit=limit_of(probe),
        forwards=forwards,
        signing=signing is not None,
    )


def username_for(unit: Unit, role: str) -> str:
    return f"dl.{unit.code.removeprefix('hn-')}.{ROLE_SUFFIX[Role(role)]}"


def officers_ensure(units: list[Unit], password: str) -> dict[int, dict[str, str]]:
    """One officer per role in each unit (created once; the password hashed once for all)."""
    wanted = {username_for(unit, role): (unit, role) for unit in units for role in ROLES}
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    encoded = make_password(password)
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(username=name, password=encoded, home_unit=unit,
                     full_name=f"{Role(role).label} — {unit.short_name or unit.name}")
                for name, (unit, role) in wanted.items()
                if name not in existing
            ],
            batch_size=500,
        )  # fmt: skip
        users = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        held = set(
            OfficerRole.objects.filter(user_id__in=users.values()).values_list("user_id", "role")
        )
        for name, (unit, role) in wanted.items():
            if (users[name], role) not in held:
                officer = User.objects.get(pk=users[name])
                officer_role_grant(actor=None, officer=officer, unit=unit, role=role, at=now())
    offices: dict[int, dict[str, str]] = {}
    for name, (unit, role) in wanted.items():
        offices.setdefault(unit.pk, {})[role] = name
    return offices


def offices_of(wards: int | None = None) -> tuple[list[Unit], dict[int, Unit]]:
    """Every ward and commune (the first ``wards`` by code) and its police unit."""
    chosen = list(Unit.objects.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE]).order_by("code"))[
        :wards
    ]
    police = {
        unit.area_id: unit
        for unit in Unit.objects.filter(kind=UnitKind.COMMUNE_POLICE, area__in=chosen)
        if unit.area_id is not None
    }
    return chosen, police


def plan_make(*, seed: int, password: str | None = None, wards: int | None = None) -> Plan:
    chosen, police_by_ward = offices_of(wards)
    units = [*chosen, *police_by_ward.values()]
    officers = officers_ensure(units, password or settings.MOTCUA_DEMO_PASSWORD)
    plans = [procedure_plan(p, chosen[0]) for p in procedures_chosen()] if chosen else []
    # Only what a counter could receive: a procedure without a known limit waits for an officer
    # to enter the legal one (decision 0024), which demo data does not invent.
    plans = [plan for plan in plans if plan.limit is not None]
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, no secret)
    return Plan(
        procedures=plans,
        wards=[Office(w, officers[w.pk]) for w in chosen],
        police={w: Office(u, officers[u.pk]) for w, u in police_by_ward.items()},
        ward_weights=[rng.lognormvariate(0, 0.5) for _ in chosen],
    )
