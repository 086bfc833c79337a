"""Submission and reception at the one-stop (Decree 61/2018 art. 16–17; Decree 118/2025).

A dossier is submitted (online, at the counter, by post, from the national portal), then received
with its legal code and appointment date, or refused with reasons.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.authority.selectors import devolution_from
from motcua.authority.signature import local_day
from motcua.catalog.models import Procedure, ProcedureCase, ProcessDefinition
from motcua.catalog.revision import catalog_cached
from motcua.catalog.selectors import forwards_to_commune_police
from motcua.common.errors import worded
from motcua.common.memo import reference_memo
from motcua.common.text import fold_words
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from .. import deadlines, steps
from ..actions import REGISTRY
from ..constants import CHANNELS, Action, Channel, Status, StepOutcome
from ..errors import IdempotencyKeyReused, InvalidValue, LegalLimitNeeded, MissingInput
from ..models import Dossier
from ..partitions import dossier_id_by_key
from ..store import CreationStore, store, store_installed
from .documents import unit_by_pk
from .kernel import Change, act, build_event, iso, require_reason


def unit_code_prefix(unit: Unit) -> str:
    """The unit's e-identifier (QĐ 20/2020), or a stable stand-in until the official one is entered."""
    if unit.e_identifier:
        return unit.e_identifier
    if unit.official_code:
        return f"H26.{unit.official_code}"
    area = unit_by_pk(unit.area_id) if unit.area_id is not None else None
    if area is not None and area.official_code:
        return f"H26.CA{area.official_code}"
    return "H26." + unit.code.removeprefix("hn-").upper()


def dossier_code_allocate(unit: Unit, at: datetime.datetime) -> str:
    """``<unit e-identifier>-YYMMDD-NNNN``, NNNN counting per unit and day (TT 01/2018 art. 19)."""
    day = deadlines.local_date(at)
    number = store().code_next(unit.pk, day)
    return f"{unit_code_prefix(unit)}-{day:%y%m%d}-{number:04d}"


# ------------------------------------------------------------------------- submission
@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    kind: str = "person"
    phone: str = ""
    email: str = ""
    address: str = ""


@catalog_cached(size=2_000)
def processes_of(procedure_id: int) -> list[ProcessDefinition]:
    """Every process version of the procedure, latest first (once per catalog state)."""
    return list(ProcessDefinition.objects.filter(procedure_id=procedure_id).order_by("-version"))


def process_for(procedure: Procedure, unit: Unit) -> ProcessDefinition | None:
    """The latest version of the unit's own process, else of the procedure's template."""
    versions = processes_of(procedure.pk)
    own = next((p for p in versions if p.unit_id == unit.pk), None)
    return own or next((p for p in versions if p.unit_id is None), None)


@catalog_cached(size=1_000)
def ward_police(area_id: int) -> Unit | None:
    return Unit.objects.filter(kind=UnitKind.COMMUNE_POLICE, area_id=area_id).first()


def commune_body_of(procedure: Procedure, receiving_unit: Unit) -> Unit:
    """Where a commune-level procedure is decided: the ward's police for what the law gives the
    commune police (1.004222, "Công an cấp xã"), even when the ward's one-stop received it."""
    if not forwards_to_commune_police(procedure, receiving_unit):
        return receiving_unit
    return ward_police(receiving_unit.pk) or receiving_unit


def deciding_unit_for(
    procedure: Procedure, receiving_unit: Unit, at: datetime.datetime | None = None
) -> Unit:
    """The competent unit: the procedure's own, or the commune body where it was received; on
    ``at``'s day, the unit a phân cấp in force moves the procedure to (``motcua.authority``)."""
    competent = procedure.deciding_unit or commune_body_of(procedure, receiving_unit)
    if at is not None:
        delegation = devolution_from(unit_id=competent.pk, procedure=procedure, on=local_day(at))
        if delegation is not None and delegation.delegate_unit is not None:
            return delegation.delegate_unit
    return competent


def dossier_submit(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    channel: str,
    at: datetime.datetime,
    actor: User | None = None,
    owner: User | None = None,
    case: ProcedureCase | None = None,
    eform_data: dict[str, Any] | None = None,
    ref: str | None = None,
    checklist: list[str] | None = None,
    idempotency_key: str = "",
) -> Dossier:
    """A new dossier, waiting for reception (national status 1)."""
    if not applicant.name.strip():
        raise MissingInput(_("Cần có họ tên người nộp hồ sơ."))
    if any(ord(char) < 32 or 0xD800 <= ord(char) <= 0xDFFF for char in applicant.name):
        raise InvalidValue(_("Họ tên người nộp có ký tự không hợp lệ."))
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise InvalidValue(worded(_("Kênh nộp không hợp lệ: %(channel)s"), {"channel": channel}))
    if case is not None and case.procedure_id != procedure.pk:
        raise InvalidValue(
            worded(_("Trường hợp %(case)s không thuộc thủ tục này."), {"case": case.code})
        )
    process = process_for(procedure, receiving_unit)
    dossier = Dossier.fresh(
        ref=ref or "HS" + secrets.token_hex(6).upper(), procedure=procedure,
        procedure_version=procedure.version, case=case, process=process,
        process_version=process.version if process else None, applicant_kind=applicant.kind,
        applicant=asdict(applicant), applicant_name=applicant.name.strip()[:200],
        applicant_name_folded=fold_words(applicant.name)[:200],
        applicant_id_number=applicant.id_number, owner=owner, submitted_by=actor, channel=channel,
        receiving_unit=receiving_unit, deciding_unit=deciding_unit_for(procedure, receiving_unit, at),
        eform_data=eform_data or {}, checklist=checklist or [], status=Status.NEW, submitted_at=at, version=1,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    with store().atomic():
        # The first event is sealed before the row is written: one insert carries its hash.
        event = build_event(
            dossier, action=Action.SUBMIT, actor=actor, unit_id=receiving_unit.pk, at=at, from_status="",
            from_step=None, payload={"channel": channel, "procedure": procedure.code},
        )  # fmt: skip
        store().dossier_insert(dossier)
        event.dossier = dossier
        store().event_add(event)
        store().publish(
            REGISTRY[Action.SUBMIT].event_name, dossier=dossier, event=event, actor=actor
        )
    return dossier


def dossier_receive(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime,
    expected_version: int | None = None, inserted_here: bool = False,
) -> Dossier:  # fmt: skip
    """Accept a complete dossier: its code, the appointment date and the receipt (Decree 61
    art. 17, TT 01/2018 Mẫu 01); it goes on to the first step of the deciding unit."""

    def decide(current: Dossier) -> Change:
        # The unit competent on the reception day decides (a phân cấp may start in between),
        # on its own calendar.
        competent = deciding_unit_for(current.procedure, current.receiving_unit, at)
        moved = competent.pk != current.deciding_unit_id
        if moved:
            current.deciding_unit = competent
        due = deadlines.statutory_due(current, received_at=at)
        if due.due is None:
            raise LegalLimitNeeded(current.procedure.code)
        code = dossier_code_allocate(current.receiving_unit, at)
        fields: dict[str, Any] = {"code": code, "received_at": at, **due.as_fields()}
        if moved:
            fields["deciding_unit"] = competent
        payload = {"code": code, "due_at": iso(due.due)}
        basis = getattr(current, "limit_basis", None)
        if basis:  # the limit came from the record's text or an officer's entry: say which
            payload["limit_basis"] = basis
        return Change(
            Status.RECEIVED, fields, payload=payload,
            to_step=steps.first_deciding(current), outcome=StepOutcome.FORWARDED,
        )  # fmt: skip

    return act(
        dossier, Action.RECEIVE, actor=actor, at=at, expected_version=expected_version,
        decide=decide, inserted_here=inserted_here,
    )  # fmt: skip


def dossier_refuse_reception(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Not accepted, with reasons (Decree 61 art. 17; TT 01/2018 Mẫu 03)."""
    reason = require_reason(reason, _("lý do từ chối tiếp nhận"))
    return act(
        dossier, Action.REFUSE_RECEPTION, actor=actor, at=at, expected_version=expected_version,
        decide=lambda current: Change(
            Status.NOT_RECEIVED, {"finished_at": at}, reason=reason, leave_steps=True,
            outcome=StepOutcome.STOPPED,
        ),
    )  # fmt: skip


def dossier_create(
    *, procedure: Procedure, receiving_unit: Unit, applicant: Applicant, channel: str,
    at: datetime.datetime, actor: User, case: ProcedureCase | None = None,
    eform_data: dict[str, Any] | None = None, checklist: list[str] | None = None,
    idempotency_key: str = "",
) -> tuple[Dossier, bool]:  # fmt: skip
    """A dossier submitted through an officer or an integrator; at the counter it is received at
    once (submitted and received together, or neither). (dossier, created): the same
    ``idempotency_key`` from the same caller gives back the dossier it made the first time."""
    key = idempotency_key.strip()[:80]
    asked = Asked(
        procedure.pk, receiving_unit.pk, channel, case.pk if case else None, asdict(applicant),
        eform_data or {}, checklist or [],
    )  # fmt: skip
    if key:
        earlier = dossier_made_with(actor, key)
        if earlier is not None:
            return asked.same_as(earlier), False
    creation = CreationStore()
    try:
        # One configuration for both actions: the process, cases and delegations read once.
        with transaction.atomic(), reference_memo():
            with store_installed(creation):
                dossier = dossier_submit(
                    procedure=procedure, receiving_unit=receiving_unit, applicant=applicant,
                    channel=channel, at=at, actor=actor, case=case, eform_data=eform_data,
                    checklist=checklist, idempotency_key=key,
                )  # fmt: skip
                if channel == Channel.COUNTER:
                    dossier = dossier_receive(
                        dossier=dossier, actor=actor, at=at, inserted_here=True
                    )
            creation.flush()  # its rows, once, as they finally stand
    except IntegrityError:
        # Two requests with one key at the same moment: the other one made it.
        earlier = dossier_made_with(actor, key) if key else None
        if earlier is None:
            raise
        return asked.same_as(earlier), False
    return dossier, True


@dataclass(frozen=True)
class Asked:
    """What a creation asked for, to tell a retry (the same request again) from another request
    sent with the key: compared as stored, field by field, so a second child registered by the
    same parent with the key of the first (another e-form) is refused, not answered with the
    first dossier (a helper's attack pass)."""

    procedure_id: int
    unit_id: int
    channel: str
    case_id: int | None
    applicant: dict[str, Any]
    eform_data: dict[str, Any]
    checklist: list[str]

    def same_as(self, earlier: Dossier) -> Dossier:
        """``earlier`` if it answers this request, else refused (``IdempotencyKeyReused``)."""
        stored = (
            earlier.procedure_id, earlier.receiving_unit_id, earlier.channel, earlier.case_id,
            earlier.applicant, earlier.eform_data or {}, earlier.checklist or [],
        )  # fmt: skip
        asked = (
            self.procedure_id, self.unit_id, self.channel, self.case_id, self.applicant,
            self.eform_data, self.checklist,
        )  # fmt: skip
        if stored != asked:
            raise IdempotencyKeyReused(earlier.ref)
        return earlier


def dossier_made_with(actor: User, key: str) -> Dossier | None:
    """The dossier ``actor`` submitted with idempotency ``key``. On PostgreSQL the key table
    gives its id first, so the dossier is read from one partition (decision 0022): a new key
    costs the one statement it always did, a key seen before one more."""
    rows = Dossier.objects.filter(submitted_by=actor, idempotency_key=key)
    if connections[rows.db].vendor == "postgresql":
        found = dossier_id_by_key(f"i|{actor.pk}|{key}", using=rows.db)
        if found is None:
            return None
        rows = rows.filter(pk=found)
    return rows.first()
