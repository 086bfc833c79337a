"""Writes on dossiers, split by concern: reception, supplement, processing, decision, files and
issued documents. Every write goes through ``kernel.act`` and the action registry
(``dossiers.actions``); ``dossier_perform`` is the one entry point of the officer pages and the
API, and it reads the inputs each action takes from the registry too."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.common.errors import DomainError, composed, worded
from motcua.organizations.models import Unit

from .. import steps
from ..actions import REGISTRY, ActionSpec, spec_for, state_allows
from ..constants import FINAL, Action
from ..errors import MissingInput, TransitionNotAllowed
from ..models import Dossier, DossierDocument
from . import offers
from .decision import (
    RESULT_MISSING,
    dossier_apologize,
    dossier_approve,
    dossier_complete,
    dossier_reject,
    dossier_return_result,
    dossier_withdraw,
    result_missing,
)
from .files import document_prepare, dossier_attach
from .kernel import Change, act, actor_check, is_applicant, may, require_reason
from .processing import (
    consult_targets,
    dossier_accept_transfer,
    dossier_answer_consultation,
    dossier_assign,
    dossier_consult,
    dossier_forward,
    dossier_pay,
    dossier_request_payment,
    dossier_return_step,
    dossier_return_transfer,
    dossier_transfer,
    transfer_targets,
)
from .reception import (
    Applicant,
    deciding_unit_for,
    dossier_code_allocate,
    dossier_create,
    dossier_receive,
    dossier_refuse_reception,
    dossier_submit,
    process_for,
    unit_code_prefix,
)
from .supplement import dossier_request_supplement, dossier_submit_supplement, missing_items


@dataclass(frozen=True)
class ActionInput:
    """What the web form and the API may send with an action (the registry says which)."""

    reason: str = ""
    new_due: datetime.datetime | None = None
    assignee: User | None = None
    to_unit: Unit | None = None
    back: bool = False
    amount_vnd: int = 0
    items: list[str] = field(default_factory=list)
    received: list[str] | None = None
    consultation_id: int | None = None
    working_days: int = 3
    confirm: bool | None = None  # None: not asked (the API: a call is deliberate)
    accept_incomplete: bool = False
    upload: UploadedFile | None = None


def given_value(given: ActionInput, name: str) -> Any:
    if name == "items":
        return given.items or [line for line in given.reason.splitlines() if line.strip()]
    if name == "reason":
        return given.reason.strip()
    if name == "consultation":
        return given.consultation_id
    if name == "document":
        return given.upload
    return getattr(given, name, None)


def inputs_check(spec: ActionSpec, given: ActionInput) -> None:
    """Every input the registry marks required is there, or a message that names it."""
    for item in spec.inputs:
        if not item.required:
            continue
        value = given_value(given, item.name)
        if item.kind == "confirm" and given.confirm is None:
            continue
        if value in (None, "", [], False, 0):
            if item.kind == "confirm":
                raise MissingInput(
                    worded(
                        _("Hãy đánh dấu xác nhận trước khi “%(action)s”."),
                        {"action": spec.action.label},
                    )
                )
            if item.missing:
                raise MissingInput(item.missing)
            raise MissingInput(worded(_("Cần nhập %(field)s."), {"field": lower_first(item.label)}))


Performer = Callable[[dict[str, Any], ActionInput], Dossier]


def _answer(common: dict[str, Any], given: ActionInput) -> Dossier:
    document = None
    if given.upload is not None:
        document = document_prepare(
            upload=given.upload, name=str(_("Văn bản trả lời ý kiến")), kind=DossierDocument.Kind.INPUT,
            actor=common["actor"], at=common["at"],
        )  # fmt: skip
    try:
        return dossier_answer_consultation(
            answer=given.reason, consultation_id=given.consultation_id, document=document, **common
        )
    except Exception:
        if document is not None:
            document.file.delete(save=False)
        raise


def required(value: Any, message: Any) -> Any:
    if value is None:
        raise MissingInput(message)
    return value


# How each action of the registry is carried out with the inputs the registry declares.
PERFORMERS: dict[str, Performer] = {
    Action.RECEIVE: lambda c, g: dossier_receive(**c),
    Action.REFUSE_RECEPTION: lambda c, g: dossier_refuse_reception(reason=g.reason, **c),
    Action.REQUEST_SUPPLEMENT: lambda c, g: dossier_request_supplement(reason=g.reason, items=g.items, **c),
    Action.SUBMIT_SUPPLEMENT: lambda c, g: dossier_submit_supplement(note=g.reason, received=g.received, accept_incomplete=g.accept_incomplete, **c),
    Action.ASSIGN: lambda c, g: dossier_assign(assignee=required(g.assignee, _("Chọn cán bộ được phân công.")), **c),
    Action.FORWARD: lambda c, g: dossier_forward(note=g.reason, **c),
    Action.RETURN_STEP: lambda c, g: dossier_return_step(reason=g.reason, **c),
    Action.TRANSFER: lambda c, g: dossier_transfer(to_unit=required(g.to_unit, _("Chọn đơn vị nhận.")), note=g.reason, **c),
    Action.ACCEPT_TRANSFER: lambda c, g: dossier_accept_transfer(**c),
    Action.RETURN_TRANSFER: lambda c, g: dossier_return_transfer(reason=g.reason, **c),
    Action.CONSULT: lambda c, g: dossier_consult(unit=required(g.to_unit, _("Chọn đơn vị được hỏi ý kiến.")), question=g.reason, working_days=g.working_days, **c),
    Action.ANSWER_CONSULTATION: _answer,
    Action.REQUEST_PAYMENT: lambda c, g: dossier_request_payment(amount_vnd=g.amount_vnd, reason=g.reason, **c),
    Action.PAY: lambda c, g: dossier_pay(amount_vnd=g.amount_vnd, **c),
    Action.APPROVE: lambda c, g: dossier_approve(note=g.reason, **c),
    Action.REJECT: lambda c, g: dossier_reject(reason=g.reason, **c),
    Action.COMPLETE: lambda c, g: dossier_complete(note=g.reason, **c),
    Action.APOLOGIZE: lambda c, g: dossier_apologize(reason=g.reason, new_due=required(g.new_due, _("Cần ngày hẹn mới.")), **c),
    Action.RETURN_RESULT: lambda c, g: dossier_return_result(**c),
    Action.WITHDRAW: lambda c, g: dossier_withdraw(reason=g.reason, **c),
}  # fmt: skip


def resolve_alias(action: str, given: ActionInput) -> str:
    """``forward`` with a unit is a transfer, with ``back`` a return to the previous step
    (the API's first version spelled them so)."""
    if action == Action.FORWARD and given.to_unit is not None:
        return Action.TRANSFER
    if action == Action.FORWARD and given.back:
        return Action.RETURN_STEP
    return action


def dossier_perform(
    action: str, *, dossier: Dossier, actor: User | None, at: datetime.datetime,
    expected_version: int | None, given: ActionInput,
) -> Dossier:  # fmt: skip
    """One entry point for the web and the API: the named action with its inputs."""
    action = resolve_alias(action, given)
    performer = PERFORMERS.get(action)
    if performer is None:
        raise TransitionNotAllowed(worded(_("Không có thao tác “%(action)s”."), {"action": action}))
    spec = spec_for(action)
    actor_check(spec, dossier, actor, at)  # who may act is said before what is missing (403)
    inputs_check(spec, given)
    common = {"dossier": dossier, "actor": actor, "at": at, "expected_version": expected_version}
    return performer(common, given)


def can_attach(dossier: Dossier, user: User) -> bool:
    spec = REGISTRY[Action.ATTACH]
    return state_allows(spec, dossier) and may(spec, dossier, user)


def actions_available(
    dossier: Dossier, user: User, now_: datetime.datetime | None = None
) -> list[str]:
    """The actions this person may take now; refused ones are not offered (UX.md)."""
    moment = now_ or datetime.datetime.now(datetime.UTC)
    return [spec.action.value for spec in offered_specs(dossier, user, moment)]


def offered_specs(dossier: Dossier, user: User, at: datetime.datetime) -> list[ActionSpec]:
    return offers.offered(dossier, user, at)


OFFERED_FROM = offers.OFFERED_FROM


def is_final(dossier: Dossier) -> bool:
    return dossier.status in FINAL


step_at = steps.step_at
steps_of = steps.steps_of

__all__ = [
    "PERFORMERS",
    "RESULT_MISSING",
    "ActionInput",
    "Applicant",
    "Change",
    "DomainError",
    "act",
    "actions_available",
    "actor_check",
    "can_attach",
    "consult_targets",
    "deciding_unit_for",
    "dossier_accept_transfer",
    "dossier_answer_consultation",
    "dossier_apologize",
    "dossier_approve",
    "dossier_assign",
    "dossier_attach",
    "dossier_code_allocate",
    "dossier_complete",
    "dossier_consult",
    "dossier_create",
    "dossier_forward",
    "dossier_pay",
    "dossier_perform",
    "dossier_receive",
    "dossier_refuse_reception",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_return_step",
    "dossier_return_transfer",
    "dossier_submit",
    "dossier_submit_supplement",
    "dossier_transfer",
    "dossier_withdraw",
    "is_applicant",
    "missing_items",
    "process_for",
    "require_reason",
    "result_missing",
    "step_at",
    "steps_of",
    "transfer_targets",
    "unit_code_prefix",
]


def lower_first(label: str | Promise) -> Promise:
    """A field's label inside a sentence, in whichever language the sentence is told."""
    return composed(lambda: str(label)[:1].lower() + str(label)[1:])
