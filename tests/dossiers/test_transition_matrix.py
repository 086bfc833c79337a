"""The transition matrix: every action × every state × every role, allowed or refused.

The tables below are written out by hand from the one-stop rules (Decree 61/2018, Decree
118/2025, Circular 01/2018; summarised in notes/kernel.md). They are deliberately NOT derived
from ``motcua.dossiers.actions``: the registry is what is being checked. For each cell the test
asserts both that ``services.actions_available`` offers the action (or not) and that
``services.dossier_perform`` with valid inputs succeeds, or refuses with the right error.

Two settings:

* commune — 1.004222 (Đăng ký thường trú) received and decided by the ward police of Hoàn Kiếm
  (unit A, process: 1 reception · 2 appraisal · 3 leader signs · 4 return result). Unit B is the
  ward (UBND phường Hoàn Kiếm): the unit a transfer is sent to, a consultation asks, or that
  sent the dossier.
* department — 2.000635 (Sở Tư pháp), received by the Public Administration Service Centre
  (unit B, the one-stop) and decided by Sở Tư pháp (unit A; process: 1 reception · 2 appraisal
  · 3 division head reviews · 4 leader signs · 5 return result).

Columns: reception, specialist, division head, leader, supervisor, administrator of unit A, the
same six of unit B, an officer of an unrelated unit (holding reception, specialist, division
head and leader roles there) and the applicant (the dossier's owner).

Cells: ``Y`` allowed and offered · ``-`` not this person's action (NotAllowed, HTTP 403) ·
``x`` this person's action, but not in this state or at this step (TransitionNotAllowed) ·
``1`` refused by a once-only rule (its own error class).

Dossiers are cheap: one per state, made through the services and then moved into place with
``Dossier.objects.filter(...).update(...)``; the actions that act at the same place of the
process share them, and every success is rolled back to a savepoint. At the end: hypothesis
property tests (random sequences of actions by random people keep every dossier consistent,
and what is offered is exactly what succeeds).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.accounts.services import officer_role_grant
from motcua.catalog.constants import ProcessSource, ProcessStatus
from motcua.catalog.models import Procedure, ProcessDefinition, ProcessStep
from motcua.common.clock import now
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import actions, deadlines, steps
from motcua.dossiers import services as s
from motcua.dossiers.audit import chain_problems
from motcua.dossiers.constants import FINAL, Action, PauseKind, Status
from motcua.dossiers.errors import (
    ApologyNotAllowed,
    SupplementAlreadyRequested,
    TransitionNotAllowed,
)
from motcua.dossiers.models import Consultation, Dossier, DossierEvent, DossierStep
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories
from tests.files import tiny_pdf

from .conftest import at

pytestmark = pytest.mark.django_db

# ------------------------------------------------------------------------------------ people
SIX = {
    "rec": Role.RECEPTION,
    "spe": Role.SPECIALIST,
    "dhd": Role.DIVISION_HEAD,
    "ldr": Role.LEADER,
    "sup": Role.SUPERVISOR,
    "adm": Role.ADMINISTRATOR,
}
COLUMNS = (*(f"A.{r}" for r in SIX), *(f"B.{r}" for r in SIX), "out", "app")
STATES = (
    Status.NEW,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_PAYMENT,
    Status.PROCESSED,
    Status.RETURNED,
    Status.NOT_RECEIVED,
    Status.STOPPED,
)
UNRELATED = "hn-cong-an-phuong-ba-dinh"


@dataclass(frozen=True)
class Section:
    name: str
    procedure: str
    a: str  # the deciding unit
    b: str  # commune: the ward (transfer target, consulted); department: the receiving one-stop
    receiving: str  # "A" or "B"
    transfer_to: str  # a unit of services.transfer_targets(dossier)


COMMUNE = Section(
    "commune",
    "1.004222",
    "hn-cong-an-phuong-hoan-kiem",
    "hn-phuong-hoan-kiem",
    "A",
    "hn-phuong-hoan-kiem",
)
DEPARTMENT = Section("department", "2.000635", "hn-so-tu-phap", "hn-pvhcc", "B", "hn-ubnd")
SECTIONS = {"commune": COMMUNE, "department": DEPARTMENT}

RECEIVED_AT = at("2026-03-02 09:00")  # a Monday
AT = at("2026-03-02 10:00")  # when every cell is tried: within every time limit


def unrelated_officer() -> User:
    """Every working role, but in a unit that has nothing to do with the dossiers."""
    user = factories.officer(UNRELATED, Role.RECEPTION)
    for role in (Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER):
        officer_role_grant(
            actor=None, officer=user, unit=factories.unit(UNRELATED), role=role, at=now()
        )
    return user


@dataclass
class World:
    section: Section
    units: dict[str, Unit]
    users: dict[str, User]
    procedure: Procedure
    model: Dossier | None = None

    @classmethod
    def build(cls, section: Section, outsider: User, applicant: User) -> World:
        users: dict[str, User] = {"out": outsider, "app": applicant}
        units = {"A": factories.unit(section.a), "B": factories.unit(section.b)}
        for team, code in (("A", section.a), ("B", section.b)):
            for short, role in SIX.items():
                users[f"{team}.{short}"] = factories.officer(code, role)
        procedure = Procedure.objects.filter(code=section.procedure).order_by("-in_hanoi_set")
        return cls(section, units, users, procedure.first())  # type: ignore[arg-type]

    @property
    def reception(self) -> User:
        return self.users[f"{self.section.receiving}.rec"]

    def submit(self) -> Dossier:
        return s.dossier_submit(
            procedure=self.procedure,
            receiving_unit=self.units[self.section.receiving],
            applicant=s.Applicant("Lê Văn Cường", "001090012345"),
            channel="counter",
            at=RECEIVED_AT,
            actor=self.reception,
            owner=self.users["app"],
        )

    def received(self) -> Dossier:
        return s.dossier_receive(dossier=self.submit(), actor=self.reception, at=RECEIVED_AT)

    def received_fast(self) -> Dossier:
        """As reception leaves a dossier: the first one goes through the service, the others
        copy its code, dates and step (computing deadlines is what takes time)."""
        if self.model is None:
            self.model = self.received()
            return self.model
        dossier, model = self.submit(), self.model
        copied = (
            "received_at",
            "due_at",
            "statutory_due_at",
            "due_if_paused",
            "due_if_restarted",
            "current_step",
            "step_started_at",
            "step_due_at",
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            status=Status.RECEIVED,
            code=f"{model.code}-{dossier.pk}",
            **{name: getattr(model, name) for name in copied},
        )
        return dossier


@pytest.fixture
def people(db: None) -> tuple[User, User]:
    return unrelated_officer(), factories.citizen()


@pytest.fixture(autouse=True)
def fresh_step_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Process ids are reused after a rollback: never keep the steps of a process of another
    test (one of the cases below makes its own process)."""
    settings.MEDIA_ROOT = tmp_path
    steps.steps_cache_clear()
    yield
    steps.steps_cache_clear()


def with_result_step(procedure: Procedure, unit: Unit) -> ProcessDefinition:
    """The unit's own process with a deciding step after the signing (the result is finished
    and issued by the specialist before the one-stop hands it over)."""
    definition = ProcessDefinition.objects.create(
        procedure=procedure,
        unit=unit,
        version=1,
        valid_from=datetime.date(2025, 7, 1),
        status=ProcessStatus.ACTIVE,
        source=ProcessSource.HAND_WRITTEN,
    )
    rows = [
        ("Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, "receiving"),
        ("Thẩm định hồ sơ", Role.SPECIALIST, "deciding"),
        ("Lãnh đạo ký, phê duyệt kết quả", Role.LEADER, "deciding"),
        ("Hoàn thiện, phát hành kết quả", Role.SPECIALIST, "deciding"),
        ("Trả kết quả", Role.RECEPTION, "receiving"),
    ]
    for order, (name, role, scope) in enumerate(rows, start=1):
        ProcessStep.objects.create(
            definition=definition,
            order=order,
            name=name,
            role=role,
            scope=scope,
            budget_quantity=Decimal(1),
            budget_unit="working_day",
        )
    return definition


# ------------------------------------------------------------------------------------ table
@dataclass(frozen=True)
class Case:
    action: str
    grid: str
    section: str = "commune"
    step: int | None = None  # the process step where open dossiers stand (None: as received)
    pending: bool = False  # a transfer to unit B waits on every dossier
    taken: bool = False  # every dossier came from unit B (B is the previous unit)
    consulted: bool = False  # unit B has an open consultation on every dossier
    approved: bool = False  # open dossiers carry the leader's approval
    result_step: bool = False  # the process has a deciding step after the signing
    to: str = "="  # the status after success ("=": unchanged)
    # The status after success from these states, where it differs from ``to``.
    to_from: tuple[tuple[str, str], ...] = ()
    issues: str = ""  # the legal form it issues

    @property
    def id(self) -> str:
        where = f"@{self.step}" if self.step else ""
        extra = "-".join(name for name in ("pending", "taken", "consulted") if getattr(self, name))
        return f"{self.section}:{self.action}{where}{'-' + extra if extra else ''}"

    def table(self) -> dict[str, dict[str, str]]:
        rows = [line.split() for line in self.grid.strip().splitlines() if line.strip()]
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}


# The fee paid with the submission (issue 16): due and paid at once, the dossier still new.
PAID_AT_SUBMISSION = ((Status.NEW, Status.NEW),)

# Rows: state; then   A: rec spe dhd ldr sup adm   B: rec spe dhd ldr sup adm   out app
ONLY_NEW_BY_A_RECEPTION = """
    new                   Y - - - - -   - - - - - -   - -
    received              x - - - - -   - - - - - -   - -
    processing            x - - - - -   - - - - - -   - -
    supplement_requested  x - - - - -   - - - - - -   - -
    awaiting_payment      x - - - - -   - - - - - -   - -
    processed             x - - - - -   - - - - - -   - -
    returned              x - - - - -   - - - - - -   - -
    not_received          x - - - - -   - - - - - -   - -
    stopped               x - - - - -   - - - - - -   - -
"""
ONLY_NEW_BY_B_RECEPTION = """
    new                   - - - - - -   Y - - - - -   - -
    received              - - - - - -   x - - - - -   - -
    processing            - - - - - -   x - - - - -   - -
    supplement_requested  - - - - - -   x - - - - -   - -
    awaiting_payment      - - - - - -   x - - - - -   - -
    processed             - - - - - -   x - - - - -   - -
    returned              - - - - - -   x - - - - -   - -
    not_received          - - - - - -   x - - - - -   - -
    stopped               - - - - - -   x - - - - -   - -
"""
# The leader of the deciding unit decides, at the signing step, while the dossier is open.
LEADER_AT_SIGNING = """
    new                   - - - x - -   - - - - - -   - -
    received              - - - Y - -   - - - - - -   - -
    processing            - - - Y - -   - - - - - -   - -
    supplement_requested  - - - x - -   - - - - - -   - -
    awaiting_payment      - - - x - -   - - - - - -   - -
    processed             - - - x - -   - - - - - -   - -
    returned              - - - x - -   - - - - - -   - -
    not_received          - - - x - -   - - - - - -   - -
    stopped               - - - x - -   - - - - - -   - -
"""
# ... and nowhere else: away from the signing step nobody decides.
LEADER_AWAY_FROM_SIGNING = """
    new                   - - - x - -   - - - - - -   - -
    received              - - - x - -   - - - - - -   - -
    processing            - - - x - -   - - - - - -   - -
    supplement_requested  - - - x - -   - - - - - -   - -
    awaiting_payment      - - - x - -   - - - - - -   - -
    processed             - - - x - -   - - - - - -   - -
    returned              - - - x - -   - - - - - -   - -
    not_received          - - - x - -   - - - - - -   - -
    stopped               - - - x - -   - - - - - -   - -
"""
# A step action (forward, return to the previous step, complete) is taken by whoever performs
# the current step: nobody before reception (no step yet) or after the end (no step any more);
# a processed dossier stands at the one-stop's "return result" step.
COMMUNE_CASES = [
    Case(Action.RECEIVE, ONLY_NEW_BY_A_RECEPTION, to=Status.RECEIVED, issues="receipt"),
    Case(
        Action.REFUSE_RECEPTION,
        ONLY_NEW_BY_A_RECEPTION,
        to=Status.NOT_RECEIVED,
        issues="refusal",
    ),
    Case(
        Action.REQUEST_SUPPLEMENT,
        # At intake the one-stop asks (NĐ 61/2018 Điều 15); the deciding unit once received.
        """
        new                   Y - - - - -   - - - - - -   - -
        received              Y Y Y - - -   - - - - - -   - -
        processing            Y Y Y - - -   - - - - - -   - -
        supplement_requested  1 1 1 - - -   - - - - - -   - -
        awaiting_payment      x x x - - -   - - - - - -   - -
        processed             x x x - - -   - - - - - -   - -
        returned              x x x - - -   - - - - - -   - -
        not_received          x x x - - -   - - - - - -   - -
        stopped               x x x - - -   - - - - - -   - -
        """,
        to=Status.SUPPLEMENT_REQUESTED,
        issues="supplement_request",
    ),
    Case(
        Action.SUBMIT_SUPPLEMENT,
        """
        new                   x - - - - -   - - - - - -   - x
        received              x - - - - -   - - - - - -   - x
        processing            x - - - - -   - - - - - -   - x
        supplement_requested  Y - - - - -   - - - - - -   - Y
        awaiting_payment      x - - - - -   - - - - - -   - x
        processed             x - - - - -   - - - - - -   - x
        returned              x - - - - -   - - - - - -   - x
        not_received          x - - - - -   - - - - - -   - x
        stopped               x - - - - -   - - - - - -   - x
        """,
        to=Status.PROCESSING,  # where it was before the request
    ),
    Case(
        Action.ASSIGN,
        """
        new                   - - x x - -   - - - - - -   - -
        received              - - Y Y - -   - - - - - -   - -
        processing            - - Y Y - -   - - - - - -   - -
        supplement_requested  - - x x - -   - - - - - -   - -
        awaiting_payment      - - x x - -   - - - - - -   - -
        processed             - - x x - -   - - - - - -   - -
        returned              - - x x - -   - - - - - -   - -
        not_received          - - x x - -   - - - - - -   - -
        stopped               - - x x - -   - - - - - -   - -
        """,
        to=Status.PROCESSING,
    ),
    Case(
        Action.FORWARD,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - Y Y - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=2,
        to=Status.PROCESSING,
    ),
    # At the signing step forward is nobody's: the leader approves or rejects; the specialist
    # cannot press forward past the leader.
    Case(
        Action.FORWARD,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - - x - -   - - - - - -   - -
        processing            - - - x - -   - - - - - -   - -
        supplement_requested  - - - x - -   - - - - - -   - -
        awaiting_payment      - - - x - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=3,
    ),
    Case(
        Action.RETURN_STEP,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - - Y - -   - - - - - -   - -
        processing            - - - Y - -   - - - - - -   - -
        supplement_requested  - - - x - -   - - - - - -   - -
        awaiting_payment      - - - x - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=3,
        to=Status.PROCESSING,
    ),
    # The appraisal is the first deciding step: there is nothing before it to go back to (the
    # dossier is never sent back to the counter).
    Case(
        Action.RETURN_STEP,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - x x - - -   - - - - - -   - -
        processing            - x x - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=2,
    ),
    Case(
        Action.TRANSFER,
        """
        new                   x x x - - -   - - - - - -   - -
        received              Y Y Y - - -   - - - - - -   - -
        processing            Y Y Y - - -   - - - - - -   - -
        supplement_requested  x x x - - -   - - - - - -   - -
        awaiting_payment      x x x - - -   - - - - - -   - -
        processed             x x x - - -   - - - - - -   - -
        returned              x x x - - -   - - - - - -   - -
        not_received          x x x - - -   - - - - - -   - -
        stopped               x x x - - -   - - - - - -   - -
        """,
    ),
    Case(
        Action.ACCEPT_TRANSFER,
        """
        new                   - - - - - -   x x x - - -   - -
        received              - - - - - -   Y Y Y - - -   - -
        processing            - - - - - -   Y Y Y - - -   - -
        supplement_requested  - - - - - -   x x x - - -   - -
        awaiting_payment      - - - - - -   x x x - - -   - -
        processed             - - - - - -   x x x - - -   - -
        returned              - - - - - -   x x x - - -   - -
        not_received          - - - - - -   x x x - - -   - -
        stopped               - - - - - -   x x x - - -   - -
        """,
        pending=True,
        to=Status.RECEIVED,
    ),
    # The unit the dossier was sent to declines it (the sender waits for that answer).
    Case(
        Action.RETURN_TRANSFER,
        """
        new                   - - - - - -   x x x - - -   - -
        received              - - - - - -   Y Y Y - - -   - -
        processing            - - - - - -   Y Y Y - - -   - -
        supplement_requested  - - - - - -   x x x - - -   - -
        awaiting_payment      - - - - - -   x x x - - -   - -
        processed             - - - - - -   x x x - - -   - -
        returned              - - - - - -   x x x - - -   - -
        not_received          - - - - - -   x x x - - -   - -
        stopped               - - - - - -   x x x - - -   - -
        """,
        pending=True,
    ),
    # The unit that took a dossier from B sends it back to B.
    Case(
        Action.RETURN_TRANSFER,
        """
        new                   - x x - - -   - - - - - -   - -
        received              - Y Y - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             - x x - - -   - - - - - -   - -
        returned              - x x - - -   - - - - - -   - -
        not_received          - x x - - -   - - - - - -   - -
        stopped               - x x - - -   - - - - - -   - -
        """,
        taken=True,
        to=Status.RECEIVED,
    ),
    Case(
        Action.CONSULT,
        """
        new                   - x x - - -   - - - - - -   - -
        received              - Y Y - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             - x x - - -   - - - - - -   - -
        returned              - x x - - -   - - - - - -   - -
        not_received          - x x - - -   - - - - - -   - -
        stopped               - x x - - -   - - - - - -   - -
        """,
        to=Status.PROCESSING,
    ),
    # The consulted unit answers while the dossier is open, paused included.
    Case(
        Action.ANSWER_CONSULTATION,
        """
        new                   - - - - - -   - x x - - -   - -
        received              - - - - - -   - Y Y - - -   - -
        processing            - - - - - -   - Y Y - - -   - -
        supplement_requested  - - - - - -   - Y Y - - -   - -
        awaiting_payment      - - - - - -   - Y Y - - -   - -
        processed             - - - - - -   - x x - - -   - -
        returned              - - - - - -   - x x - - -   - -
        not_received          - - - - - -   - x x - - -   - -
        stopped               - - - - - -   - x x - - -   - -
        """,
        consulted=True,
    ),
    Case(
        Action.REQUEST_PAYMENT,
        """
        new                   - x x - - -   - - - - - -   - -
        received              - x x - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             - x x - - -   - - - - - -   - -
        returned              - x x - - -   - - - - - -   - -
        not_received          - x x - - -   - - - - - -   - -
        stopped               - x x - - -   - - - - - -   - -
        """,
        to=Status.AWAITING_PAYMENT,
    ),
    Case(
        Action.PAY,
        """
        new                   Y - - - - -   - - - - - -   - Y
        received              x - - - - -   - - - - - -   - x
        processing            x - - - - -   - - - - - -   - x
        supplement_requested  x - - - - -   - - - - - -   - x
        awaiting_payment      Y - - - - -   - - - - - -   - Y
        processed             x - - - - -   - - - - - -   - x
        returned              x - - - - -   - - - - - -   - x
        not_received          x - - - - -   - - - - - -   - x
        stopped               x - - - - -   - - - - - -   - x
        """,
        to=Status.PROCESSING,
        to_from=PAID_AT_SUBMISSION,
        issues="fee_receipt",  # the payments app's e-receipt, in the same transaction
    ),
    Case(Action.APPROVE, LEADER_AT_SIGNING, step=3, to=Status.PROCESSED, issues="decision"),
    Case(Action.APPROVE, LEADER_AWAY_FROM_SIGNING, step=2),
    Case(Action.REJECT, LEADER_AT_SIGNING, step=3, to=Status.PROCESSED, issues="rejection"),
    Case(Action.REJECT, LEADER_AWAY_FROM_SIGNING, step=2),
    # With an "issue the result" step after the signing, the specialist completes the signed
    # result there; the dossier then waits at the one-stop.
    Case(
        Action.COMPLETE,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - x x - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=4,
        approved=True,
        result_step=True,
        to=Status.PROCESSED,
    ),
    # An approval recorded where the dossier stood (imported from a legacy system, which knew no
    # steps) is completed by whoever holds that deciding step: here the leader's signing step.
    Case(
        Action.COMPLETE,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - - x - -   - - - - - -   - -
        processing            - - - Y - -   - - - - - -   - -
        supplement_requested  - - - x - -   - - - - - -   - -
        awaiting_payment      - - - x - -   - - - - - -   - -
        processed             x - - - - -   - - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        step=3,
        approved=True,
        to=Status.PROCESSED,
    ),
    Case(
        Action.APOLOGIZE,
        """
        new                   - - - x - -   - - - - - -   - -
        received              - - - Y - -   - - - - - -   - -
        processing            - - - Y - -   - - - - - -   - -
        supplement_requested  - - - Y - -   - - - - - -   - -
        awaiting_payment      - - - Y - -   - - - - - -   - -
        processed             - - - x - -   - - - - - -   - -
        returned              - - - x - -   - - - - - -   - -
        not_received          - - - x - -   - - - - - -   - -
        stopped               - - - x - -   - - - - - -   - -
        """,
        issues="apology",
    ),
    Case(
        Action.RETURN_RESULT,
        """
        new                   x - - - - -   - - - - - -   - -
        received              x - - - - -   - - - - - -   - -
        processing            x - - - - -   - - - - - -   - -
        supplement_requested  x - - - - -   - - - - - -   - -
        awaiting_payment      x - - - - -   - - - - - -   - -
        processed             Y - - - - -   - - - - - -   - -
        returned              x - - - - -   - - - - - -   - -
        not_received          x - - - - -   - - - - - -   - -
        stopped               x - - - - -   - - - - - -   - -
        """,
        to=Status.RETURNED,
    ),
    Case(
        Action.WITHDRAW,
        """
        new                   Y - - - - -   - - - - - -   - Y
        received              Y - - - - -   - - - - - -   - Y
        processing            Y - - - - -   - - - - - -   - Y
        supplement_requested  Y - - - - -   - - - - - -   - Y
        awaiting_payment      Y - - - - -   - - - - - -   - Y
        processed             x - - - - -   - - - - - -   - x
        returned              x - - - - -   - - - - - -   - x
        not_received          x - - - - -   - - - - - -   - x
        stopped               x - - - - -   - - - - - -   - x
        """,
        to=Status.STOPPED,
        issues="stop",
    ),
]

# Department: A = Sở Tư pháp (decides), B = the service centre (receives, returns the result).
# The cases where receiving and deciding units part, and the division head's review.
DEPARTMENT_CASES = [
    Case(
        Action.RECEIVE,
        ONLY_NEW_BY_B_RECEPTION,
        "department",
        to=Status.RECEIVED,
        issues="receipt",
    ),
    Case(
        Action.REQUEST_SUPPLEMENT,
        # The centre's one-stop asks at intake; the department once the centre received it.
        """
        new                   - - - - - -   Y - - - - -   - -
        received              - Y Y - - -   Y - - - - -   - -
        processing            - Y Y - - -   Y - - - - -   - -
        supplement_requested  - 1 1 - - -   1 - - - - -   - -
        awaiting_payment      - x x - - -   x - - - - -   - -
        processed             - x x - - -   x - - - - -   - -
        returned              - x x - - -   x - - - - -   - -
        not_received          - x x - - -   x - - - - -   - -
        stopped               - x x - - -   x - - - - -   - -
        """,
        "department",
        to=Status.SUPPLEMENT_REQUESTED,
        issues="supplement_request",
    ),
    Case(
        Action.SUBMIT_SUPPLEMENT,
        """
        new                   - - - - - -   x - - - - -   - x
        received              - - - - - -   x - - - - -   - x
        processing            - - - - - -   x - - - - -   - x
        supplement_requested  - - - - - -   Y - - - - -   - Y
        awaiting_payment      - - - - - -   x - - - - -   - x
        processed             - - - - - -   x - - - - -   - x
        returned              - - - - - -   x - - - - -   - x
        not_received          - - - - - -   x - - - - -   - x
        stopped               - - - - - -   x - - - - -   - x
        """,
        "department",
        to=Status.PROCESSING,
    ),
    # The division head's review: the division head, or the leader standing in, forwards it
    # to the signing or sends it back to the specialist.
    Case(
        Action.FORWARD,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - Y Y - -   - - - - - -   - -
        processing            - - Y Y - -   - - - - - -   - -
        supplement_requested  - - x x - -   - - - - - -   - -
        awaiting_payment      - - x x - -   - - - - - -   - -
        processed             - - - - - -   x - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        "department",
        step=3,
        to=Status.PROCESSING,
    ),
    Case(
        Action.RETURN_STEP,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - Y Y - -   - - - - - -   - -
        processing            - - Y Y - -   - - - - - -   - -
        supplement_requested  - - x x - -   - - - - - -   - -
        awaiting_payment      - - x x - -   - - - - - -   - -
        processed             - - - - - -   x - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        "department",
        step=3,
        to=Status.PROCESSING,
    ),
    Case(
        Action.FORWARD,
        """
        new                   - - - - - -   - - - - - -   - -
        received              - - - x - -   - - - - - -   - -
        processing            - - - x - -   - - - - - -   - -
        supplement_requested  - - - x - -   - - - - - -   - -
        awaiting_payment      - - - x - -   - - - - - -   - -
        processed             - - - - - -   x - - - - -   - -
        returned              - - - - - -   - - - - - -   - -
        not_received          - - - - - -   - - - - - -   - -
        stopped               - - - - - -   - - - - - -   - -
        """,
        "department",
        step=4,
    ),
    Case(
        Action.APPROVE,
        LEADER_AT_SIGNING,
        "department",
        step=4,
        to=Status.PROCESSED,
        issues="decision",
    ),
    Case(Action.APPROVE, LEADER_AWAY_FROM_SIGNING, "department", step=3),
    Case(
        Action.TRANSFER,
        """
        new                   - x x - - -   - - - - - -   - -
        received              - Y Y - - -   - - - - - -   - -
        processing            - Y Y - - -   - - - - - -   - -
        supplement_requested  - x x - - -   - - - - - -   - -
        awaiting_payment      - x x - - -   - - - - - -   - -
        processed             - x x - - -   - - - - - -   - -
        returned              - x x - - -   - - - - - -   - -
        not_received          - x x - - -   - - - - - -   - -
        stopped               - x x - - -   - - - - - -   - -
        """,
        "department",
    ),
    Case(
        Action.PAY,
        """
        new                   - - - - - -   Y - - - - -   - Y
        received              - - - - - -   x - - - - -   - x
        processing            - - - - - -   x - - - - -   - x
        supplement_requested  - - - - - -   x - - - - -   - x
        awaiting_payment      - - - - - -   Y - - - - -   - Y
        processed             - - - - - -   x - - - - -   - x
        returned              - - - - - -   x - - - - -   - x
        not_received          - - - - - -   x - - - - -   - x
        stopped               - - - - - -   x - - - - -   - x
        """,
        "department",
        to=Status.PROCESSING,
        to_from=PAID_AT_SUBMISSION,
        issues="fee_receipt",  # the payments app's e-receipt, in the same transaction
    ),
    Case(
        Action.RETURN_RESULT,
        """
        new                   - - - - - -   x - - - - -   - -
        received              - - - - - -   x - - - - -   - -
        processing            - - - - - -   x - - - - -   - -
        supplement_requested  - - - - - -   x - - - - -   - -
        awaiting_payment      - - - - - -   x - - - - -   - -
        processed             - - - - - -   Y - - - - -   - -
        returned              - - - - - -   x - - - - -   - -
        not_received          - - - - - -   x - - - - -   - -
        stopped               - - - - - -   x - - - - -   - -
        """,
        "department",
        to=Status.RETURNED,
    ),
    Case(
        Action.WITHDRAW,
        """
        new                   - - - - - -   Y - - - - -   - Y
        received              - - - - - -   Y - - - - -   - Y
        processing            - - - - - -   Y - - - - -   - Y
        supplement_requested  - - - - - -   Y - - - - -   - Y
        awaiting_payment      - - - - - -   Y - - - - -   - Y
        processed             - - - - - -   x - - - - -   - x
        returned              - - - - - -   x - - - - -   - x
        not_received          - - - - - -   x - - - - -   - x
        stopped               - - - - - -   x - - - - -   - x
        """,
        "department",
        to=Status.STOPPED,
        issues="stop",
    ),
]
CASES = COMMUNE_CASES + DEPARTMENT_CASES
ONCE_ERRORS: dict[str, type[DomainError]] = {
    Action.REQUEST_SUPPLEMENT: SupplementAlreadyRequested,
    Action.APOLOGIZE: ApologyNotAllowed,
}


def test_the_table_covers_every_action_state_and_role() -> None:
    covered = {case.action for case in COMMUNE_CASES}
    assert covered == set(actions.REGISTRY) - {Action.SUBMIT, Action.ATTACH}
    assert len({case.id for case in CASES}) == len(CASES)
    assert {key[0] for key in KNOWN_DEVIATIONS} <= {case.id for case in CASES}
    for case in CASES:
        table = case.table()
        assert list(table) == list(STATES), case.id
        assert all(set(row.values()) <= set("Yx-1") for row in table.values()), case.id


# ------------------------------------------------------------------------------------ dossiers
def place(world: World, case: Case, state: str) -> Dossier:
    """A dossier in ``state``, standing where the case's action makes sense."""
    if state in (Status.NEW, Status.NOT_RECEIVED):
        dossier = world.submit()
    else:
        dossier = world.received_fast()
    last = steps.steps_of(dossier)[-1].order
    fields: dict[str, Any] = {"status": state}
    if state in (
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
    ):
        if case.step is not None:
            fields["current_step"] = case.step
        if case.approved:
            fields["decision"] = "approved"
    if state == Status.SUPPLEMENT_REQUESTED:
        fields.update(
            status_before_pause=Status.PROCESSING,
            supplement_requests=1,
            supplement_items=[{"item": "Giấy tờ chứng minh chỗ ở", "received_at": None, "by": ""}],
        )
    elif state == Status.AWAITING_PAYMENT:
        fields.update(status_before_pause=Status.PROCESSING, fees_due_vnd=20000)
    elif state == Status.PROCESSED:
        fields.update(current_step=last, decision="approved", finished_at=RECEIVED_AT)
    elif state == Status.RETURNED:
        fields.update(
            current_step=None, decision="approved", finished_at=RECEIVED_AT, returned_at=AT
        )
    elif state in (Status.NOT_RECEIVED, Status.STOPPED):
        fields.update(current_step=None, finished_at=RECEIVED_AT)
    if case.pending:
        fields["pending_unit"] = world.units["B"]
    if case.taken:
        fields["previous_unit"] = world.units["B"]
    Dossier.objects.filter(pk=dossier.pk).update(**fields)
    if case.consulted:
        Consultation.objects.create(
            dossier=dossier,
            unit=world.units["B"],
            question="Xác nhận nơi ở thực tế",
            asked_at=RECEIVED_AT,
            due_at=at("2026-03-05 17:00"),
        )
    return Dossier.objects.get(pk=dossier.pk)


def next_working_day_after(dossier: Dossier, moment: datetime.datetime) -> datetime.datetime:
    """17:00 (Hà Nội) of the first working day after the day of ``moment``."""
    day = moment.astimezone(VIETNAM_OFFSET).replace(hour=17, minute=0, second=0, microsecond=0)
    day += datetime.timedelta(days=1)
    while not deadlines.is_working_day(dossier, day):
        day += datetime.timedelta(days=1)
    return day


def inputs(action: str, world: World, dossier: Dossier) -> s.ActionInput:
    """Valid inputs for the action, so that only the rules can refuse it."""
    match action:
        case Action.REFUSE_RECEPTION:
            return s.ActionInput(reason="Không thuộc thẩm quyền", confirm=True)
        case Action.REQUEST_SUPPLEMENT:
            return s.ActionInput(items=["Giấy tờ chứng minh chỗ ở hợp pháp"])
        case Action.SUBMIT_SUPPLEMENT:
            return s.ActionInput(reason="Đã nộp bổ sung")
        case Action.ASSIGN:
            return s.ActionInput(assignee=world.users["A.spe"])
        case Action.FORWARD:
            return s.ActionInput(reason="Đủ điều kiện")
        case Action.RETURN_STEP | Action.RETURN_TRANSFER:
            return s.ActionInput(reason="Cần làm rõ thêm")
        case Action.TRANSFER:
            target = s.transfer_targets(dossier).get(code=world.section.transfer_to)
            return s.ActionInput(to_unit=target, reason="Chuyển đơn vị có thẩm quyền")
        case Action.CONSULT:
            return s.ActionInput(to_unit=world.units["B"], reason="Xác nhận nơi ở", working_days=3)
        case Action.ANSWER_CONSULTATION:
            return s.ActionInput(reason="Đúng nơi ở thực tế")
        case Action.REQUEST_PAYMENT | Action.PAY:
            return s.ActionInput(amount_vnd=20000)
        case Action.APPROVE:
            return s.ActionInput(reason="Đồng ý đăng ký")
        case Action.REJECT:
            return s.ActionInput(reason="Không đủ điều kiện", confirm=True)
        case Action.COMPLETE:
            return s.ActionInput(reason="Đã phát hành kết quả")
        case Action.APOLOGIZE:
            due = dossier.due_at or AT
            return s.ActionInput(
                reason="Cần xác minh thêm", new_due=next_working_day_after(dossier, due)
            )
        case Action.WITHDRAW:
            return s.ActionInput(reason="Người nộp xin rút", confirm=True)
    return s.ActionInput()


EXPECTED_ERROR = {"-": NotAllowed, "x": TransitionNotAllowed}


def outcome_name(outcome: object) -> str:
    return "Y" if outcome == "Y" else type(outcome).__name__


ISSUED = (
    "receipt", "supplement_request", "refusal", "rejection", "apology", "stop", "decision",
    "fee_receipt",
)  # fmt: skip


def issued_counts(dossier: Dossier) -> dict[str, int]:
    counts = dict.fromkeys(ISSUED, 0)
    for kind in dossier.issued_documents.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def attempt(
    case: Case, given: s.ActionInput, dossier: Dossier, user: User, issued: dict[str, int]
) -> tuple[object, list[str]]:
    """Perform the action; on success check where the dossier went, then roll it back."""
    problems: list[str] = []
    try:
        with transaction.atomic():
            after = s.dossier_perform(
                case.action,
                dossier=dossier,
                actor=user,
                at=AT,
                expected_version=dossier.version,
                given=given,
            )
            after.refresh_from_db()
            expected = dict(case.to_from).get(
                dossier.status, dossier.status if case.to == "=" else case.to
            )
            if after.status != expected:
                problems.append(f"went to {after.status}, expected {expected}")
            if after.version != dossier.version + 1:
                problems.append("version did not move by one")
            event = DossierEvent.objects.get(dossier=dossier, seq=after.version)
            if event.action != case.action:
                problems.append(f"event {event.action}")
            wanted = {kind: count + (kind == case.issues) for kind, count in issued.items()}
            if issued_counts(after) != wanted:
                problems.append(f"issued {issued_counts(after)}, expected {wanted}")
            transaction.set_rollback(True)
        return "Y", problems
    except DomainError as error:
        return error, problems


# Where the code disagrees with the rules above: (case, state, column) -> what the code does.
# Each entry is a src bug with a strict xfail test at the end of the file; none is open now.
KNOWN_DEVIATIONS: dict[tuple[str, str, str], str] = {}


def setting_of(case: Case) -> tuple[object, ...]:
    return (
        case.section,
        case.step,
        case.pending,
        case.taken,
        case.consulted,
        case.approved,
        case.result_step,
    )


def groups() -> list[list[Case]]:
    """The cases whose dossiers stand in the same place share one set of dossiers."""
    grouped: dict[tuple[object, ...], list[Case]] = {}
    for case in CASES:
        grouped.setdefault(setting_of(case), []).append(case)
    return list(grouped.values())


def group_id(group: list[Case]) -> str:
    first = group[0]
    where = f"@{first.step}" if first.step else ""
    extras = [
        n for n in ("pending", "taken", "consulted", "approved", "result_step") if getattr(first, n)
    ]
    return f"{first.section}{where}{'+' + '+'.join(extras) if extras else ''}:" + ",".join(
        case.action for case in group
    )


def check_cell(
    case: Case, want: str, offered: bool, outcome: object, trouble: list[str]
) -> list[str]:
    problems = [f"offered={offered}, table says {want}"] if offered != (want == "Y") else []
    expected: type[DomainError] | None = None
    if want == "1":
        expected = ONCE_ERRORS[case.action]
    elif want in EXPECTED_ERROR:
        expected = EXPECTED_ERROR[want]
    if expected is None and outcome != "Y":
        problems.append(f"refused ({outcome_name(outcome)}: {outcome}), table says Y")
    elif expected is not None and not isinstance(outcome, expected):
        problems.append(
            f"{outcome_name(outcome)} ({outcome}), table says {want} ({expected.__name__})"
        )
    return problems + trouble


@pytest.mark.parametrize("group", groups(), ids=group_id)
def test_the_transition_matrix(group: list[Case], people: tuple[User, User]) -> None:
    """One set of dossiers (one per state) per place in the process; for each dossier and each
    person, what is offered, then each action of the group performed and rolled back."""
    first = group[0]
    world = World.build(SECTIONS[first.section], *people)
    if first.result_step:
        with_result_step(world.procedure, world.units["A"])
    tables = {case.id: case.table() for case in group}
    problems: list[str] = []
    for state in STATES:
        dossier = place(world, first, state)
        assert dossier.status == state
        issued = issued_counts(dossier)
        given = {case.id: inputs(case.action, world, dossier) for case in group}
        for column in COLUMNS:
            user = world.users[column]
            offered = set(s.actions_available(dossier, user, AT))
            for case in group:
                want = tables[case.id][state][column]
                want = KNOWN_DEVIATIONS.get((case.id, state, column), want)
                outcome, trouble = attempt(case, given[case.id], dossier, user, issued)
                problems.extend(
                    f"{case.id:<34} {state:>20} {column:5}: {text}"
                    for text in check_cell(case, want, case.action in offered, outcome, trouble)
                )
        # Refusals change nothing (and each success was rolled back).
        current = Dossier.objects.filter(pk=dossier.pk).values_list("version", "status").get()
        assert current == (dossier.version, dossier.status)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------ submit, attach
# Neither is offered among the actions of the dossier page: submission happens before there is
# a dossier, attaching is the file field of the page. Attaching is open to the receiving
# one-stop, the deciding unit's processing officers and the applicant, until the result leaves.
ATTACH = """
    new                   Y Y Y - - -   - - - - - -   - Y
    received              Y Y Y - - -   - - - - - -   - Y
    processing            Y Y Y - - -   - - - - - -   - Y
    supplement_requested  Y Y Y - - -   - - - - - -   - Y
    awaiting_payment      Y Y Y - - -   - - - - - -   - Y
    processed             Y Y Y - - -   - - - - - -   - Y
    returned              x x x - - -   - - - - - -   - x
    not_received          x x x - - -   - - - - - -   - x
    stopped               x x x - - -   - - - - - -   - x
"""
PDF = tiny_pdf()


def test_submit_and_attach_are_never_offered_and_attach_follows_its_table(
    people: tuple[User, User],
) -> None:
    world = World.build(COMMUNE, *people)
    case = Case(Action.ATTACH, ATTACH)
    table = case.table()
    problems: list[str] = []
    for state in STATES:
        dossier = place(world, case, state)
        for column in COLUMNS:
            user, want = world.users[column], table[state][column]
            offered = s.actions_available(dossier, user, AT)
            assert Action.ATTACH not in offered
            assert Action.SUBMIT not in offered
            if s.can_attach(dossier, user) != (want == "Y"):
                problems.append(f"{state} {column}: can_attach says {want != 'Y'}")
            try:
                with transaction.atomic():
                    s.dossier_attach(
                        dossier=dossier,
                        actor=user,
                        at=AT,
                        name="Bản sao CCCD",
                        upload=SimpleUploadedFile("cccd.pdf", PDF),
                    )
                    transaction.set_rollback(True)
                outcome: object = "Y"
            except DomainError as error:
                outcome = error
            expected = {"Y": None, **EXPECTED_ERROR}[want]
            if (expected is None) != (outcome == "Y") or (
                expected is not None and not isinstance(outcome, expected)
            ):
                problems.append(f"{state} {column}: {outcome_name(outcome)}, table says {want}")
        with pytest.raises(TransitionNotAllowed):
            s.dossier_perform(
                Action.SUBMIT,
                dossier=dossier,
                actor=world.reception,
                at=AT,
                expected_version=None,
                given=s.ActionInput(),
            )
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------ properties
# Random sequences of actions by random people on a few dossiers: the dossier is always
# consistent, whatever is refused, and what is offered is exactly what succeeds.
ACTORS = (
    *("A.rec", "A.spe", "A.dhd", "A.ldr", "A.sup"),
    *("B.rec", "B.spe", "B.dhd", "B.ldr"),
    *("out", "app"),
)
PLAYED = sorted(set(actions.REGISTRY) - {Action.SUBMIT, Action.ATTACH})
DECIDED = (Status.PROCESSED, Status.RETURNED)


@dataclass
class Playground:
    dossiers: list[tuple[World, Dossier]]  # a new and a received commune one, a department one


@pytest.fixture
def playground(people: tuple[User, User]) -> Playground:
    commune, department = (World.build(section, *people) for section in (COMMUNE, DEPARTMENT))
    return Playground(
        [
            (commune, commune.submit()),
            (commune, commune.received()),
            (department, department.received()),
        ]
    )


def play_inputs(action: str, world: World, dossier: Dossier, partial: bool) -> s.ActionInput:
    """Valid inputs for the dossier as it stands now."""
    if action == Action.ASSIGN:
        team = "A" if dossier.deciding_unit_id == world.units["A"].pk else "B"
        return s.ActionInput(assignee=world.users[f"{team}.spe"])
    if action == Action.TRANSFER:
        target = s.transfer_targets(dossier).first()
        return s.ActionInput(to_unit=target, reason="Chuyển đơn vị có thẩm quyền")
    if action == Action.CONSULT:
        target = next(u for u in world.units.values() if u.pk != dossier.deciding_unit_id)
        return s.ActionInput(to_unit=target, reason="Xin ý kiến", working_days=3)
    if action == Action.PAY:
        return s.ActionInput(amount_vnd=max(dossier.fees_due_vnd - dossier.fees_paid_vnd, 1))
    if action == Action.SUBMIT_SUPPLEMENT and partial and dossier.supplement_items:
        return s.ActionInput(received=[dossier.supplement_items[0]["item"]])
    if action == Action.REQUEST_SUPPLEMENT:
        return s.ActionInput(items=["Giấy tờ chứng minh chỗ ở", "Sổ hộ khẩu cũ"])
    if action == Action.APOLOGIZE and dossier.due_at is None:
        return s.ActionInput(reason="Cần xác minh", new_due=AT + datetime.timedelta(days=30))
    return inputs(action, world, dossier)


def invariants(dossier: Dossier) -> None:
    """What holds of every dossier whatever happened to it."""
    status = dossier.status
    if status in DECIDED:
        assert dossier.decision, "a result without a decision"
    if status in (Status.NOT_RECEIVED, Status.STOPPED, Status.NEW, Status.RECEIVED):
        assert not dossier.decision, f"{status} with a decision"
    if dossier.decision:
        assert status in (Status.PROCESSING, *DECIDED)
    assert dossier.supplement_requests <= 1
    assert dossier.apologies <= 1
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, dossier.version + 1))
    assert chain_problems(dossier, events) == []
    assert dossier.last_event_hash == events[-1].hash
    orders = [step.order for step in steps.steps_of(dossier)]
    before_reception = status == Status.NEW or (
        status == Status.SUPPLEMENT_REQUESTED and dossier.status_before_pause == Status.NEW
    )
    if status in FINAL or before_reception:
        assert dossier.current_step is None, f"{status} at step {dossier.current_step}"
        assert dossier.step_role == ""
    else:
        assert dossier.current_step in orders
        # The role kept on the row (worklists read it) is the role of the process step.
        roles = {step.order: step.role for step in steps.steps_of(dossier)}
        assert dossier.step_role == roles[dossier.current_step]
    if status == Status.PROCESSED:
        assert dossier.current_step == orders[-1]  # the one-stop's "return result" step
        assert dossier.finished_at is not None
    if (
        status
        in (
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.AWAITING_PAYMENT,
        )
        and not before_reception
    ):
        assert dossier.finished_at is None
        here = steps.current(dossier)
        assert here is not None
        assert here.scope == "deciding"
    open_visits = list(
        DossierStep.objects.filter(dossier=dossier, ended_at__isnull=True).values_list(
            "order", flat=True
        )
    )
    assert open_visits == ([dossier.current_step] if dossier.current_step else [])
    open_pauses = set(dossier.pauses.filter(end__isnull=True).values_list("kind", flat=True))
    assert (PauseKind.SUPPLEMENT in open_pauses) == (status == Status.SUPPLEMENT_REQUESTED)
    assert (PauseKind.PAYMENT in open_pauses) == (status == Status.AWAITING_PAYMENT)
    assert dossier.pending_unit_id != dossier.deciding_unit_id
    if status in FINAL:
        assert dossier.pending_unit_id is None
    assert dossier.issued_documents.filter(kind="receipt").count() == (
        1 if dossier.received_at else 0
    )


ENDING = frozenset({Action.WITHDRAW, Action.REFUSE_RECEPTION, Action.REJECT})
# Half of the chosen moves take the dossier on towards its result, in this order of preference.
PROGRESS: list[str] = [
    Action.RECEIVE,
    Action.SUBMIT_SUPPLEMENT,
    Action.PAY,
    Action.ANSWER_CONSULTATION,
    Action.ACCEPT_TRANSFER,
    Action.APPROVE,
    Action.COMPLETE,
    Action.FORWARD,
    Action.RETURN_RESULT,
]
# Random sequences over the playground: each example replays moves inside one transaction.
SEQUENCES = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MOVE = st.tuples(
    st.integers(0, 2),  # which dossier
    st.sampled_from(ACTORS),
    # None (most moves): one of the actions offered to that person, or to the next person who
    # has one; else that action, offered or not.
    st.one_of(st.none(), st.none(), st.none(), st.sampled_from(PLAYED)),
    st.integers(0, 99),  # below 50: progress; to 90: any offered action; from 90: an ending
    st.sampled_from([datetime.timedelta(minutes=m) for m in (20, 180, 1440)]),
    st.booleans(),  # the applicant brings only part of a supplement
)


def choose(
    world: World, dossier: Dossier, column: str, pick: int, moment: datetime.datetime
) -> tuple[str, list[str]] | None:
    """Someone with an action offered (people tried from ``column`` on), the action chosen first
    in the list they are offered. Below 50 ``pick`` takes the dossier on towards its result;
    from 90 it ends the dossier; else any action that does not end it (when one is left)."""
    start = ACTORS.index(column)
    people = ACTORS[start:] + ACTORS[:start]
    offers: dict[str, list[str]] = {}

    def offered_to(name: str) -> list[str]:
        if name not in offers:
            offers[name] = s.actions_available(dossier, world.users[name], moment)
        return offers[name]

    if pick < 50:
        best = min(
            (
                (PROGRESS.index(a), i, name, a)
                for i, name in enumerate(people)
                for a in offered_to(name)
                if a in PROGRESS
            ),
            default=None,
        )
        if best is not None:
            return best[2], [best[3], *offers[best[2]]]
    for wanted in (
        (lambda a: a in ENDING) if pick >= 90 else (lambda a: a not in ENDING),
        lambda a: True,
    ):
        for name in people:
            pool = [a for a in offered_to(name) if wanted(a)]
            if pool:
                return name, [pool[pick % len(pool)], *offers[name]]
    return None


@SEQUENCES
@given(moves=st.lists(MOVE, min_size=3, max_size=10))
def test_random_sequences_keep_every_dossier_consistent(
    playground: Playground, moves: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        moment = AT
        final_versions: dict[int, int] = {}
        for index, column, action, pick, pause, partial in moves:
            world, original = playground.dossiers[index]
            dossier = Dossier.objects.get(pk=original.pk)
            moment += pause
            if action is None:
                chosen = choose(world, dossier, column, pick, moment)
                if chosen is None:
                    assert dossier.status in FINAL
                    continue
                column, (action, *offered) = chosen
            else:
                offered = s.actions_available(dossier, world.users[column], moment)
            user = world.users[column]
            try:
                with transaction.atomic():
                    s.dossier_perform(
                        action,
                        dossier=dossier,
                        actor=user,
                        at=moment,
                        expected_version=dossier.version,
                        given=play_inputs(action, world, dossier, partial),
                    )
                done: DomainError | None = None
            except DomainError as error:
                done = error
            assert (done is None) == (action in offered), (
                f"{action} by {column} on a {dossier.status} dossier: offered={action in offered}"
                f", performed: {done or 'yes'}"
            )
            event(f"{action}: {'done' if done is None else 'refused'}")
            after = Dossier.objects.get(pk=original.pk)
            if done is not None:
                assert after.version == dossier.version
            invariants(after)
            if dossier.status in FINAL:
                assert done is not None
                final_versions.setdefault(after.pk, dossier.version)
            if after.pk in final_versions:
                assert after.version == final_versions[after.pk], "a finished dossier changed"
        transaction.set_rollback(True)


@SEQUENCES
@given(
    ending=st.sampled_from(["withdraw", "refuse", "return"]),
    tries=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(PLAYED)), max_size=6),
)
def test_a_finished_dossier_never_changes(
    playground: Playground, ending: str, tries: list[tuple[str, str]]
) -> None:
    world, dossier = playground.dossiers[0]  # new, commune
    with transaction.atomic():
        rec = world.users["A.rec"]
        if ending == "refuse":
            dossier = s.dossier_refuse_reception(dossier=dossier, actor=rec, at=AT, reason="x")
        else:
            dossier = s.dossier_receive(dossier=dossier, actor=rec, at=AT)
        if ending == "withdraw":
            dossier = s.dossier_withdraw(dossier=dossier, actor=world.users["app"], at=AT)
        elif ending == "return":
            dossier = s.dossier_forward(dossier=dossier, actor=world.users["A.spe"], at=AT)
            dossier = s.dossier_approve(
                dossier=dossier, actor=world.users["A.ldr"], at=AT, note="Đồng ý"
            )
            dossier = s.dossier_return_result(dossier=dossier, actor=rec, at=AT)
        assert dossier.status in FINAL
        version = dossier.version
        for column, action in tries:
            user = world.users[column]
            assert s.actions_available(dossier, user, AT) == []
            with pytest.raises(DomainError):
                s.dossier_perform(
                    action,
                    dossier=dossier,
                    actor=user,
                    at=AT,
                    expected_version=None,
                    given=play_inputs(action, world, dossier, False),
                )
        assert Dossier.objects.get(pk=dossier.pk).version == version
        invariants(Dossier.objects.get(pk=dossier.pk))
        transaction.set_rollback(True)


# ------------------------------------------------------------------------------------ src bugs
def test_only_the_unit_a_transfer_waits_for_may_decline_it(people: tuple[User, User]) -> None:
    world = World.build(COMMUNE, *people)
    sender = world.users["A.spe"]
    dossier = s.dossier_transfer(
        dossier=world.received(), actor=sender, at=AT, to_unit=world.units["B"]
    )
    assert Action.RETURN_TRANSFER not in s.actions_available(dossier, sender, AT)
    with pytest.raises(NotAllowed):
        s.dossier_return_transfer(dossier=dossier, actor=sender, at=AT, reason="Rút lại")
