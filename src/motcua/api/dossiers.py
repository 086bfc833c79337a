"""Dossier endpoints for officers and integrators, scoped by the caller's units and roles.

Authentication: the browser session, or ``Authorization: Bearer <token>`` with an API token the
system administrator issued to an officer account (``motcua api-token``): scoped (read / act),
limited to units, expiring, revocable (``accounts.tokens``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from motcua.accounts import permissions
from motcua.accounts.constants import ApiTokenScope, Capability
from motcua.accounts.models import User
from motcua.catalog.selectors import procedure_by_code, receiving_competence_check, unit_by_code
from motcua.common.clock import now, today
from motcua.common.errors import DomainError, in_languages
from motcua.common.held_rows import related_rows
from motcua.common.numbers import small_int
from motcua.dossiers import services
from motcua.dossiers.access import access_record
from motcua.dossiers.action_docs import as_rows
from motcua.dossiers.constants import Channel, DocumentKind, Status
from motcua.dossiers.deadlines import procedure_cases
from motcua.dossiers.errors import LegalLimitNeeded, StaleDossier
from motcua.dossiers.legal_forms import issued_pdf
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.dossiers.replay import dossier_export_row
from motcua.dossiers.selectors import (
    MAX_PAGE_SIZE,
    SORTS,
    STEP_ROLES,
    TABS,
    PageTokenError,
    WorklistFilters,
    dossier_for_officer,
    dossier_worklist,
    due_day_out_of_range,
    page_cursor,
)
from motcua.dossiers.services.processing import not_a_processor
from motcua.organizations.models import Unit
from motcua.sync.files import portal_files_fetch

from .auth import SessionAuth, TokenAuth
from .errors import ApiError, refusal, with_limit_page
from .inputs import ApplicantIn, applicant_from, hanoi_time
from .schemas import ErrorOut

router = Router(tags=["dossiers"], auth=[TokenAuth(), SessionAuth()])


class Answer(BaseModel):
    """What an endpoint answers, made from dicts: pydantic's own models, not ninja's ``Schema``,
    whose validator wraps every item in an object that reads attributes too (a sixth of a
    worklist page's CPU for its 50 items)."""


MAX_IDEMPOTENCY_KEY = Dossier._meta.get_field("idempotency_key").max_length or 80


class DossierOut(Answer):
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


class EventOut(Answer):
    seq: int
    at: datetime.datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str
    payload: dict[str, Any]
    hash: str


class IssuedOut(Answer):
    kind: str
    title: str
    number: str
    sha256: str | None = Field(
        description="SHA-256 of the signed PDF; null while the worker has not rendered it yet "
        "(the document's url renders it at once)"
    )
    issued_at: datetime.datetime
    issued_by: str
    url: str


class IssuedListOut(Answer):
    items: list[IssuedOut]


class DossierDetailOut(DossierOut):
    events: list[EventOut]
    documents: list[IssuedOut]


class PortalFileIn(Schema):
    """A file of a dossier submitted on the national portal, fetched from it by the worker."""

    id: str = Field(max_length=80)
    sha256: str = Field(min_length=64, max_length=64)
    name: str = Field("", max_length=255)


class DossierIn(Schema):
    unit: str = Field(min_length=1)
    procedure: str = Field(min_length=1)
    case: str = ""
    channel: str = "counter"
    applicant: ApplicantIn
    form: dict[str, Any] = {}
    checklist: list[str] = []
    files: list[PortalFileIn] = Field([], max_length=50)


class ListOut(Answer):
    tab: str
    counts: dict[str, int] = Field(
        description="Per tab, with the same search and filters; a tab named in `counts_capped` "
        'holds at least that many ("all" is counted up to 10,000).'
    )
    counts_capped: list[str] = Field(description="Tabs whose count is a lower bound.")
    items: list[DossierOut]
    page: int = Field(description="The page's number (its first item's place / page_size + 1).")
    page_size: int
    total: int = Field(description="The tab's count (a lower bound if the tab is capped).")
    pages: int | None = Field(description="How many pages; null when the count is a lower bound.")
    sort: str
    previous: str | None = Field(description="Link to the previous page (a page token), or null.")
    next: str | None = Field(description="Link to the next page (a page token), or null.")


class ActionIn(Schema):
    """The inputs of every action; ``GET /api/v1/actions`` says which each action takes."""

    version: int
    reason: str = ""
    new_due: datetime.datetime | None = None
    assignee: str = ""
    to_unit: str = ""
    back: bool = False
    amount_vnd: int = 0
    items: list[str] = []
    received: list[str] | None = None
    accept_incomplete: bool = False
    consultation: int | None = None
    working_days: int = 3
    # An irreversible action's confirmation (``confirm*``): the call itself confirms; ``false``
    # refuses it, as an unticked box on the page does.
    confirm: bool | None = None


class ListParams(Schema):
    """Tab, search, filters (the same as the officer's page), sort and page. Counts of every
    tab are taken with the same search and filters. ``limit`` is the older name of
    ``page_size``."""

    tab: str = "all"
    q: str = ""
    limit: int = 50
    page: int = 1
    page_size: int | None = None
    page_token: str = Field(
        "",
        description="Opaque token of the `next` and `previous` links (keyset paging: deep "
        "pages cost as little as the first); takes precedence over `page`.",
        max_length=400,
    )
    sort: str = "due"
    procedure: str = ""
    step: str = ""
    status: str = ""
    channel: str = ""
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None


def officer(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not permissions.is_officer(user):
        raise ApiError(403, "forbidden", "Chỉ dành cho cán bộ.", "Officers only.")
    return user


def acting_officer(request: HttpRequest) -> User:
    """The officer, for an endpoint that changes something: a read token may not."""
    user = officer(request)
    token = permissions.api_token_of(user)
    if token is not None and token.scope != ApiTokenScope.ACT:
        raise ApiError(
            403,
            "token_read_only",
            f"Mã truy cập API “{token.name}” chỉ được đọc, không được thực hiện thao tác.",
            f"The API token “{token.name}” is read-only; it cannot perform actions.",
        )
    return user


def out(dossier: Dossier, user: User) -> dict[str, Any]:
    return {
        **dossier_export_row(dossier),
        "version": dossier.version,
        "applicant_name": dossier.applicant_name,
        "actions": services.actions_available(dossier, user, now()),
    }


@router.get("/dossiers", response={200: ListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def dossier_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """Worklist of the caller's units: tabs as on the officer's page, with counts; filters
    (procedure code, current step as order or role, status, channel, due dates as ISO days in
    Hà Nội, both included), sort (``due``: overdue first; ``submitted``: newest first;
    ``code``) and pages of up to 200 (``page_size``). Follow the ``next`` and ``previous`` links:
    they carry a ``page_token`` (keyset paging: a deep page costs what the first costs; a token
    that was changed or made for another tab or sort is refused with 422
    ``page_token_invalid``).
    ``page`` numbers still work up to the tab's count. ``total`` is the tab's count; "all" is
    counted up to 10,000 (``counts_capped``)."""
    user = officer(request)
    list_params_check(params)
    try:
        cursor = page_cursor(params.page_token, params.sort, params.tab)
    except PageTokenError as error:
        raise ApiError(
            422, "page_token_invalid", str(PageTokenError.message), PageTokenError.message_en
        ) from error
    worklist = dossier_worklist(
        user=user, tab=params.tab, query=params.q[:100], at=now(), page=max(1, params.page),
        limit=params.page_size or max(1, min(params.limit, MAX_PAGE_SIZE)), sort=params.sort,
        filters=WorklistFilters(
            procedure=params.procedure, step=params.step, status=params.status,
            channel=params.channel, due_from=params.due_from, due_to=params.due_to,
        ), cursor=cursor,
    )  # fmt: skip
    # The actions offered on each item look at its consultations, read with the page's rows.
    return {
        "tab": worklist.tab,
        "counts": worklist.counts,
        "counts_capped": sorted(worklist.capped),
        "items": [out(d, user) for d in worklist.dossiers],
        "page": worklist.page,
        "page_size": worklist.page_size,
        "total": worklist.total,
        "pages": worklist.pages,
        "sort": worklist.sort,
        "previous": page_link(request, worklist.previous_token),
        "next": page_link(request, worklist.next_token),
    }


def list_params_check(params: ListParams) -> None:
    """422 with the allowed values for a tab, sort, filter value or page size we do not know."""
    allowed = {
        "tab": [key for key, _label in TABS], "sort": [key for key, _label in SORTS],
        "status": ["", *Status.values], "channel": ["", *Channel.values],
        "step": ["", *STEP_ROLES, "<số thứ tự bước / step order>"],
    }  # fmt: skip
    for name, values in allowed.items():
        value = getattr(params, name)
        if value not in values and not (name == "step" and small_int(value, digits=2) is not None):
            listed = ", ".join(str(v) for v in values if v)
            raise ApiError(
                422, "invalid_input", f"{name} phải là một trong: {listed}.",
                f"{name} must be one of: {listed}.",
            )  # fmt: skip
    for name in ("due_from", "due_to"):
        if due_day_out_of_range(getattr(params, name)):
            raise ApiError(
                422, "invalid_input", f"{name} phải từ 1900-01-01 đến 9998-12-31.",
                f"{name} must be from 1900-01-01 to 9998-12-31.",
            )  # fmt: skip
    if params.page_size is not None and not 1 <= params.page_size <= MAX_PAGE_SIZE:
        raise ApiError(
            422, "invalid_input", f"page_size từ 1 đến {MAX_PAGE_SIZE}.",
            f"page_size must be 1 to {MAX_PAGE_SIZE}.",
        )  # fmt: skip


def page_link(request: HttpRequest, token: str | None) -> str | None:
    """The same request at another page: its token ("" is the first page), no page number."""
    if token is None:
        return None
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("page_token", None)
    if token:
        query["page_token"] = token
    return f"{request.path}?{query.urlencode()}"


@router.get(
    "/dossiers/{ref}", response={200: DossierDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def dossier_get(request: HttpRequest, ref: str) -> dict[str, Any]:
    """One dossier (by ref or code) with its hash-chained history."""
    user = officer(request)
    dossier = visible_or_404(user, ref)
    access_record(user=user, dossier=dossier, what=DossierAccess.What.PAGE, via="api")
    return detail_out(dossier, user)


def detail_out(dossier: Dossier, user: User) -> dict[str, Any]:
    """A dossier with its history and issued documents (read with it, or kept by its creation)."""
    events = [
        {"seq": e.seq, "at": e.at, "actor": e.actor_name, "action": e.action, "from_status": e.from_status,
         "to_status": e.to_status, "reason": e.reason, "payload": e.payload, "hash": e.hash}
        for e in related_rows(dossier, "events")
    ]  # fmt: skip
    return {**out(dossier, user), "events": events, "documents": issued_out(dossier, render=False)}


def issued_out(dossier: Dossier, *, render: bool) -> list[dict[str, Any]]:
    """Issued documents with their SHA-256. Reading or creating a dossier never renders: a PDF
    costs hundreds of milliseconds of CPU and the worker renders it right after the action
    commits. The list of documents renders those the worker has not reached, once."""
    items = []
    # Read with the dossier, by issued_at, pk.
    for document in related_rows(dossier, "issued_documents"):
        if (
            render and not document.sha256
        ):  # rendered ones are not read back (a file, or an S3 object)
            issued_pdf(document)
        # The kind's label from the enum: ``get_kind_display`` translates every label of the
        # field to hash its choices, on each call (an eighth of a dossier read's CPU).
        items.append(
            {"kind": document.kind, "title": str(DocumentKind(document.kind).label), "number": document.number,
             "sha256": document.sha256 or None, "issued_at": document.issued_at, "issued_by": document.issued_by_name,
             "url": f"/api/v1/dossiers/{dossier.ref}/documents/{document.pk}"}
        )  # fmt: skip
    return items


def not_visible(ref: str) -> ApiError:
    code = ref[:80]
    return ApiError(
        404, "not_found", f"Không có hồ sơ {code} trong đơn vị của bạn.",
        f"No dossier {code} in your units.",
    )  # fmt: skip


def visible_or_404(user: User, ref: str) -> Dossier:
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise not_visible(ref)
    return dossier


@router.get(
    "/dossiers/{ref}/documents",
    response={200: IssuedListOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def dossier_documents(request: HttpRequest, ref: str) -> dict[str, Any]:
    """The legal forms issued for the dossier, each exactly as issued (number, issuer, SHA-256).
    A read of the dossier like any other: logged for the applicant to see."""
    user = officer(request)
    dossier = visible_or_404(user, ref)
    access_record(
        user=user, dossier=dossier, what=DossierAccess.What.PAGE, item="Danh sách văn bản đã ban hành",
        via="api",
    )  # fmt: skip
    return {"items": issued_out(dossier, render=True)}


@router.get(
    "/dossiers/{ref}/documents/{document_id}",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def dossier_document_pdf(request: HttpRequest, ref: str, document_id: int) -> HttpResponse:
    """One issued document as its stored PDF."""
    user = officer(request)
    dossier = visible_or_404(user, ref)
    document = dossier.issued_documents.filter(pk=document_id).first()
    if document is None:
        raise ApiError(404, "not_found", "Không có văn bản này.", "No such document.")
    access_record(
        user=user, dossier=dossier, what=DossierAccess.What.FORM, item=str(document), via="api"
    )
    return HttpResponse(issued_pdf(document), content_type="application/pdf")


CHANNELS = {"counter": Channel.COUNTER, "online": Channel.ONLINE, "post": Channel.POST,
            "portal": Channel.NATIONAL_PORTAL}  # fmt: skip


@router.post(
    "/dossiers",
    response={
        200: DossierDetailOut,
        201: DossierDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def dossier_create(request: HttpRequest, body: DossierIn) -> tuple[int, dict[str, Any]]:
    """Create a dossier at a receiving unit; at the counter it is received at once (code, due
    date, receipt). Send an ``Idempotency-Key`` header: the same key gives back the same dossier
    (200) instead of a second one (201) when the request is the same; sent with another one
    (procedure, unit, channel, case, applicant, form or checklist), it is refused with 422
    ``idempotency_key_reused``."""
    user = acting_officer(request)
    unit = unit_by_code(body.unit)
    if unit is None:
        code = body.unit[:80]
        raise ApiError(422, "unknown_unit", f"Không có đơn vị {code}.", f"Unknown unit {code}.")
    if not permissions.has_capability(user, Capability.RECEIVE_DOSSIER, unit):
        raise ApiError(
            403, "forbidden", f"Bạn không tiếp nhận hồ sơ tại {unit.name}.",
            f"You do not receive dossiers at {unit.name}.",
        )  # fmt: skip
    procedure = procedure_by_code(body.procedure)
    if procedure is None:
        code = body.procedure[:80]
        raise ApiError(
            422, "unknown_procedure", f"Không có thủ tục {code}.", f"Unknown procedure {code}."
        )
    case = None
    if body.case:
        case = next((c for c in procedure_cases(procedure.pk) if c.code == body.case), None)
        if case is None:
            code = body.case[:80]
            raise ApiError(
                422, "unknown_case", f"Thủ tục không có trường hợp {code}.",
                f"The procedure has no case {code}.",
            )  # fmt: skip
    channel = CHANNELS.get(body.channel)
    if channel is None:
        listed = ", ".join(CHANNELS)
        raise ApiError(
            422, "invalid_channel", f"channel phải là một trong: {listed}.",
            f"channel must be one of: {listed}.",
        )  # fmt: skip
    if body.files and channel != Channel.NATIONAL_PORTAL:
        raise ApiError(
            422, "files_portal_only", "Chỉ hồ sơ từ Cổng DVCQG kèm tệp trên Cổng.",
            "Files are for the channel portal only.",
        )  # fmt: skip
    applicant = applicant_from(body.applicant)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        # Cut short, two different keys could name one dossier: refused, never truncated.
        raise ApiError(
            422, "idempotency_key_too_long",
            f"Idempotency-Key dài tối đa {MAX_IDEMPOTENCY_KEY} ký tự.",
            f"Idempotency-Key is at most {MAX_IDEMPOTENCY_KEY} characters.",
        )  # fmt: skip
    try:
        receiving_competence_check(procedure, unit, today())
        dossier, created = services.dossier_create(
            procedure=procedure, receiving_unit=unit, applicant=applicant, channel=channel, at=now(),
            actor=user, case=case, eform_data=body.form, checklist=[str(x)[:255] for x in body.checklist][:100],
            idempotency_key=key,
        )  # fmt: skip
    except LegalLimitNeeded as error:
        raise with_limit_page(refusal(error, general="MissingInput"), procedure.code) from error
    except DomainError as error:
        raise refusal(error, general="MissingInput") from error
    if body.files:  # each post: the worker fetches what the dossier does not hold yet
        portal_files_fetch(dossier, [file.model_dump() for file in body.files])
    if not created:  # an earlier request's dossier: read as it stands now
        return 200, dossier_get(request, dossier.ref)
    # The creation keeps what it wrote on the dossier (``CreationStore.relations_keep``): the
    # answer reads nothing back. No access line: the officer wrote what it shows.
    return 201, detail_out(dossier, user)


def action_input(body: ActionIn, dossier: Dossier) -> services.ActionInput:
    name = body.assignee.strip()
    assignee = User.objects.filter(username=name).first() if name else None
    if name and assignee is None:  # told as an account that may not process there
        raise not_a_processor(name, dossier.deciding_unit)
    to_unit = Unit.objects.filter(code=body.to_unit).first() if body.to_unit else None
    if body.to_unit and to_unit is None:
        code = body.to_unit[:80]
        raise ApiError(422, "unknown_unit", f"Không có đơn vị {code}.", f"Unknown unit {code}.")
    return services.ActionInput(
        reason=body.reason[:2000], new_due=hanoi_time(body.new_due), assignee=assignee, to_unit=to_unit, back=body.back,
        amount_vnd=body.amount_vnd, items=[str(i)[:500] for i in body.items][:50], received=body.received, accept_incomplete=body.accept_incomplete,
        consultation_id=body.consultation, working_days=body.working_days, confirm=body.confirm,
    )  # fmt: skip


@router.post(
    "/dossiers/{ref}/actions/{action}",
    response={
        200: DossierOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def dossier_act(request: HttpRequest, ref: str, action: str, body: ActionIn) -> dict[str, Any]:
    """Perform one action; ``version`` must be the version you read (else 409, reload)."""
    user = acting_officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise not_visible(ref)
    if action not in services.PERFORMERS:
        name = action[:80]
        raise ApiError(
            404, "unknown_action", f"Không có thao tác {name}.", f"Unknown action {name}."
        )
    try:
        done = services.dossier_perform(
            action,
            dossier=dossier,
            actor=user,
            at=now(),
            expected_version=body.version,
            given=action_input(body, dossier),
        )
    except StaleDossier as error:
        vietnamese, english = in_languages(error.message, "The dossier changed: reload it.")
        raise ApiError(409, "stale_dossier", vietnamese, english) from error
    except DomainError as error:
        raise refusal(error) from error
    return out(done, user)


class ActionSpecOut(Schema):
    action: str
    label: str
    summary: str
    article: str
    from_states: list[str]
    by: list[str]
    inputs: list[str]
    guards: list[str]
    issues: str
    event: str
    confirm: bool


@router.get("/actions", response={200: list[ActionSpecOut]})
def action_registry(request: HttpRequest) -> list[dict[str, Any]]:
    """Every dossier action as the registry declares it: from which states, by whom (unit and
    capability, or the current step's role), its inputs (``*`` required), the rules that refuse
    it with their legal article, the form it issues and the event it publishes."""
    return [{**row, "from_states": row["from"]} for row in as_rows()]
