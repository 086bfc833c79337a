"""Dossier endpoints for officers and integrators, scoped by the caller's units and roles.

Authentication: the browser session, or ``Authorization: Bearer <token>`` with an API token an
administrator issued to an officer account (``motcua api-token``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from motcua.accounts import permissions
from motcua.accounts.models import ApiToken, User
from motcua.common.clock import now
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers import services
from motcua.dossiers.constants import Action
from motcua.dossiers.errors import StaleDossier
from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import dossier_export_row
from motcua.dossiers.selectors import TABS, dossier_for_officer, dossier_worklist
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

from .schemas import ErrorOut


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return ApiToken.user_for(token)


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (CSRF-checked by ninja for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


router = Router(tags=["dossiers"], auth=[TokenAuth(), SessionAuth()])


class DossierOut(Schema):
    ref: str
    code: str | None
    procedure: str
    status: str
    national_status: int
    received_at: str | None
    due_at: str | None
    statutory_due_at: str | None
    finished_at: str | None
    returned_at: str | None
    on_time: bool | None
    supplement_requests: int
    apologies: int
    decision: str | None
    receiving_unit: str
    deciding_unit: str
    version: int
    applicant_name: str
    actions: list[str]


class EventOut(Schema):
    seq: int
    at: datetime.datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str
    payload: dict[str, Any]
    hash: str


class DossierDetailOut(DossierOut):
    events: list[EventOut]


class ListOut(Schema):
    tab: str
    counts: dict[str, int]
    items: list[DossierOut]


class ActionIn(Schema):
    version: int
    reason: str = ""
    new_due: datetime.datetime | None = None
    assignee: str = ""
    to_unit: str = ""
    back: bool = False
    amount_vnd: int = 0


class ListParams(Schema):
    tab: str = "all"
    q: str = ""
    limit: int = 50


def officer(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not permissions.is_officer(user):
        raise HttpError(403, "Chỉ dành cho cán bộ / officers only")
    return user


def out(dossier: Dossier, user: User) -> dict[str, Any]:
    return {
        **dossier_export_row(dossier),
        "version": dossier.version,
        "applicant_name": dossier.applicant_name,
        "actions": services.actions_available(dossier, user, now()),
    }


@router.get("/dossiers", response={200: ListOut, 403: ErrorOut, 422: ErrorOut})
def dossier_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """Worklist of the caller's units: tabs as on the officer's page, with counts."""
    user = officer(request)
    if params.tab not in dict(TABS):
        tabs = ", ".join(dict(TABS))
        raise HttpError(422, f"tab phải là một trong: {tabs} / tab must be one of: {tabs}")
    worklist = dossier_worklist(
        user=user,
        tab=params.tab,
        query=params.q[:100],
        at=now(),
        limit=max(1, min(params.limit, 200)),
    )
    return {
        "tab": worklist.tab,
        "counts": worklist.counts,
        "items": [out(d, user) for d in worklist.dossiers],
    }


@router.get("/dossiers/{ref}", response={200: DossierDetailOut, 403: ErrorOut, 404: ErrorOut})
def dossier_get(request: HttpRequest, ref: str) -> dict[str, Any]:
    """One dossier (by ref or code) with its hash-chained history."""
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise HttpError(
            404, f"Không có hồ sơ {ref} trong đơn vị của bạn / no dossier {ref} in your units"
        )
    events = [
        {"seq": e.seq, "at": e.at, "actor": e.actor_name, "action": e.action, "from_status": e.from_status,
         "to_status": e.to_status, "reason": e.reason, "payload": e.payload, "hash": e.hash}
        for e in dossier.events.all()
    ]  # fmt: skip
    return {**out(dossier, user), "events": events}


def hanoi_time(value: datetime.datetime | None) -> datetime.datetime | None:
    """A naive date-time is Hà Nội time; a bare date (midnight) means the close of that day."""
    if value is None or value.tzinfo is not None:
        return value
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        value = value.replace(hour=17)
    return value.replace(tzinfo=VIETNAM_OFFSET)


ERROR_EN = {
    "SupplementAlreadyRequested": "A supplement was already requested once; a second request is not allowed.",
    "SupplementWindowClosed": "The time to request a supplement (after reception) has passed.",
    "ApologyNotAllowed": "An apology is allowed once, before the deadline, with a later working day.",
    "TransitionNotAllowed": "This action is not allowed in the dossier's current state.",
    "MissingInput": "Required input is missing or invalid.",
    "DomainError": "The request was refused by a one-stop rule.",
}


def action_input(body: ActionIn) -> services.ActionInput:
    assignee = User.objects.filter(username=body.assignee).first() if body.assignee else None
    if body.assignee and assignee is None:
        raise DomainError(f"Không có cán bộ {body.assignee}")
    to_unit = Unit.objects.filter(code=body.to_unit).first() if body.to_unit else None
    if body.to_unit and to_unit is None:
        raise DomainError(f"Không có đơn vị {body.to_unit}")
    return services.ActionInput(
        reason=body.reason, new_due=hanoi_time(body.new_due), assignee=assignee, to_unit=to_unit, back=body.back,
        amount_vnd=body.amount_vnd,
    )  # fmt: skip


@router.post(
    "/dossiers/{ref}/actions/{action}",
    response={200: DossierOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def dossier_act(request: HttpRequest, ref: str, action: str, body: ActionIn) -> dict[str, Any]:
    """Perform one action; ``version`` must be the version you read (else 409, reload)."""
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise HttpError(
            404, f"Không có hồ sơ {ref} trong đơn vị của bạn / no dossier {ref} in your units"
        )
    if action not in Action.values or action in (
        Action.SUBMIT,
        Action.ATTACH,
        Action.ANSWER_CONSULTATION,
    ):
        raise HttpError(404, f"Không có thao tác {action} / unknown action {action}")
    try:
        done = services.dossier_perform(
            action,
            dossier=dossier,
            actor=user,
            at=now(),
            expected_version=body.version,
            given=action_input(body),
        )
    except StaleDossier as error:
        raise HttpError(409, f"{error.message} / the dossier changed, reload it") from error
    except NotAllowed as error:
        raise HttpError(
            403, f"{error.message} / You are not allowed to do this for this dossier."
        ) from error
    except DomainError as error:
        english = ERROR_EN.get(type(error).__name__, ERROR_EN["DomainError"])
        raise HttpError(422, f"{error.message} / {english}") from error
    return out(done, user)
