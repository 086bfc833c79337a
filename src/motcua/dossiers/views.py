"""Officer workspace for dossiers: worklists, a dossier's page with its allowed actions, counter
reception. Thin views: they parse input, call one service or selector, and render."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import permissions
from motcua.accounts.constants import Capability, OfficerRoleName
from motcua.accounts.models import User
from motcua.accounts.selectors import officers_holding
from motcua.catalog import eform_answers as eform
from motcua.catalog.selectors import procedure_requirements
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.common.numbers import small_int
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

from . import extensions, services, steps
from .access import access_record
from .actions import ActionSpec
from .constants import Action, Channel, Status
from .legal_forms import forms_available, issued_pdf, legal_form_pdf
from .models import Dossier, DossierAccess
from .reading import dossier_read
from .selectors import (
    SORTS,
    STEP_ROLES,
    TABS,
    PageCursor,
    PageTokenError,
    WorklistFilters,
    dossier_for_officer,
    dossier_worklist,
    due_day_out_of_range,
    list_rows,
    page_cursor,
)
from .tracking_book import (
    FORMATS,
    BookJob,
    book_job,
    book_request,
    sync_rows,
    tracking_book_pdf,
    tracking_book_size,
    tracking_book_xlsx,
)


def officer(request: HttpRequest) -> User:
    if not permissions.is_officer(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    return request.user  # type: ignore[return-value]


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Tabs with counts, search, filters, sort and pages. With htmx (tabs, pages, the filter
    form) only the list part is sent back; without JavaScript the same links and GET form
    reload the page."""
    user = officer(request)
    asked = worklist_request(request)
    result = dossier_worklist(
        user=user, tab=asked.tab, query=asked.query, at=now(), page=asked.page,
        sort=asked.sort, filters=asked.filters, cursor=asked.cursor, rows=list_rows,
    )  # fmt: skip
    extensions.worklist_rows_mark(result.dossiers)  # e.g. bundle members (no query otherwise)
    total = f"{result.total:,}".replace(",", ".")  # 2.060, as Vietnamese writes it
    context = {
        "tabs": [
            (key, label, f"{result.counts.get(key, 0)}{'+' if key in result.capped else ''}")
            for key, label in TABS
        ],
        "result": result,
        "query": asked.query,
        "asked": asked,
        "sorts": SORTS,
        "statuses": Status.choices,
        "channels": Channel.choices,
        "step_roles": [(role, OfficerRoleName(role).label) for role in STEP_ROLES],
        "step_orders": [str(order) for order in range(1, 7)],
        "tab_label": dict(TABS).get(result.tab, ""),
        "total_text": total if result.total_exact else _("hơn %(n)s") % {"n": total},
        "now": now(),
    }
    htmx = getattr(request, "htmx", None)
    # A history restore (back button after htmx swaps) needs the whole page.
    context["partial"] = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "dossiers/_worklist.html" if context["partial"] else "dossiers/worklist.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class WorklistRequest:
    """The worklist's GET parameters, checked; ``errors`` explain the dates that were dropped."""

    tab: str
    query: str
    page: int
    sort: str
    filters: WorklistFilters
    due_from: str
    due_to: str
    errors: dict[str, str]
    cursor: PageCursor | None = None


def worklist_request(request: HttpRequest) -> WorklistRequest:
    get = request.GET
    query = get.get("q", "")[:100]
    # A search without a chosen tab looks through every dossier the officer can see; no tab and
    # no search: the selector opens "mine", or "to receive" when nothing is mine yet.
    tab = get.get("tab") or ("all" if query.strip() else "auto")
    errors: dict[str, str] = {}
    due_from, due_to = get.get("due_from", "")[:10], get.get("due_to", "")[:10]
    filters = WorklistFilters(
        procedure=get.get("procedure", "")[:30], step=get.get("step", "")[:20],
        status=get.get("status", "")[:30], channel=get.get("channel", "")[:30],
        due_from=day_or_error(due_from, "due_from", errors), due_to=day_or_error(due_to, "due_to", errors),
    )  # fmt: skip
    page = get.get("page", "1")
    sort = get.get("sort", "due")[:20]
    try:
        cursor = page_cursor(get.get("page_token", ""), sort if sort in dict(SORTS) else "due", tab)
    except PageTokenError:
        cursor = None
        errors["page_token"] = str(PageTokenError.message)
    return WorklistRequest(
        tab=tab, query=query, page=small_int(page, digits=6) or 1,
        sort=sort, filters=filters.cleaned(), due_from=due_from, due_to=due_to, errors=errors,
        cursor=cursor,
    )  # fmt: skip


def day_or_error(raw: str, name: str, errors: dict[str, str]) -> datetime.date | None:
    """A day typed as dd/mm/yyyy (or yyyy-mm-dd); else None, and why in ``errors``."""
    text = raw.strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not due_day_out_of_range(day):
            return day
        errors[name] = _("Ngày phải từ 01/01/1900 đến 31/12/9998.")
        return None
    errors[name] = _("Ngày phải có dạng dd/mm/yyyy, ví dụ 05/03/2026.")
    return None


@login_required
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = officer(request)
    dossier = dossier_read(user, ref, page=True)
    if dossier is None:
        raise Http404(_("Không có hồ sơ %(ref)s trong các đơn vị của bạn.") % {"ref": ref})
    moment = now()
    access_record(user=user, dossier=dossier, what=DossierAccess.What.PAGE)
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "actions": action_forms(dossier, user, moment),
            "steps": services.steps_of(dossier),
            "holder": holder_view(dossier),
            "visits": list(dossier.step_visits.all()),  # read with the dossier, units included
            "consultations": list(dossier.consultations.all()),
            "issued": list(dossier.issued_documents.all()),
            "supplement_items": dossier.supplement_items or [],
            "missing": services.missing_items(dossier.supplement_items or []),
            "events": list(dossier.events.all()),
            "forms": forms_available(dossier),
            "documents": list(dossier.documents.all()),
            "groups": eform.form_groups(dossier.procedure.eform_schema, dossier.eform_data, {})
            if dossier.eform_data
            else [],
            "can_attach": services.can_attach(dossier, user),
            "requirements": procedure_requirements(dossier.procedure_id),
            "now": moment,
        }
        | extensions.panels_for(dossier, user),
    )


def holder_view(dossier: Dossier) -> dict[str, Any] | None:
    held = steps.holder(dossier)
    if held is None:
        return None
    loaded = (dossier.receiving_unit, dossier.deciding_unit, dossier.pending_unit)
    unit = next((u.name for u in loaded if u is not None and u.pk == held.unit_id), None)
    if unit is None:
        unit = Unit.objects.filter(pk=held.unit_id).values_list("name", flat=True).first()
    return {"unit": unit, "step": held.step, "role": OfficerRoleName(held.role).label,
            "assignee": held.assignee, "until": held.until}  # fmt: skip


@dataclass(frozen=True)
class ActionForm:
    """An offered action with what its form needs: the registry's spec and the choices."""

    spec: ActionSpec
    choices: dict[str, list[tuple[str, str]]]
    # Why the action cannot be taken yet, and what to do first: said instead of its button.
    blocked: str = ""

    @property
    def fields(self) -> list[tuple[Any, list[tuple[str, str]]]]:
        return [(item, self.choices.get(item.name, [])) for item in self.spec.inputs]

    @property
    def multipart(self) -> bool:
        return any(item.kind == "file" for item in self.spec.inputs)


def action_forms(dossier: Dossier, user: User, at: datetime.datetime) -> list[ActionForm]:
    forms = []
    for spec in services.offered_specs(dossier, user, at):
        choices: dict[str, list[tuple[str, str]]] = {}
        for item in spec.inputs:
            if item.kind == "user":
                choices[item.name] = assignable(dossier)
            elif item.kind == "unit":
                targets = (
                    services.transfer_targets(dossier)
                    if spec.action == Action.TRANSFER
                    else services.consult_targets(dossier)
                )
                choices[item.name] = [(u.code, u.name) for u in targets.only("code", "name")]
            elif item.kind == "consultation":
                choices[item.name] = consultation_choices(dossier, user)
            elif item.kind == "items":
                choices[item.name] = [
                    (e["item"], e["item"])
                    for e in dossier.supplement_items or []
                    if not e.get("received_at")
                ]
        forms.append(ActionForm(spec, choices, blocked=not_yet(spec, dossier)))
    return forms  # fmt: skip


def not_yet(spec: ActionSpec, dossier: Dossier) -> str:
    """An offered action the kernel would refuse until the officer does something first (asked
    of one dossier's page, not of every worklist row)."""
    if spec.action == Action.RETURN_RESULT and services.result_missing(dossier):
        return str(services.RESULT_MISSING)
    return ""


def assignable(dossier: Dossier) -> list[tuple[str, str]]:
    """The officers an assignment may name, each told apart: two officers of one name (common
    enough in Vietnam) show their sign-in names too."""
    people = list(officers_holding(dossier.deciding_unit, ["specialist", "division_head"], today()))
    names = [p.get_full_name() or p.username for p in people]
    shared = {name for name in names if names.count(name) > 1}
    return [
        (p.username, f"{name} ({p.username})" if name in shared else name)
        for p, name in zip(people, names, strict=True)
    ]


def consultation_choices(dossier: Dossier, user: User) -> list[tuple[str, str]]:
    mine = permissions.unit_ids_with(user, Capability.PROCESS_DOSSIER)
    return [
        (str(c.pk), f"{c.unit.name}: {c.question[:80]}")
        for c in dossier.consultations.all()
        if c.answered_at is None and c.unit_id in mine
    ]


def parse_new_due(raw: str) -> datetime.datetime:
    """dd/mm/yyyy (or yyyy-mm-dd) → 17:00 of that day in Hà Nội."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.datetime.strptime(raw.strip(), pattern)
        except ValueError:
            continue
        return day.replace(hour=17, tzinfo=VIETNAM_OFFSET)
    raise DomainError(_("Ngày hẹn mới phải là một ngày có thật, dạng dd/mm/yyyy."))


def int_field(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "").replace(".", "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 13):
        raise DomainError(_("Số tiền phải là số nguyên (đồng), không quá 13 chữ số."))
    return int(raw)


def book_unit(request: HttpRequest, code: str, year: int, fmt: str) -> Unit:
    """The unit whose tracking book the officer may read (reception or the unit's dossiers)."""
    user = officer(request)
    if fmt not in FORMATS or not 2000 <= year <= 2100:
        raise Http404
    unit = Unit.objects.filter(code=code).first()
    allowed = unit is not None and (
        permissions.has_capability(user, Capability.RECEIVE_DOSSIER, unit)
        or permissions.has_capability(user, Capability.VIEW_UNIT_DOSSIERS, unit)
    )
    if not allowed or unit is None:
        raise PermissionDenied(_("Bạn không có quyền xem sổ theo dõi của đơn vị này."))
    return unit


@login_required
def tracking_book(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """A small book at once; a large one (more than ``MOTCUA_TRACKING_BOOK_SYNC_ROWS`` rows) is
    prepared by the worker: 202 and a page that follows it until the file can be downloaded."""
    unit = book_unit(request, code, year, fmt)
    rows = tracking_book_size(unit, year)
    if rows <= sync_rows():
        body = tracking_book_xlsx(unit, year) if fmt == "xlsx" else tracking_book_pdf(unit, year)
        response = HttpResponse(body, content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{book_filename(unit, year, fmt)}"'
        return response
    job = book_request(unit, year, fmt, rows=rows, renew=request.GET.get("lam-moi") == "1")
    return book_page(request, unit, year, fmt, job)


def book_filename(unit: Unit, year: int, fmt: str) -> str:
    return f"so-theo-doi-{unit.code}-{year}.{fmt}"


def book_page(request: HttpRequest, unit: Unit, year: int, fmt: str, job: BookJob) -> HttpResponse:
    """The waiting page (or, for htmx polling, only its status part). 202 while the book is
    being prepared."""
    context = {
        "unit": unit, "year": year, "fmt": fmt, "job": job, "now": now(),
        "lost": job.lost(now()), "label": "Excel" if fmt == "xlsx" else "PDF",
    }  # fmt: skip
    htmx = getattr(request, "htmx", None)
    template = "dossiers/_tracking_book_status.html" if htmx else "dossiers/tracking_book.html"
    response = render(request, template, context, status=202 if job.state == "queued" else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def tracking_book_status(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    unit = book_unit(request, code, year, fmt)
    return book_page(request, unit, year, fmt, book_job(unit, year, fmt))


@login_required
def tracking_book_download(request: HttpRequest, code: str, year: int, fmt: str) -> FileResponse:
    """The book the worker prepared, streamed from media storage."""
    unit = book_unit(request, code, year, fmt)
    job = book_job(unit, year, fmt)
    if job.state != "ready" or not job.file or not default_storage.exists(job.file):
        raise Http404(_("Sổ theo dõi này chưa được chuẩn bị."))
    return FileResponse(
        default_storage.open(job.file, "rb"), as_attachment=True,
        filename=book_filename(unit, year, fmt), content_type=FORMATS[fmt],
    )  # fmt: skip


@login_required
def legal_form(request: HttpRequest, ref: str, form: str) -> HttpResponse:
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise Http404
    try:
        pdf = legal_form_pdf(dossier, form)
    except DomainError as error:
        raise Http404(str(error.message)) from error
    access_record(user=user, dossier=dossier, what=DossierAccess.What.FORM, item=form)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code or dossier.ref}-{form}.pdf"'
    return response


@login_required
def issued(request: HttpRequest, ref: str, pk: int) -> HttpResponse:
    """One issued document, exactly as it was issued (its stored PDF)."""
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    document = dossier.issued_documents.filter(pk=pk).first() if dossier else None
    if dossier is None or document is None:
        raise Http404
    access_record(user=user, dossier=dossier, what=DossierAccess.What.FORM, item=str(document))
    response = HttpResponse(issued_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{document.kind}-{document.seq}-{document.year}.pdf"'
    )
    return response


@login_required
@require_POST
def attach(request: HttpRequest, ref: str) -> HttpResponse:
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise Http404
    upload = request.FILES.get("file")
    try:
        if not isinstance(upload, UploadedFile):
            raise DomainError(_("Chọn tệp giấy tờ để đính kèm."))
        requirement = request.POST.get("requirement", "")
        services.dossier_attach(
            dossier=dossier, actor=user, at=now(), upload=upload, name=request.POST.get("name", ""),
            kind=request.POST.get("kind", "input"), requirement_id=small_int(requirement),
            digitised_at_counter=request.POST.get("digitised") == "on", expected_version=None,
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã đính kèm giấy tờ."))
    return redirect("dossiers:detail", ref=dossier.ref)


@login_required
def document(request: HttpRequest, ref: str, pk: int) -> FileResponse:
    """A dossier's file, only to officers who can see the dossier (files are never public)."""
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    found = dossier.documents.filter(pk=pk).first() if dossier else None
    if dossier is None or found is None:
        raise Http404
    access_record(user=user, dossier=dossier, what=DossierAccess.What.FILE, item=found.name)
    return FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        filename=found.original_filename or found.name,
    )


def form_input(request: HttpRequest) -> services.ActionInput:
    """The action's inputs from the form the registry rendered (names as in ``actions.Input``)."""
    post = request.POST
    new_due = parse_new_due(post["new_due"]) if post.get("new_due") else None
    assignee = (
        User.objects.filter(username=post["assignee"]).first() if post.get("assignee") else None
    )
    to_unit = Unit.objects.filter(code=post["to_unit"]).first() if post.get("to_unit") else None
    if post.get("to_unit") and to_unit is None:
        raise DomainError(_("Không có đơn vị %(code)s.") % {"code": post["to_unit"][:60]})
    amount = int_field(request, "amount_vnd") if post.get("amount_vnd") else 0
    consultation = post.get("consultation", "")
    upload = request.FILES.get("document")
    return services.ActionInput(
        reason=post.get("reason", "")[:2000], new_due=new_due, assignee=assignee, to_unit=to_unit,
        amount_vnd=amount, items=[line.strip()[:500] for line in post.get("items", "").splitlines() if line.strip()][:50],
        received=post.getlist("received") if "received_present" in post else None,
        consultation_id=small_int(consultation),
        working_days=small_int(post.get("working_days", "")) or 3,
        confirm=post.get("confirm") == "on", accept_incomplete=post.get("accept_incomplete") == "on", upload=upload if isinstance(upload, UploadedFile) else None,
    )  # fmt: skip


@login_required
@require_POST
def act(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    user = officer(request)
    dossier = dossier_for_officer(user, ref)
    if dossier is None:
        raise Http404
    if action not in Action.values:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # a form without version is as stale as an old one
    try:
        done = services.dossier_perform(
            action, dossier=dossier, actor=user, at=now(), expected_version=version,
            given=form_input(request),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": Action(action).label})
        dossier = done
    if dossier_for_officer(user, dossier.ref) is None:
        # Sent to another unit: this officer no longer sees it; back to the worklist.
        return redirect("dossiers:worklist")
    return redirect("dossiers:detail", ref=dossier.ref)
