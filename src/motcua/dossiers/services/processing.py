"""Processing: assignment, the internal process's steps, transfer between units, consultation,
fees (Decree 61/2018 art. 18–19, 22; TT 01/2018 art. 8)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.catalog.constants import CommuneBody, CompetenceLevel
from motcua.common.errors import NotAllowed, worded
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from .. import deadlines, steps
from ..constants import Action, PauseKind, Status, StepOutcome
from ..errors import InvalidValue, TransitionNotAllowed
from ..models import Consultation, Dossier, DossierDocument, DossierPause
from ..store import store
from .kernel import Change, act, iso, require_reason
from .supplement import end_pause

MAX_AMOUNT_VND = 10**12  # far above any fee; keeps sums inside a 64-bit column


def not_a_processor(username: str, unit: Unit) -> NotAllowed:
    """One answer for an account that does not process in the unit and for a name nobody
    holds, naming only what was given: a refusal must not tell whether an account exists, nor
    whose it is (a citizen's account is named by their ID number)."""
    return NotAllowed(worded(
        _("%(name)s không phải cán bộ xử lý của %(unit)s."), {"name": username[:80], "unit": unit.name}
    ))  # fmt: skip


def dossier_assign(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, assignee: User,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The head of the deciding unit gives the dossier to a specialist (Decree 61 art. 19(1))."""

    def decide(current: Dossier) -> Change:
        if not permissions.has_capability(
            assignee, Capability.PROCESS_DOSSIER, current.deciding_unit
        ):
            raise not_a_processor(assignee.username, current.deciding_unit)
        return Change(
            Status.PROCESSING, {"assignee": assignee}, payload={"assignee": assignee.username}
        )

    return act(
        dossier, Action.ASSIGN, actor=actor, at=at, expected_version=expected_version, decide=decide
    )


def dossier_forward(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, note: str = "",
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The current step is done: on to the next step of the process (never past the signing)."""

    def decide(current: Dossier) -> Change:
        ahead = steps.following(current)
        assert ahead is not None  # the registry's guard refuses a dossier with no next step
        return Change(
            Status.PROCESSING, {}, reason=note, to_step=ahead.order,
            payload={"to_step": ahead.order, "step": ahead.name},
        )  # fmt: skip

    return act(
        dossier,
        Action.FORWARD,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_return_step(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Back to the previous deciding step, with the reason (a leader sends a draft back)."""
    reason = require_reason(reason, _("lý do trả lại"))

    def decide(current: Dossier) -> Change:
        back = steps.preceding_deciding(current)
        assert back is not None  # guarded by the registry
        return Change(
            Status.PROCESSING, {}, reason=reason, to_step=back.order,
            outcome=StepOutcome.RETURNED, payload={"to_step": back.order, "step": back.name},
        )  # fmt: skip

    return act(
        dossier, Action.RETURN_STEP, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


# --------------------------------------------------------------------------- transfer
def transfer_targets(dossier: Dossier) -> QuerySet[Unit]:
    """Units the dossier may be sent to: those the catalog names for the procedure (its competent
    unit and receiving units), the commune police of the dossier's ward or commune when the
    procedure is decided by the commune police, the unit above the current one, and the unit
    that sent it here. Never the unit that holds it now."""
    procedure = dossier.procedure
    named = Q(pk=procedure.deciding_unit_id) | Q(pk__in=procedure.receiving_units.values("pk"))
    areas = {dossier.receiving_unit_id, dossier.deciding_unit_id}
    area_ids = {u.area_id or u.pk for u in Unit.objects.filter(pk__in=areas)}
    if procedure.level == CompetenceLevel.COMMUNE:
        kind = UnitKind.COMMUNE_POLICE if procedure.commune_body == CommuneBody.POLICE else None
        if kind is not None:
            named |= Q(kind=kind, area_id__in=area_ids)
        # Reception regardless of boundary (Decree 118): the commune the applicant belongs to
        named |= Q(kind__in=[UnitKind.WARD, UnitKind.COMMUNE], pk__in=area_ids)
    current = dossier.deciding_unit
    if current.parent_id:
        named |= Q(pk=current.parent_id)
    if dossier.previous_unit_id:
        named |= Q(pk=dossier.previous_unit_id)
    return (
        Unit.objects.filter(named)
        .exclude(pk=dossier.deciding_unit_id)
        .exclude(kind__in=[UnitKind.CITY, UnitKind.FORMER_DISTRICT, UnitKind.FORMER_COMMUNE])
        .order_by("name")
    )


def dossier_transfer(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, to_unit: Unit, note: str = "",
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Send the dossier to another competent unit; it waits in that unit's "to receive" list
    until its officers take it (Decree 61 art. 18: same working day, the next if after 15:00)."""

    def decide(current: Dossier) -> Change:
        if actor is not None and not transfer_targets(current).filter(pk=to_unit.pk).exists():
            raise NotAllowed(worded(
                _("Không chuyển được tới %(unit)s: quy trình và danh mục thủ tục không nêu đơn vị này."),
                {"unit": to_unit.name},
            ))  # fmt: skip
        return Change(
            current.status, {"pending_unit": to_unit}, reason=note,
            payload={"to_unit": to_unit.code, "from_unit": current.deciding_unit.code},
        )  # fmt: skip

    return act(
        dossier, Action.TRANSFER, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_accept_transfer(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The unit the dossier was sent to takes it: it decides from now on, from its first step."""

    def decide(current: Dossier) -> Change:
        incoming = current.pending_unit
        assert incoming is not None  # guarded by the registry
        sender = current.deciding_unit
        current.deciding_unit = incoming  # the step to enter is performed by the new unit
        return Change(
            Status.RECEIVED,
            {"deciding_unit": incoming, "pending_unit": None, "previous_unit": sender, "assignee": None},
            to_step=steps.first_deciding(current), outcome=StepOutcome.TRANSFERRED,
            payload={"from_unit": sender.code, "to_unit": incoming.code},
        )  # fmt: skip

    return act(
        dossier, Action.ACCEPT_TRANSFER, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_return_transfer(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Not ours: a waiting transfer is declined, or a taken one goes back to the sender."""
    reason = require_reason(reason, _("lý do trả lại"))

    def decide(current: Dossier) -> Change:
        if current.pending_unit_id is not None:
            returned = current.pending_unit
            assert returned is not None

            return Change(
                current.status, {"pending_unit": None}, reason=reason,
                payload={"declined_by": returned.code},
            )  # fmt: skip
        sender = current.previous_unit
        assert sender is not None  # guarded by the registry
        leaving = current.deciding_unit
        current.deciding_unit = sender
        return Change(
            Status.RECEIVED, {"deciding_unit": sender, "previous_unit": None, "assignee": None},
            reason=reason, to_step=steps.first_deciding(current), outcome=StepOutcome.TRANSFERRED,
            payload={"from_unit": leaving.code, "to_unit": sender.code},
        )  # fmt: skip

    return act(
        dossier, Action.RETURN_TRANSFER, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


# --------------------------------------------------------------------------- consultation
def consult_targets(dossier: Dossier) -> QuerySet[Unit]:
    """Any current unit of the city other than the deciding one (a question is not a transfer)."""
    return (
        Unit.objects.exclude(pk=dossier.deciding_unit_id)
        .exclude(kind__in=[UnitKind.FORMER_DISTRICT, UnitKind.FORMER_COMMUNE])
        .order_by("name")
    )


def dossier_consult(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, unit: Unit, question: str,
    working_days: int = 3, expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Ask another unit, with a deadline (Decree 61 art. 19(3)); consultations run in parallel."""
    question = require_reason(question, _("nội dung cần lấy ý kiến"))
    if not 1 <= working_days <= 30:
        raise InvalidValue(_("Thời hạn trả lời phải từ 1 đến 30 ngày làm việc."))

    def decide(current: Dossier) -> Change:
        if unit.pk == current.deciding_unit_id or unit.kind in (
            UnitKind.FORMER_DISTRICT,
            UnitKind.FORMER_COMMUNE,
        ):
            raise NotAllowed(worded(_("Không lấy ý kiến được từ %(unit)s."), {"unit": unit.name}))
        due = deadlines.add_working_days(current, at, working_days)
        Consultation.objects.create(
            dossier=current, unit=unit, question=question, asked_at=at, asked_by=actor, due_at=due
        )
        return Change(
            Status.PROCESSING if current.status == Status.RECEIVED else current.status, {},
            reason=question, payload={"unit": unit.code, "due_at": iso(due)},
        )  # fmt: skip

    return act(
        dossier,
        Action.CONSULT,
        actor=actor,
        at=at,
        expected_version=expected_version,
        decide=decide,
    )


def dossier_answer_consultation(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, answer: str,
    consultation_id: int | None = None, document: DossierDocument | None = None,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The consulted unit replies; the reply, its document and whether it was late are kept."""
    answer = require_reason(answer, _("ý kiến trả lời"))

    def decide(current: Dossier) -> Change:
        waiting = Consultation.objects.filter(dossier=current, answered_at__isnull=True)
        if consultation_id is not None:
            waiting = waiting.filter(pk=consultation_id)
        if actor is not None:
            waiting = waiting.filter(
                unit_id__in=permissions.unit_ids_with(actor, Capability.PROCESS_DOSSIER)
            )
        consultation = waiting.select_related("unit").order_by("asked_at").first()
        if consultation is None:
            raise TransitionNotAllowed(
                _("Không có yêu cầu lấy ý kiến nào đang chờ đơn vị bạn trả lời.")
            )
        late = consultation.due_at is not None and at > consultation.due_at
        if document is not None:  # saved first: the consultation points at it
            document.dossier = current
            document.save()
        consultation.answer, consultation.answered_at, consultation.answered_by = answer, at, actor
        consultation.late, consultation.answer_document = late, document
        consultation.save()
        payload: dict[str, Any] = {
            "unit": consultation.unit.code,
            "late": late,
            "consultation": consultation.pk,
        }
        if document is not None:
            payload["document"] = document.sha256
        return Change(current.status, {}, reason=answer, payload=payload)

    return act(
        dossier, Action.ANSWER_CONSULTATION, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


# --------------------------------------------------------------------------- fees
def dossier_request_payment(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, amount_vnd: int,
    reason: str = "", expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidValue(_("Số tiền phải lớn hơn 0 và không quá 1.000.000.000.000 đồng."))

    def decide(current: Dossier) -> Change:
        store().pause_open(
            DossierPause(dossier=current, kind=PauseKind.PAYMENT, start=at, reason=reason)
        )
        fields = {
            "fees_due_vnd": current.fees_due_vnd + amount_vnd,
            "status_before_pause": current.status,
        }
        return Change(
            Status.AWAITING_PAYMENT, fields, reason=reason, payload={"amount_vnd": amount_vnd}
        )

    return act(
        dossier, Action.REQUEST_PAYMENT, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_pay(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, amount_vnd: int,
    expected_version: int | None = None, payment: dict[str, Any] | None = None,
) -> Dossier:  # fmt: skip
    """NĐ 61/2018 Điều 22: the fees are paid, the clock runs again. ``payment``: how it was paid
    (method, the payment's number, the 766 flag), recorded in the event for the payments app
    and supervision; a payment recorded without it is cash at the counter.

    Paid at submission (the dossier still waiting for reception, issue 16): the fee is due and
    paid at once and the dossier stays where it is; no clock runs yet."""

    def decide(current: Dossier) -> Change:
        if current.status == Status.NEW:
            return paid_at_submission(current, amount_vnd, payment)
        if (
            not 0 < amount_vnd <= MAX_AMOUNT_VND
            or amount_vnd < current.fees_due_vnd - current.fees_paid_vnd
        ):
            raise InvalidValue(_("Số tiền nộp chưa đủ."))
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
            payload={"amount_vnd": amount_vnd, **({"payment": payment} if payment else {})},
        )

    return act(
        dossier, Action.PAY, actor=actor, at=at, expected_version=expected_version, decide=decide
    )


def paid_at_submission(current: Dossier, amount_vnd: int, payment: dict[str, Any] | None) -> Change:
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidValue(_("Số tiền phải lớn hơn 0 và không quá 1.000.000.000.000 đồng."))
    fields: dict[str, Any] = {
        "fees_due_vnd": current.fees_due_vnd + amount_vnd,
        "fees_paid_vnd": current.fees_paid_vnd + amount_vnd,
    }
    payload = {"amount_vnd": amount_vnd, "at_submission": True}
    return Change(
        Status.NEW, fields, payload={**payload, **({"payment": payment} if payment else {})}
    )
