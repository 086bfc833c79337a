"""Linked bundles (liên thông, Decree 63/2024) for officers and integrators: submit one
application over several agencies' procedures, read it, list them.

The kinds, services, subject fields and limits come from the bundle definitions
(``data/bundles.yaml``, ``docs/bundles.md``); a refusal says what to send, in Vietnamese and
English, never a server error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.accounts.models import User
from motcua.bundles.constants import BundleStatus
from motcua.bundles.definitions import kinds
from motcua.bundles.errors import BundleError, DefinitionError
from motcua.bundles.models import Bundle, BundleMember
from motcua.bundles.selectors import bundle_for_officer, bundle_list, readable_dossier_ids
from motcua.bundles.services import bundle_submit
from motcua.common.clock import now
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers.constants import Channel
from motcua.dossiers.replay import iso_local
from motcua.organizations.models import Unit

from .auth import SessionAuth, TokenAuth
from .dossiers import acting_officer, officer
from .errors import ApiError, refusal
from .inputs import ApplicantIn, applicant_from
from .schemas import ErrorOut

router = Router(tags=["bundles"], auth=[TokenAuth(), SessionAuth()])
MAX_PAGE_SIZE = 200


class BundleIn(Schema):
    kind: str = Field(description="birth | death (docs/bundles.md)", max_length=32)
    services: list[str] = Field(
        description="birth_registration, permanent_residence, health_insurance_card; "
        "death_registration, residence_removal, funeral_allowance, survivor_allowance",
        max_length=10,
    )
    unit: str = Field(description="the receiving ward or commune (unit code)", max_length=80)
    channel: str = Field("counter", description="counter | online", max_length=20)
    applicant: ApplicantIn
    subject: dict[str, Any] = Field(
        default_factory=dict,
        description="facts about the child or the deceased, as docs/bundles.md lists them",
    )


class MemberOut(Schema):
    service: str
    procedure: str
    unit: str
    dossier_ref: str | None = Field(
        description="the member's dossier, when you may read it (null before it starts)"
    )
    status: str = Field(
        description="the member dossier's status (new, received, processing, …); "
        "waiting or cancelled while it has no dossier"
    )
    national_status: int | None = Field(description="TrangThaiHoSo 1–10 of the member dossier")
    due_at: str | None


class BundleOut(Schema):
    ref: str
    code: str | None = Field(description="the first member's dossier code, from reception")
    kind: str
    status: str = Field(description=", ".join(BundleStatus.values))
    due_at: str | None
    members: list[MemberOut]


class BundleListOut(Schema):
    items: list[BundleOut]
    page: int
    page_size: int
    total: int
    pages: int


class BundleListParams(Schema):
    kind: str = ""
    status: str = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def member_out(member: BundleMember, readable: set[int]) -> dict[str, Any]:
    dossier = member.dossier
    return {
        "service": member.service,
        "procedure": member.procedure.code,
        "unit": member.unit.code,
        "dossier_ref": dossier.ref if dossier is not None and dossier.pk in readable else None,
        "status": dossier.status if dossier is not None else member.state,
        "national_status": dossier.national_status if dossier is not None else None,
        "due_at": iso_local(member.due_at),
    }


def bundle_out(bundle: Bundle, readable: set[int]) -> dict[str, Any]:
    return {
        "ref": bundle.ref,
        "code": bundle.code,
        "kind": bundle.kind,
        "status": bundle.status,
        "due_at": iso_local(bundle.due_at),
        "members": [member_out(m, readable) for m in bundle.members.all()],
    }


def detail(user: User, ref: str) -> dict[str, Any]:
    bundle = bundle_for_officer(user, ref)
    if bundle is None:
        raise ApiError(
            404, "not_found", f"Không có hồ sơ liên thông {ref} trong đơn vị của bạn.",
            f"No linked bundle {ref} in your units.",
        )  # fmt: skip
    return bundle_out(bundle, readable_dossier_ids(user, [bundle]))


def refused(error: DomainError) -> ApiError:
    if isinstance(error, BundleError):
        return ApiError(422, error.code, str(error.message), error.message_en)
    if isinstance(error, NotAllowed):
        return refusal(error, "You may not do this here.")
    return refusal(error, "The request was refused by a one-stop rule.")


@router.post(
    "/bundles",
    response={
        200: BundleOut,
        201: BundleOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ErrorOut,
        503: ErrorOut,
    },
)
def bundle_create(request: HttpRequest, body: BundleIn) -> tuple[int, dict[str, Any]]:
    """Submit a linked bundle at a ward or commune (Decree 63/2024): the first member's dossier
    is created there — at the counter received at once, with the bundle's code and due date —
    and each other member starts at its agency when the member before it has its result. Send an
    ``Idempotency-Key`` header: the same key gives back the same bundle (200) instead of a second
    one (201)."""
    user = acting_officer(request)
    unit = Unit.objects.filter(code=body.unit).first()
    if unit is None:
        raise ApiError(
            422, "unknown_unit", f"Không có đơn vị {body.unit}.", f"Unknown unit {body.unit}."
        )
    channels = {"counter": Channel.COUNTER, "online": Channel.ONLINE}
    if body.channel not in channels:
        raise ApiError(
            422, "invalid_channel", "channel phải là counter hoặc online.",
            "channel must be counter or online.",
        )  # fmt: skip
    applicant = applicant_from(body.applicant)
    try:
        bundle, created = bundle_submit(
            kind=body.kind, services=[str(s)[:40] for s in body.services], receiving_unit=unit,
            channel=channels[body.channel], applicant=applicant, subject=body.subject, actor=user,
            at=now(), idempotency_key=request.headers.get("Idempotency-Key", ""),
        )  # fmt: skip
    except DomainError as error:
        raise refused(error) from error
    except DefinitionError as error:
        raise ApiError(
            503, "definitions_invalid", "Định nghĩa nhóm thủ tục liên thông đang lỗi cấu hình.",
            "The bundle definitions are misconfigured.",
        ) from error  # fmt: skip
    return (201 if created else 200), detail(user, bundle.ref)


@router.get(
    "/bundles/{ref}", response={200: BundleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def bundle_get(request: HttpRequest, ref: str) -> dict[str, Any]:
    """One bundle (by reference or code) with every member's service, unit, status and due date;
    the dossier references of the members you may read."""
    return detail(officer(request), ref[:80])


@router.get(
    "/bundles",
    response={200: BundleListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 503: ErrorOut},
)
def bundle_index(request: HttpRequest, params: Query[BundleListParams]) -> dict[str, Any]:
    """Bundles for officers of the Center (all) and of the receiving or member units (theirs),
    newest first; filter by ``kind`` and ``status``."""
    user = officer(request)
    try:
        known = kinds()
    except DefinitionError as error:
        raise ApiError(
            503, "definitions_invalid", "Định nghĩa nhóm thủ tục liên thông đang lỗi cấu hình.",
            "The bundle definitions are misconfigured.",
        ) from error  # fmt: skip
    allowed = {"kind": ["", *known], "status": ["", *BundleStatus.values]}
    for name, values in allowed.items():
        if getattr(params, name) not in values:
            listed = ", ".join(v for v in values if v)
            raise ApiError(
                422, "invalid_input", f"{name} phải là một trong: {listed}.",
                f"{name} must be one of: {listed}.",
            )  # fmt: skip
    offset = (params.page - 1) * params.page_size
    page, total = bundle_list(
        user, kind=params.kind, status=params.status, offset=offset, limit=params.page_size
    )
    readable = readable_dossier_ids(user, page)
    return {
        "items": [bundle_out(b, readable) for b in page],
        "page": params.page,
        "page_size": params.page_size,
        "total": total,
        "pages": max(1, -(-total // params.page_size)),
    }
