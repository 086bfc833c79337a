"""Actions on dossiers under the one-stop rules (Decree 61/2018 → 118/2025; Circular 01/2018).

Every action is a function ``dossier_<action>(*, dossier, actor, at, ...)`` that, in one
transaction: locks the dossier row, checks the state, the actor's capability and the optimistic
version, changes the dossier, and appends a hash-chained event. A refusal is a domain error.
``actor=None`` is the system itself (imports of legacy data), which skips capability checks.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.catalog.constants import StepScope
from motcua.catalog.models import Procedure, ProcedureCase, ProcessDefinition, ProcessStep
from motcua.common.errors import DomainError, NotAllowed
from motcua.common.files import checked_upload
from motcua.common.text import fold_words
from motcua.notifications.services import notifications_for_event
from motcua.organizations.models import Unit

from . import deadlines
from .audit import event_digest
from .constants import FINAL, OPEN_FOR_PROCESSING, Action, Channel, Decision, PauseKind, Status
from .errors import (
    ApologyNotAllowed,
    MissingInput,
    StaleDossier,
    SupplementAlreadyRequested,
    SupplementWindowClosed,
    TransitionNotAllowed,
)
from .models import (
    Consultation,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
)
from .results import result_is_electronic

# Which states each action may start from (Circular 01/2018 flow; see docs/decisions/0004).
ALLOWED_FROM: dict[str, frozenset[str]] = {
    Action.RECEIVE: frozenset({Status.NEW}),
    Action.REFUSE_RECEPTION: frozenset({Status.NEW}),
    Action.REQUEST_SUPPLEMENT: frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING}),
    Action.SUBMIT_SUPPLEMENT: frozenset({Status.SUPPLEMENT_REQUESTED}),
    Action.ASSIGN: OPEN_FOR_PROCESSING,
    Action.FORWARD: OPEN_FOR_PROCESSING,
    Action.CONSULT: frozenset({Status.PROCESSING}),
    Action.ANSWER_CONSULTATION: frozenset({Status.PROCESSING}),
    Action.REQUEST_PAYMENT: frozenset({Status.PROCESSING}),
    Action.PAY: frozenset({Status.AWAITING_PAYMENT}),
    Action.APPROVE: frozenset({Status.PROCESSING}),
    Action.REJECT: OPEN_FOR_PROCESSING,
    Action.APOLOGIZE: frozenset(
        {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}
    ),
    Action.COMPLETE: frozenset({Status.PROCESSING}),
    Action.RETURN_RESULT: frozenset({Status.PROCESSED}),
    Action.WITHDRAW: frozenset(
        {
            Status.NEW,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.AWAITING_PAYMENT,
        }
    ),
    Action.ATTACH: frozenset(
        {
            Status.NEW,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.AWAITING_PAYMENT,
            Status.PROCESSED,
        }
    ),
}
# The capability an officer needs, and in which unit of the dossier.
NEEDS: dict[str, tuple[str, str]] = {
    Action.RECEIVE: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.REFUSE_RECEPTION: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.SUBMIT_SUPPLEMENT: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.PAY: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.RETURN_RESULT: (Capability.RETURN_RESULT, "receiving"),
    Action.WITHDRAW: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.ATTACH: (Capability.RECEIVE_DOSSIER, "receiving"),
    Action.ASSIGN: (Capability.ASSIGN_DOSSIER, "deciding"),
    Action.FORWARD: (Capability.PROCESS_DOSSIER, "deciding"),
    Action.CONSULT: (Capability.PROCESS_DOSSIER, "deciding"),
    Action.REQUEST_PAYMENT: (Capability.PROCESS_DOSSIER, "deciding"),
    Action.COMPLETE: (Capability.PROCESS_DOSSIER, "deciding"),
    Action.APPROVE: (Capability.APPROVE_DOSSIER, "deciding"),
    Action.REJECT: (Capability.APPROVE_DOSSIER, "deciding"),
    Action.APOLOGIZE: (Capability.APPROVE_DOSSIER, "deciding"),
}
# Actions the applicant may take on their own dossier.
APPLICANT_ACTIONS = frozenset(
    {Action.SUBMIT_SUPPLEMENT, Action.PAY, Action.WITHDRAW, Action.ATTACH}
)


@dataclass(frozen=True)
class Change:
    """What an action does to the dossier, and what its event records."""

    to_status: str
    fields: dict[str, Any]
    reason: str = ""
    payload: dict[str, Any] | None = None
    to_step: int | None = None


# ------------------------------------------------------------------------- plumbing
def require_reason(reason: str, what: str) -> str:
    if not (reason or "").strip():
        raise MissingInput(_("Cần ghi rõ lý do %(what)s.") % {"what": what})
    return reason.strip()


def is_applicant(dossier: Dossier, user: User) -> bool:
    """The dossier's owner, or the citizen whose ID number it was filed under (at a counter)."""
    if dossier.owner_id is not None and dossier.owner_id == user.pk:
        return True
    profile = getattr(user, "citizen_profile", None)
    return bool(
        profile and dossier.applicant_id_number and profile.id_number == dossier.applicant_id_number
    )


def check_actor(dossier: Dossier, action: str, actor: User | None) -> Unit | None:
    """The unit the actor acts for; refuses an actor without the capability."""
    if actor is None:
        return None
    if action in APPLICANT_ACTIONS and is_applicant(dossier, actor):
        return None
    if action == Action.ANSWER_CONSULTATION:
        return None  # the consulted unit is not the dossier's: its capability is checked in decide
    capability, which = NEEDS.get(action, (Capability.PROCESS_DOSSIER, "deciding"))
    if action == Action.REQUEST_SUPPLEMENT:
        for unit in (dossier.receiving_unit, dossier.deciding_unit):
            if permissions.has_capability(
                actor, Capability.RECEIVE_DOSSIER, unit
            ) or permissions.has_capability(actor, Capability.PROCESS_DOSSIER, unit):
                return unit
        raise NotAllowed(_("Bạn không có quyền yêu cầu bổ sung hồ sơ này."))
    unit = dossier.receiving_unit if which == "receiving" else dossier.deciding_unit
    if not permissions.has_capability(actor, capability, unit):
        raise NotAllowed(
            _("Bạn không có quyền “%(action)s” đối với hồ sơ của %(unit)s.")
            % {"action": Action(action).label, "unit": unit.name}
        )
    return unit


def locked(dossier: Dossier, expected_version: int | None) -> Dossier:
    # Only the two units are joined: the procedure row carries large JSON (e-form, legal basis)
    # that no action needs; it is fetched lazily when one does.
    current = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_unit", "deciding_unit")
        .defer(
            *[
                f"{unit}__{name}"
                for unit in ("receiving_unit", "deciding_unit")
                for name in ("attributes", "note")
            ]
        )
        .get(pk=dossier.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleDossier()
    return current


def build_event(
    dossier: Dossier, *, action: str, actor: User | None, unit: Unit | None, at: datetime.datetime,
    from_status: str, from_step: int | None, reason: str = "", payload: dict[str, Any] | None = None,
) -> DossierEvent:  # fmt: skip
    """The next event of the dossier's chain (seq = the dossier's new version), hashed, unsaved."""
    event = DossierEvent(
        dossier=dossier, seq=dossier.version, at=at, actor=actor,
        actor_name=actor.username if actor else "system", unit=unit, action=action,
        from_status=from_status, to_status=dossier.status, from_step=from_step,
        to_step=dossier.current_step, reason=reason, payload=payload or {},
        prev_hash=dossier.last_event_hash,
    )  # fmt: skip
    event.hash = event_digest(dossier.ref, event)
    dossier.last_event_hash = event.hash
    return event


def act(
    dossier: Dossier,
    action: str,
    *,
    actor: User | None,
    at: datetime.datetime,
    expected_version: int | None,
    decide: Callable[[Dossier], Change],
    precheck: Callable[[Dossier], None] | None = None,
) -> Dossier:
    """Run one action atomically: lock, check, change, record.

    ``precheck`` runs before the state check, for rules that explain a refusal better than the
    state would (a second supplement request is refused for being second, whatever the state).
    """
    with transaction.atomic():
        current = locked(dossier, expected_version)
        if precheck is not None:
            precheck(current)
        if current.status not in ALLOWED_FROM[action]:
            raise TransitionNotAllowed(
                _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
                % {"action": Action(action).label, "status": Status(current.status).label}
            )
        unit = check_actor(current, action, actor)
        change = decide(current)
        from_status, from_step = current.status, current.current_step
        for name, value in change.fields.items():
            setattr(current, name, value)
        current.status = change.to_status
        if change.to_step is not None:
            enter_step(current, change.to_step, at)
        current.version += 1  # the row is locked: no one else can move it meanwhile
        event = build_event(
            current, action=action, actor=actor, unit=unit, at=at, from_status=from_status,
            from_step=from_step, reason=change.reason, payload=change.payload,
        )  # fmt: skip
        current.save()
        event.save()
        notifications_for_event(current, event)
    return current


# ------------------------------------------------------------------------- steps
_STEPS: dict[int, list[ProcessStep]] = {}


def steps_of(dossier: Dossier) -> list[ProcessStep]:
    """The steps of the dossier's process version; versions never change, so they are cached."""
    if dossier.process_id is None:
        return []
    steps = _STEPS.get(dossier.process_id)
    if steps is None:
        steps = list(ProcessStep.objects.filter(definition_id=dossier.process_id).order_by("order"))
        _STEPS[dossier.process_id] = steps
    return steps


def step_at(dossier: Dossier, order: int | None) -> ProcessStep | None:
    return next((s for s in steps_of(dossier) if s.order == order), None)


def enter_step(dossier: Dossier, order: int, at: datetime.datetime) -> None:
    dossier.current_step = order
    dossier.step_started_at = at
    step = step_at(dossier, order)
    dossier.step_due_at = deadlines.step_due(dossier, step, at) if step else None


def first_deciding_step(dossier: Dossier) -> int | None:
    return next((s.order for s in steps_of(dossier) if s.scope == StepScope.DECIDING), None)


def next_step(dossier: Dossier, *, back: bool = False) -> int:
    orders = [s.order for s in steps_of(dossier)]
    if dossier.current_step not in orders:
        raise TransitionNotAllowed(_("Hồ sơ không có quy trình nội bộ để chuyển bước."))
    index = orders.index(dossier.current_step) + (-1 if back else 1)
    if not 0 <= index < len(orders):
        raise TransitionNotAllowed(_("Không còn bước nào để chuyển tới."))
    return orders[index]


# ------------------------------------------------------------------------- code
def unit_code_prefix(unit: Unit) -> str:
    """The unit's e-identifier (QĐ 20/2020), or a stable stand-in until the official one is entered."""
    if unit.e_identifier:
        return unit.e_identifier
    if unit.official_code:
        return f"H26.{unit.official_code}"
    if unit.area is not None and unit.area.official_code:
        return f"H26.CA{unit.area.official_code}"
    return "H26." + unit.code.removeprefix("hn-").upper()


def dossier_code_allocate(unit: Unit, at: datetime.datetime) -> str:
    """``<unit e-identifier>-YYMMDD-NNNN``, NNNN counting per unit and day (TT 01/2018 art. 19)."""
    day = deadlines.local_date(at)
    sequence, _created = DailySequence.objects.select_for_update().get_or_create(unit=unit, day=day)
    DailySequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{unit_code_prefix(unit)}-{day:%y%m%d}-{sequence.last:04d}"


# ------------------------------------------------------------------------- submission
@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    kind: str = "person"
    phone: str = ""
    email: str = ""
    address: str = ""


def process_for(procedure: Procedure, unit: Unit) -> ProcessDefinition | None:
    own = procedure.processes.filter(unit=unit).order_by("-version").first()
    return own or procedure.processes.filter(unit__isnull=True).order_by("-version").first()


def deciding_unit_for(procedure: Procedure, receiving_unit: Unit) -> Unit:
    """The competent unit: the procedure's own, or the commune body where it was received."""
    if procedure.deciding_unit is not None:
        return procedure.deciding_unit
    return receiving_unit


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
) -> Dossier:
    """A new dossier, waiting for reception (national status 1)."""
    if not applicant.name.strip():
        raise MissingInput(_("Cần có họ tên người nộp hồ sơ."))
    if channel not in Channel.values:
        raise MissingInput(_("Kênh nộp không hợp lệ: %(channel)s") % {"channel": channel})
    if case is not None and case.procedure_id != procedure.pk:
        raise MissingInput(_("Trường hợp %(case)s không thuộc thủ tục này.") % {"case": case.code})
    process = process_for(procedure, receiving_unit)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            ref=ref or "HS" + secrets.token_hex(6).upper(), procedure=procedure,
            procedure_version=procedure.version, case=case, process=process,
            process_version=process.version if process else None, applicant_kind=applicant.kind,
            applicant=applicant.__dict__, applicant_name=applicant.name.strip()[:200],
            applicant_name_folded=fold_words(applicant.name)[:200],
            applicant_id_number=applicant.id_number, owner=owner, submitted_by=actor, channel=channel,
            receiving_unit=receiving_unit, deciding_unit=deciding_unit_for(procedure, receiving_unit),
            eform_data=eform_data or {}, checklist=checklist or [], status=Status.NEW, submitted_at=at, version=1,
        )  # fmt: skip
        event = build_event(
            dossier, action=Action.SUBMIT, actor=actor, unit=receiving_unit, at=at, from_status="",
            from_step=None, payload={"channel": channel, "procedure": procedure.code},
        )  # fmt: skip
        Dossier.objects.filter(pk=dossier.pk).update(last_event_hash=event.hash)
        event.save()
    return dossier


# ------------------------------------------------------------------------- reception
def dossier_receive(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Accept a complete dossier: issue its code and appointment date (Decree 61 art. 17)."""

    def decide(current: Dossier) -> Change:
        code = dossier_code_allocate(current.receiving_unit, at)
        due = deadlines.statutory_due(current, received_at=at)
        fields = {"code": code, "received_at": at, **due.as_fields()}
        return Change(
            Status.RECEIVED,
            fields,
            payload={"code": code, "due_at": iso(due.due)},
            to_step=first_deciding_step(current),
        )

    return act(
        dossier,
        Action.RECEIVE,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_refuse_reception(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    reason = require_reason(reason, str(_("từ chối tiếp nhận")))
    return act(
        dossier, Action.REFUSE_RECEPTION, actor=actor, at=at, expected_version=expected_version,
        decide=lambda current: Change(Status.NOT_RECEIVED, {"finished_at": at}, reason=reason),
    )  # fmt: skip


# ------------------------------------------------------------------------- supplement
def dossier_request_supplement(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str, items: list[str] | None = None,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Ask once for everything missing (Decree 61 art. 15, 19; Decree 118 art. 11).

    A second request on the same dossier is refused; after reception, only within the window
    (default 3 working days from reception, MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS).
    """
    reason = require_reason(reason, str(_("yêu cầu bổ sung")))

    def once(current: Dossier) -> None:
        if current.supplement_requests >= 1:
            raise SupplementAlreadyRequested()

    def decide(current: Dossier) -> Change:
        if current.received_at is not None and at > deadlines.supplement_window_end(current):
            raise SupplementWindowClosed(supplement_window_days())
        DossierPause.objects.create(
            dossier=current, kind=PauseKind.SUPPLEMENT, start=at, reason=reason
        )
        fields = {
            "supplement_requests": current.supplement_requests + 1,
            "status_before_pause": current.status,
        }
        return Change(
            Status.SUPPLEMENT_REQUESTED, fields, reason=reason, payload={"items": items or []}
        )

    return act(
        dossier, Action.REQUEST_SUPPLEMENT, actor=actor, at=at, expected_version=expected_version,
        decide=decide, precheck=once,
    )  # fmt: skip


def end_pause(dossier: Dossier, kind: str, at: datetime.datetime) -> None:
    DossierPause.objects.filter(dossier=dossier, kind=kind, end__isnull=True).update(end=at)


def dossier_submit_supplement(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The complete supplement arrived: the clock runs again and the deadline moves."""

    def decide(current: Dossier) -> Change:
        end_pause(current, PauseKind.SUPPLEMENT, at)
        fields: dict[str, Any] = {"status_before_pause": ""}
        if current.received_at is not None:
            fields.update(
                deadlines.statutory_due(current, received_at=current.received_at).as_fields(
                    keep_apology=current
                )
            )
        return Change(
            current.status_before_pause or Status.NEW,
            fields,
            reason=note,
            payload={"due_at": iso(fields.get("due_at"))},
        )

    return act(
        dossier,
        Action.SUBMIT_SUPPLEMENT,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


# ------------------------------------------------------------------------- processing
def dossier_assign(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    assignee: User,
    expected_version: int | None = None,
) -> Dossier:
    def decide(current: Dossier) -> Change:
        if not permissions.has_capability(
            assignee, Capability.PROCESS_DOSSIER, current.deciding_unit
        ):
            raise NotAllowed(
                _("%(name)s không phải cán bộ xử lý của %(unit)s.")
                % {"name": assignee, "unit": current.deciding_unit.name}
            )
        return Change(
            Status.PROCESSING, {"assignee": assignee}, payload={"assignee": assignee.username}
        )

    return act(
        dossier, Action.ASSIGN, actor=actor, at=at, expected_version=expected_version, decide=decide
    )


def dossier_forward(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, back: bool = False, to_unit: Unit | None = None,
    note: str = "", expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """To the next step, back one step, or to another unit (which becomes the deciding unit)."""

    def decide(current: Dossier) -> Change:
        if to_unit is not None:
            if not may_decide(current, to_unit):
                raise NotAllowed(
                    _("%(unit)s không có thẩm quyền giải quyết thủ tục này.")
                    % {"unit": to_unit.name}
                )
            return Change(
                Status.PROCESSING,
                {"deciding_unit": to_unit, "assignee": None},
                reason=note,
                payload={"to_unit": to_unit.code},
            )
        return Change(
            Status.PROCESSING,
            {},
            reason=note,
            to_step=next_step(current, back=back),
            payload={"back": back},
        )

    return act(
        dossier,
        Action.FORWARD,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def may_decide(dossier: Dossier, unit: Unit) -> bool:
    """Units a dossier may be forwarded to: the procedure's competent or receiving units, a unit
    of the same kind as the current one (commune level), or a unit above the current one."""
    procedure = dossier.procedure
    if (
        unit.pk == procedure.deciding_unit_id
        or procedure.receiving_units.filter(pk=unit.pk).exists()
    ):
        return True
    current = dossier.deciding_unit
    if procedure.level == "commune" and unit.kind == current.kind:
        return True
    ancestor = current.parent
    while ancestor is not None:
        if ancestor.pk == unit.pk:
            return True
        ancestor = ancestor.parent
    return False


def dossier_consult(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, unit: Unit, question: str, working_days: int = 3,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    question = require_reason(question, str(_("lấy ý kiến")))

    def decide(current: Dossier) -> Change:
        due = deadlines.add_working_days(current, at, working_days)
        Consultation.objects.create(
            dossier=current, unit=unit, question=question, asked_at=at, due_at=due
        )
        return Change(
            current.status, {}, reason=question, payload={"unit": unit.code, "due_at": iso(due)}
        )

    return act(
        dossier,
        Action.CONSULT,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_answer_consultation(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, consultation_id: int, answer: str,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The consulted unit replies; the reply and whether it was late are recorded."""
    answer = require_reason(answer, str(_("trả lời ý kiến")))

    def decide(current: Dossier) -> Change:
        consultation = Consultation.objects.filter(
            dossier=current, pk=consultation_id, answered_at__isnull=True
        ).first()
        if consultation is None:
            raise TransitionNotAllowed(_("Không có yêu cầu lấy ý kiến đang chờ trả lời."))
        if actor is not None and not permissions.has_capability(
            actor, Capability.PROCESS_DOSSIER, consultation.unit
        ):
            raise NotAllowed(
                _("Chỉ cán bộ của %(unit)s trả lời được.") % {"unit": consultation.unit.name}
            )
        consultation.answer, consultation.answered_at = answer, at
        consultation.save(update_fields=["answer", "answered_at"])
        late = consultation.due_at is not None and at > consultation.due_at
        return Change(
            current.status,
            {},
            reason=answer,
            payload={"unit": consultation.unit.code, "late": late},
        )

    return act(
        dossier,
        Action.ANSWER_CONSULTATION,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_request_payment(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    amount_vnd: int,
    reason: str = "",
    expected_version: int | None = None,
) -> Dossier:
    if amount_vnd <= 0:
        raise MissingInput(_("Số tiền phải lớn hơn 0."))

    def decide(current: Dossier) -> Change:
        DossierPause.objects.create(
            dossier=current, kind=PauseKind.PAYMENT, start=at, reason=reason
        )
        fields = {
            "fees_due_vnd": current.fees_due_vnd + amount_vnd,
            "status_before_pause": current.status,
        }
        return Change(
            Status.AWAITING_PAYMENT, fields, reason=reason, payload={"amount_vnd": amount_vnd}
        )

    return act(
        dossier,
        Action.REQUEST_PAYMENT,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_pay(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    amount_vnd: int,
    expected_version: int | None = None,
) -> Dossier:
    def decide(current: Dossier) -> Change:
        if amount_vnd < current.fees_due_vnd - current.fees_paid_vnd:
            raise MissingInput(_("Số tiền nộp chưa đủ."))
        end_pause(current, PauseKind.PAYMENT, at)
        fields: dict[str, Any] = {
            "fees_paid_vnd": current.fees_paid_vnd + amount_vnd,
            "status_before_pause": "",
        }
        fields.update(
            deadlines.statutory_due(current, received_at=current.received_at or at).as_fields(
                keep_apology=current
            )
        )
        return Change(
            current.status_before_pause or Status.PROCESSING,
            fields,
            payload={"amount_vnd": amount_vnd},
        )

    return act(
        dossier, Action.PAY, actor=actor, at=at, expected_version=expected_version, decide=decide
    )


def dossier_approve(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, note: str = "",
    expected_version: int | None = None, anywhere: bool = False,
) -> Dossier:  # fmt: skip
    """The leader signs: the decision is to grant; the result is then prepared (``complete``).

    ``anywhere`` (imports of legacy data only) lets the decision apply at whatever step the
    dossier stands, since legacy systems record no steps; the event says so.
    """

    def decide(current: Dossier) -> Change:
        if current.decision:
            raise TransitionNotAllowed(_("Hồ sơ đã có quyết định."))
        step = step_at(current, current.current_step)
        at_leader = step is None or step.role == "leader"
        if actor is not None and not at_leader and not anywhere:
            raise TransitionNotAllowed(
                _("Chỉ phê duyệt được ở bước lãnh đạo ký; hãy chuyển hồ sơ tới bước đó.")
            )
        payload = {} if at_leader else {"outside_leader_step": True}
        to_step = after_current(current) if at_leader else None
        return Change(
            Status.PROCESSING,
            {"decision": Decision.APPROVED},
            reason=note,
            to_step=to_step,
            payload=payload,
        )

    return act(
        dossier,
        Action.APPROVE,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def after_current(dossier: Dossier) -> int | None:
    try:
        return next_step(dossier)
    except TransitionNotAllowed:
        return None


def dossier_reject(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Not eligible after appraisal: a refusal with reasons is the result (Decree 61 art. 19)."""
    reason = require_reason(reason, str(_("không giải quyết")))

    def decide(current: Dossier) -> Change:
        if current.decision:
            raise TransitionNotAllowed(_("Hồ sơ đã có quyết định."))
        fields = {"decision": Decision.REJECTED, "finished_at": at, "result_note": reason}
        return Change(Status.PROCESSED, fields, reason=reason)

    return act(
        dossier, Action.REJECT, actor=actor, at=at, expected_version=expected_version, decide=decide
    )


def dossier_complete(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The result is ready for return (national status 9)."""

    def decide(current: Dossier) -> Change:
        if current.decision != Decision.APPROVED:
            raise TransitionNotAllowed(_("Hồ sơ chưa được phê duyệt."))
        return Change(Status.PROCESSED, {"finished_at": at, "result_note": note}, reason=note)

    return act(
        dossier,
        Action.COMPLETE,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_return_result(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    expected_version: int | None = None,
) -> Dossier:
    def decide(current: Dossier) -> Change:
        if (
            result_is_electronic(current)
            and not current.documents.filter(kind=DossierDocument.Kind.RESULT).exists()
        ):
            raise MissingInput(
                _(
                    "Hồ sơ trực tuyến toàn trình: hãy đính kèm bản điện tử của kết quả trước khi trả."
                )
            )
        return Change(Status.RETURNED, {"returned_at": at})

    return act(
        dossier, Action.RETURN_RESULT, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_apologize(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str, new_due: datetime.datetime,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Late: apologise with a reason and one new date, before the deadline (Decree 61 art. 19).

    Re-appointment is allowed once; a second apology is refused.
    """
    reason = require_reason(reason, str(_("xin lỗi, hẹn lại")))

    def once(current: Dossier) -> None:
        if current.apologies >= 1:
            raise ApologyNotAllowed(
                _("Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần thứ hai.")
            )

    if new_due.tzinfo is None:
        raise MissingInput(_("Ngày hẹn mới phải kèm múi giờ (giờ Hà Nội)."))

    def decide(current: Dossier) -> Change:
        if not deadlines.is_working_day(current, new_due):
            raise ApologyNotAllowed(_("Ngày hẹn mới phải là ngày làm việc."))
        if current.due_at is None or at >= current.due_at:
            raise ApologyNotAllowed(_("Chỉ được xin lỗi, hẹn lại trước khi hết hạn giải quyết."))
        if new_due <= current.due_at:
            raise ApologyNotAllowed(_("Ngày hẹn mới phải sau ngày hẹn cũ."))
        return Change(
            current.status, {"due_at": new_due, "apologies": current.apologies + 1}, reason=reason,
            payload={"previous_due": iso(current.due_at), "new_due": iso(new_due)},
        )  # fmt: skip

    return act(
        dossier, Action.APOLOGIZE, actor=actor, at=at, expected_version=expected_version,
        decide=decide, precheck=once,
    )  # fmt: skip


def dossier_withdraw(
    *,
    dossier: Dossier,
    actor: User | None,
    at: datetime.datetime,
    reason: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant asks to stop: allowed until a decision (Decree 118 art. 21; TT 03/2025 Mẫu 05)."""

    def decide(current: Dossier) -> Change:
        if current.decision:
            raise TransitionNotAllowed(_("Hồ sơ đã có quyết định giải quyết, không thể rút."))
        for kind in PauseKind.values:
            end_pause(current, kind, at)
        return Change(
            Status.STOPPED,
            {"finished_at": at, "status_before_pause": ""},
            reason=reason or str(_("Người nộp yêu cầu rút hồ sơ")),
        )

    return act(
        dossier,
        Action.WITHDRAW,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def refused_by_rule(dossier: Dossier, action: str, now_: datetime.datetime) -> bool:
    """The one-stop rules that would refuse the action whatever the officer types."""
    decided = bool(dossier.decision)
    step = step_at(dossier, dossier.current_step)
    rules: dict[str, bool] = {
        Action.REQUEST_SUPPLEMENT: dossier.supplement_requests >= 1,
        Action.APOLOGIZE: dossier.apologies >= 1
        or dossier.due_at is None
        or now_ >= dossier.due_at,
        Action.APPROVE: decided or (step is not None and step.role != "leader"),
        Action.REJECT: decided,
        Action.WITHDRAW: decided,
        Action.COMPLETE: dossier.decision != Decision.APPROVED,
        Action.FORWARD: decided and step is not None and step.scope == StepScope.RECEIVING,
    }
    return bool(rules.get(action, False))


def dossier_attach(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, upload: UploadedFile, name: str,
    kind: str = "input", requirement_id: int | None = None, digitised_at_counter: bool = False,
    expected_version: int | None = None,
) -> DossierDocument:  # fmt: skip
    """Attach a checked file (PDF, PNG, JPEG; content checked, size limited), with its SHA-256.

    The file is written before the database row; if the transaction fails the file is removed, so
    nothing partial is left behind.
    """
    checked = checked_upload(upload)
    if kind not in DossierDocument.Kind.values:
        raise MissingInput(_("Loại giấy tờ không hợp lệ."))
    document = DossierDocument(
        kind=kind, requirement_id=requirement_id, name=(name or upload.name or "").strip()[:255] or str(_("Giấy tờ")),
        original_filename=(upload.name or "")[:255], sha256=checked.sha256, content_type=checked.content_type,
        size=checked.size, digitised_at_counter=digitised_at_counter, uploaded_by=actor, uploaded_at=at,
    )  # fmt: skip
    document.file.save(checked.sha256, ContentFile(checked.content), save=False)

    def decide(current: Dossier) -> Change:
        document.dossier = current
        document.save()
        payload = {
            "document": document.name,
            "sha256": checked.sha256,
            "kind": kind,
            "size": checked.size,
        }
        return Change(current.status, {}, payload=payload)

    try:
        act(
            dossier,
            Action.ATTACH,
            actor=actor,
            at=at,
            expected_version=expected_version,
            decide=decide,
        )
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@dataclass(frozen=True)
class ActionInput:
    """What the web form and the API may send with an action."""

    reason: str = ""
    new_due: datetime.datetime | None = None
    assignee: User | None = None
    to_unit: Unit | None = None
    back: bool = False
    amount_vnd: int = 0


def dossier_perform(
    action: str, *, dossier: Dossier, actor: User | None, at: datetime.datetime,
    expected_version: int | None, given: ActionInput,
) -> Dossier:  # fmt: skip
    """One entry point for the web and the API: the named action with its inputs."""
    common: dict[str, Any] = {
        "dossier": dossier,
        "actor": actor,
        "at": at,
        "expected_version": expected_version,
    }
    reason = given.reason
    calls: dict[str, Callable[[], Dossier]] = {
        Action.RECEIVE: lambda: dossier_receive(**common),
        Action.REFUSE_RECEPTION: lambda: dossier_refuse_reception(reason=reason, **common),
        Action.REQUEST_SUPPLEMENT: lambda: dossier_request_supplement(
            reason=reason, items=[line.strip() for line in reason.splitlines() if line.strip()], **common
        ),
        Action.SUBMIT_SUPPLEMENT: lambda: dossier_submit_supplement(note=reason, **common),
        Action.ASSIGN: lambda: dossier_assign(assignee=required(given.assignee, _("Chọn cán bộ được phân công.")), **common),
        Action.FORWARD: lambda: dossier_forward(back=given.back, to_unit=given.to_unit, note=reason, **common),
        Action.REQUEST_PAYMENT: lambda: dossier_request_payment(amount_vnd=given.amount_vnd, reason=reason, **common),
        Action.PAY: lambda: dossier_pay(amount_vnd=given.amount_vnd, **common),
        Action.APPROVE: lambda: dossier_approve(note=reason, **common),
        Action.REJECT: lambda: dossier_reject(reason=reason, **common),
        Action.APOLOGIZE: lambda: dossier_apologize(
            reason=reason, new_due=required(given.new_due, _("Cần ngày hẹn mới.")), **common
        ),
        Action.COMPLETE: lambda: dossier_complete(note=reason, **common),
        Action.RETURN_RESULT: lambda: dossier_return_result(**common),
        Action.WITHDRAW: lambda: dossier_withdraw(reason=reason, **common),
    }  # fmt: skip
    if action not in calls:
        raise TransitionNotAllowed(_("Không có thao tác “%(action)s”.") % {"action": action})
    return calls[action]()


def required(value: Any, message: Any) -> Any:
    if value is None:
        raise MissingInput(message)
    return value


def can_attach(dossier: Dossier, user: User) -> bool:
    if dossier.status not in ALLOWED_FROM[Action.ATTACH]:
        return False
    try:
        check_actor(dossier, Action.ATTACH, user)
    except NotAllowed:
        return False
    return True


def actions_available(
    dossier: Dossier, user: User, now_: datetime.datetime | None = None
) -> list[str]:
    """The actions this officer may take now (refused ones are not offered, UX.md)."""
    moment = now_ or datetime.datetime.now(datetime.UTC)
    available = []
    for action, states in ALLOWED_FROM.items():
        if dossier.status not in states or action in (Action.ANSWER_CONSULTATION, Action.ATTACH):
            continue
        if refused_by_rule(dossier, action, moment):
            continue
        try:
            check_actor(dossier, action, user)
        except NotAllowed:
            continue
        available.append(action)
    return available


def iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def is_final(dossier: Dossier) -> bool:
    return dossier.status in FINAL


def supplement_window_days() -> int:
    return int(getattr(settings, "MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS", 3))


__all__ = [
    "DomainError",
    "dossier_apologize",
    "dossier_approve",
    "dossier_assign",
    "dossier_complete",
    "dossier_consult",
    "dossier_forward",
    "dossier_pay",
    "dossier_receive",
    "dossier_refuse_reception",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_submit",
    "dossier_submit_supplement",
    "dossier_withdraw",
]
