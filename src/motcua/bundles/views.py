"""Pages of linked bundles (liên thông, Decree 63/2024): the citizen's one form, one receipt and
one status page; the counter's reception of the same bundle; the officers' view of a bundle and
the Center's list of bundles with their SLA state. Thin: the rules are the kernel's
(``services``, ``saga``); a refusal is shown on the form, never a server error.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.accounts.validators import (
    applicant_numbers_check,
    normalise_digits,
    normalise_phone,
)
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.common.numbers import small_int
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from . import pages
from .citizen import CITIZEN
from .constants import OUTCOME_BUNDLE_STATUSES, TERMINAL_BUNDLE_STATUSES, BundleStatus
from .definitions import Definition, definition_in_force, kinds
from .errors import BundleError, DefinitionError
from .models import Bundle, BundleMember
from .selectors import (
    bundle_for_citizen,
    bundle_for_officer,
    bundle_list,
    readable_dossier_ids,
    sees_every_bundle,
)
from .services import bundle_submit, bundle_withdraw

PAGE_SIZE = 50


def definition_or_404(kind: str) -> Definition:
    try:
        return definition_in_force(kind, today())
    except (BundleError, DefinitionError) as missing:
        raise Http404(_("Không có nhóm thủ tục liên thông này.")) from missing


def form_key(request: HttpRequest) -> str:
    """The idempotency key the form carries: a second click on "Nộp" gives back the first bundle."""
    given = request.POST.get("key", "")
    return given if given.isascii() and given.isalnum() and len(given) <= 64 else ""


def members_of(bundle: Bundle) -> list[BundleMember]:
    return list(bundle.members.select_related("procedure", "unit", "dossier").order_by("order"))


# ============================================================================== citizen
def citizen(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    if permissions.is_officer(user):
        raise PermissionDenied(
            _("Cán bộ tiếp nhận hồ sơ liên thông tại quầy, không nộp trực tuyến.")
        )
    return user


@login_required
def apply(request: HttpRequest, kind: str) -> HttpResponse:
    """The one online form of a bundle: the services to choose, the facts declared once, the
    receiving ward; the applicant is the account (prefilled, never typed again)."""
    user = citizen(request)
    definition = definition_or_404(kind)
    applicant = pages.account_applicant(user)
    error = ""
    if request.method == "POST":
        services = pages.posted_services(definition, request.POST)
        subject = pages.posted_subject(definition, request.POST)
        unit_code = request.POST.get("unit", "")[:80]
        try:
            bundle = online_submit(
                user, definition, services, subject, unit_code, form_key(request)
            )
        except (DomainError, BundleError) as refused:
            error = str(refused.message)
        else:
            CITIZEN.draft_done(user, request.POST.get("nhap", ""))
            messages.success(
                request,
                _("Đã nộp hồ sơ liên thông. Số tham chiếu %(ref)s; %(unit)s sẽ tiếp nhận và báo "
                  "mã hồ sơ, ngày hẹn trả.") % {"ref": bundle.ref, "unit": bundle.receiving_unit.name},
            )  # fmt: skip
            return redirect("bundles:mine", ref=bundle.ref)
        form = pages.bundle_form(
            definition, chosen=services, subject=subject, unit_code=unit_code, applicant=applicant
        )
    else:
        chosen, subject = prefill(request, definition, user)
        form = pages.bundle_form(
            definition, chosen=chosen, subject=subject, unit_code=pages.account_unit_code(user),
            applicant=applicant,
        )  # fmt: skip
    context = {
        "form": form, "definition": definition, "error": error, "key": secrets.token_hex(16),
        "wards": pages.receiving_wards(today()), "counter": False,
        "draft_key": request.POST.get("nhap", request.GET.get("nhap", ""))[:40],
    }  # fmt: skip
    return render(request, "bundles/apply.html", context, status=400 if error else 200)


def prefill(
    request: HttpRequest, definition: Definition, user: User
) -> tuple[list[str] | None, dict[str, str]]:
    """What the form opens with: the account's facts, and those of the birth or death draft the
    citizen came from (its boxes chose the services)."""
    subject = pages.account_subject(definition, user)
    chosen: list[str] | None = None
    draft_key = request.GET.get("nhap", "")
    if draft_key:
        found = CITIZEN.draft_facts(user, draft_key, definition)
        if found is not None:
            chosen, facts = found
            subject |= facts
    asked = request.GET.getlist("dich-vu")
    if asked:
        chosen = asked
    return chosen, subject


def online_submit(
    user: User, definition: Definition, services: list[str], subject: dict[str, str],
    unit_code: str, key: str,
) -> Bundle:  # fmt: skip
    unit = pages.receiving_wards(today()).filter(code=unit_code).first()
    if unit is None:
        raise DomainError(_("Hãy chọn phường, xã nơi tiếp nhận hồ sơ."))
    applicant = pages.account_applicant(user)
    bundle, _created = bundle_submit(
        kind=definition.kind, services=services, receiving_unit=unit, channel=Channel.ONLINE,
        applicant=Applicant(**applicant), subject=subject, actor=user, at=now(), owner=user,
        idempotency_key=key,
    )  # fmt: skip
    return bundle


def citizen_bundle(request: HttpRequest, ref: str) -> Bundle:
    """The citizen's bundle (``selectors.bundle_for_citizen``); else 404, never "not yours"."""
    found = bundle_for_citizen(request.user, ref)  # type: ignore[arg-type]  # login_required
    if found is None:
        raise Http404(_("Không có hồ sơ liên thông này trong tài khoản của bạn."))
    return found


@login_required
def mine(request: HttpRequest, ref: str) -> HttpResponse:
    """One page for the whole bundle: each agency's progress and results."""
    bundle = citizen_bundle(request, ref)
    members = members_of(bundle)
    rows = pages.member_rows(bundle, members)
    files = result_files(members)
    for row in rows:
        row.files = files.get(row.member.pk, [])
    context = {
        "bundle": bundle, "rows": rows, "results": bool(files),
        "can_withdraw": can_withdraw(bundle), "status_label": BundleStatus(bundle.status).label,
        "root": members[0] if members else None, "apologies": pages.apology_lines(rows),
        "rateable": bundle.status in OUTCOME_BUNDLE_STATUSES,
    }  # fmt: skip
    return render(request, "bundles/mine.html", context)


def result_files(members: list[BundleMember]) -> dict[int, list[DossierDocument]]:
    """The result files the citizen may download, by member: those handed over (returned)."""
    returned = {
        m.dossier_id: m for m in members if m.dossier and m.dossier.status == Status.RETURNED
    }
    files: dict[int, list[DossierDocument]] = {}
    if not returned:
        return files
    rows = DossierDocument.objects.filter(
        dossier_id__in=list(returned), kind=DossierDocument.Kind.RESULT
    ).only("pk", "name", "dossier_id", "size")
    for document in rows:
        files.setdefault(returned[document.dossier_id].pk, []).append(document)
    return files


def can_withdraw(bundle: Bundle) -> bool:
    return not bundle.withdrawn and bundle.status not in TERMINAL_BUNDLE_STATUSES


@login_required
def receipt(request: HttpRequest, ref: str) -> HttpResponse:
    """The one receipt: the bundle's code, the whole bundle's appointment, each procedure."""
    bundle = citizen_bundle(request, ref)
    return receipt_page(request, bundle, members_of(bundle))


def receipt_page(request: HttpRequest, bundle: Bundle, members: list[BundleMember]) -> HttpResponse:
    rows = pages.member_rows(bundle, members)
    limits = {m.get("service"): m for m in bundle.definition.get("members", [])}
    return render(
        request, "bundles/receipt.html",
        {"bundle": bundle, "rows": rows, "limits": limits, "root": members[0] if members else None},
    )  # fmt: skip


@login_required
@require_POST
def withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    bundle = citizen_bundle(request, ref)
    try:
        if request.POST.get("confirm") != "on":
            raise DomainError(_("Hãy đánh dấu xác nhận trước khi rút hồ sơ liên thông."))
        bundle_withdraw(
            bundle=bundle, actor=request.user, at=now(),  # type: ignore[arg-type]
            reason=request.POST.get("reason", "")[:500],
            expected_version=int_or_none(request.POST.get("version", "")),
        )  # fmt: skip
    except (DomainError, BundleError) as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Đã dừng các thủ tục chưa có quyết định của hồ sơ liên thông."))
    return redirect("bundles:mine", ref=bundle.ref)


def int_or_none(raw: str) -> int | None:
    return small_int(raw)


# ============================================================================== officers
def officer(request: HttpRequest) -> User:
    if not permissions.is_officer(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    return request.user  # type: ignore[return-value]


def counter_units(user: User) -> list[Unit]:
    """The wards and communes where the officer receives dossiers."""
    ids = permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER)
    return list(
        Unit.objects.filter(pk__in=ids, kind__in=(UnitKind.WARD, UnitKind.COMMUNE)).order_by("name")
    )


@login_required
def counter(request: HttpRequest, kind: str) -> HttpResponse:
    """The same bundle received at the counter: the applicant is typed, the bundle is received
    at once and the applicant leaves with its code and appointment."""
    user = officer(request)
    definition = definition_or_404(kind)
    units = counter_units(user)
    if not units:
        raise PermissionDenied(
            _("Hồ sơ liên thông được tiếp nhận tại bộ phận một cửa của phường, xã; bạn không "
              "tiếp nhận hồ sơ ở phường, xã nào.")
        )  # fmt: skip
    error = ""
    applicant = {k: request.POST.get(k, "")[:254] for k in ("name", "id_number", "phone", "email", "address")}  # fmt: skip
    services: list[str] | None = None
    subject: dict[str, str] = {}
    unit_code = units[0].code if len(units) == 1 else ""
    if request.method == "POST":
        services = pages.posted_services(definition, request.POST)
        subject = pages.posted_subject(definition, request.POST)
        unit_code = request.POST.get("unit", unit_code)[:80]
        try:
            bundle = counter_submit(user, definition, services, subject, units, unit_code, applicant, form_key(request))  # fmt: skip
        except (DomainError, BundleError) as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ liên thông %(code)s.") % {"code": bundle.code or bundle.ref},
            )
            return redirect("bundles:officer-detail", ref=bundle.ref)
    form = pages.bundle_form(
        definition, chosen=services, subject=subject, unit_code=unit_code, applicant=applicant
    )
    context = {
        "form": form, "definition": definition, "error": error, "key": secrets.token_hex(16),
        "wards": units, "counter": True,
    }  # fmt: skip
    return render(request, "bundles/apply.html", context, status=400 if error else 200)


def counter_submit(
    user: User, definition: Definition, services: list[str], subject: dict[str, str],
    units: list[Unit], unit_code: str, typed: dict[str, str], key: str,
) -> Bundle:  # fmt: skip
    unit = next((u for u in units if u.code == unit_code), None)
    if unit is None:
        raise DomainError(_("Chọn phường, xã tiếp nhận."))
    bundle, _created = bundle_submit(
        kind=definition.kind, services=services, receiving_unit=unit, channel=Channel.COUNTER,
        applicant=counter_applicant(typed), subject=subject, actor=user, at=now(),
        idempotency_key=key,
    )  # fmt: skip
    return bundle


def counter_applicant(typed: dict[str, str]) -> Applicant:
    """The applicant as typed at the counter, checked as the dossier reception checks it."""
    name = " ".join(typed.get("name", "").split())[:200]
    if not name:
        raise DomainError(_("Nhập họ tên người nộp hồ sơ."))
    id_number = normalise_digits(typed.get("id_number", ""))
    phone = normalise_phone(typed.get("phone", ""))
    try:
        applicant_numbers_check(id_number, phone)
    except ValidationError as invalid:
        raise DomainError(" ".join(invalid.messages)) from invalid
    return Applicant(
        name=name, id_number=id_number, phone=phone, email=typed.get("email", "").strip()[:254],
        address=typed.get("address", "").strip()[:500],
    )  # fmt: skip


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    """The Center sees every bundle; a member unit's officers see theirs: each with its members'
    states and where the whole stands against its limit."""
    user = officer(request)
    try:
        known = kinds()
    except DefinitionError:
        known = []
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    kind = kind if kind in known else ""
    status = status if status in BundleStatus.values else ""
    page_raw = request.GET.get("page", "1")
    page = small_int(page_raw, digits=6) or 1
    page = max(page, 1)
    rows, total = bundle_list(user, kind=kind, status=status, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)  # fmt: skip
    at = now()
    items = [(b, pages.sla_of(b, at), pages.member_rows(b, b.members.all())) for b in rows]
    context = {
        "items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "kind": kind, "status": status, "kinds": known, "statuses": BundleStatus.choices,
        "whole_city": sees_every_bundle(user), "now": at,
        "can_receive": bool(counter_units(user)),
    }  # fmt: skip
    return render(request, "bundles/officer_list.html", context)


@login_required
def officer_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = officer(request)
    bundle = bundle_for_officer(user, ref[:80])
    if bundle is None:
        raise Http404(_("Không có hồ sơ liên thông %(ref)s trong đơn vị của bạn.") % {"ref": ref})
    members = members_of(bundle)
    readable = readable_dossier_ids(user, [bundle])
    at = now()
    context = {
        "bundle": bundle, "rows": pages.member_rows(bundle, members), "readable": readable,
        "sla": pages.sla_of(bundle, at), "late": {m.pk for m in pages.late_members(members, at)},
        "events": list(bundle.events.order_by("seq")),
        "status_label": BundleStatus(bundle.status).label,
    }  # fmt: skip
    return render(request, "bundles/officer_detail.html", context)


@login_required
def officer_receipt(request: HttpRequest, ref: str) -> HttpResponse:
    """The receipt printed at the counter for the applicant (the same page the citizen sees)."""
    user = officer(request)
    bundle = bundle_for_officer(user, ref[:80])
    if bundle is None:
        raise Http404
    return receipt_page(request, bundle, members_of(bundle))


def context_for_dossier(dossier: Dossier, user: User) -> dict[str, Any] | None:
    """The bundle around a member dossier, for the dossier's page: the bundle's code, every
    member's agency and state, and links to the members this officer may read. Nothing is read
    for a dossier that is not a member (its form carries no bundle marker)."""
    form = dossier.eform_data if isinstance(dossier.eform_data, dict) else {}
    marker = form.get("bundle")
    if not isinstance(marker, dict) or not isinstance(marker.get("id"), int):
        return None
    bundle = Bundle.objects.filter(pk=marker["id"], members__dossier=dossier).first()
    if bundle is None:
        return None
    members = members_of(bundle)
    return {
        "bundle": bundle, "rows": pages.member_rows(bundle, members),
        "readable": readable_dossier_ids(user, [bundle]) | {dossier.pk}, "dossier": dossier,
        "subject": subject_lines(bundle), "upstream": form.get("upstream") or {},
        "status_label": BundleStatus(bundle.status).label,
    }  # fmt: skip


def subject_lines(bundle: Bundle) -> list[tuple[str, str]]:
    """The facts declared once, labelled as the definition the bundle was received under."""
    labels = {f.get("name"): f.get("label") for f in bundle.definition.get("subject", [])}
    return [(str(labels.get(k, k)), str(v)) for k, v in bundle.subject.items()]


def worklist_context(rows: list[dict[str, Any]]) -> None:
    """Marks the worklist's member rows with their bundle (code, the other members' states)
    in one query, made only when a row of the page is a member (``bundle_marker``)."""
    markers = (small_int(r.get("bundle_marker"), digits=18) for r in rows)
    wanted = {marker for marker in markers if marker is not None}
    if not wanted:
        return
    members = BundleMember.objects.filter(bundle_id__in=wanted).select_related("bundle", "unit")
    by_bundle: dict[int, list[BundleMember]] = {}
    for member in members.order_by("bundle_id", "order"):
        by_bundle.setdefault(member.bundle_id, []).append(member)
    for row in rows:
        marker = str(row.get("bundle_marker") or "")
        number = small_int(marker, digits=18)
        found = by_bundle.get(number) if number is not None else None
        if found and any(m.dossier_id == row["id"] for m in found):
            row["bundle_view"] = {
                "bundle": found[0].bundle,
                "others": [m for m in found if m.dossier_id != row["id"]],
            }
