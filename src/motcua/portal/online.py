"""Pages of online submission, the supplement reply and the citizen's files. Thin: the rules live
in ``submission`` and ``supplement``."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.catalog import eform_answers as eform
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import online_submission_open, procedure_detail
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.common.files import max_upload_bytes
from motcua.common.numbers import small_int
from motcua.common.text import vietnamese_key
from motcua.dossiers.constants import Status
from motcua.dossiers.legal_forms import LegalForm, forms_available, legal_form_pdf
from motcua.dossiers.models import Dossier, DossierDocument

from . import population, submission, supplement
from .bundle_drafts import ROUTES, bundle_url
from .models import Draft
from .services import citizen_dossiers

logger = logging.getLogger(__name__)
# The four pages online submission once had, by their addresses' last part, and where each
# now is on the one page: links in old e-mails and bookmarks still land where they meant.
OLD_STEPS = {"noi-nop": "#noi-nop", "to-khai": "#to-khai", "giay-to": "#giay-to", "xem-lai": ""}
# A result is the applicant's once it is handed over (return_result); before that, they see
# only what they sent.
RESULT_VISIBLE = frozenset({Status.RETURNED})


def applicant(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    return user


def own_draft(request: HttpRequest, key: uuid.UUID) -> Draft:
    draft = (
        Draft.objects.select_related("procedure", "case", "receiving_unit", "situation")
        .filter(key=key, owner=applicant(request))
        .first()
    )
    if draft is None:
        raise Http404(_("Không có hồ sơ nháp này trong tài khoản của bạn."))
    return draft


def bundle_route(request: HttpRequest, draft: Draft) -> HttpResponse | None:
    """A declaration whose linked boxes are ticked (birth: residence, health card; death:
    residence removal, funeral allowance) goes on as a linked bundle, with what it holds."""
    target = bundle_url(draft.procedure.code, draft.key, draft.eform_data)
    if target is None:
        return None
    messages.info(
        request,
        _("Bạn đã chọn làm cùng các thủ tục liên thông: hồ sơ sẽ nộp một lần cho các cơ quan. "
          "Thông tin đã khai được chuyển sang; kiểm tra lại rồi nộp."),
    )  # fmt: skip
    return redirect(target)


def finished(draft: Draft) -> HttpResponse | None:
    if draft.dossier_id is not None:
        return redirect("portal:my-dossier", ref=draft.dossier.ref)  # type: ignore[union-attr]
    return None


# ------------------------------------------------------------------------- the one page
# What a visitor entered before signing up or in, kept in their session until they are.
PENDING = "motcua.portal.pending"


def start(request: HttpRequest, code: str) -> HttpResponse:
    """The whole submission on one page: where, the e-form, the documents, then "Nộp hồ sơ".
    A visitor may fill it before having an account; signing up or in keeps what they entered."""
    procedure = procedure_detail(code)
    if procedure is None:
        raise Http404(_("Không có thủ tục mã %(code)s.") % {"code": code})
    if not online_submission_open(procedure):
        return render(request, "portal/online/start.html", {"procedure": procedure})
    if not request.user.is_authenticated:
        return start_signed_out(request, procedure)
    user = applicant(request)
    pending = pending_take(request, procedure.code)
    if pending is not None:
        draft = submission.draft_adopt(user=user, procedure=procedure, **pending)
        messages.success(
            request, _("Những gì bạn đã khai được giữ lại; hãy làm tiếp và nộp hồ sơ.")
        )
        return redirect("portal:draft", key=draft.key)
    existing = submission.drafts_of(user).filter(procedure=procedure).first()
    if request.method == "POST":
        try:
            draft = existing or submission.draft_start(user=user, procedure=procedure)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("catalog:detail", code=procedure.code)
        if not ({"send", "save", "autosave"} & request.POST.keys()):
            return redirect("portal:draft", key=draft.key)  # a bare "start": the page to fill
        return fill_page(request, draft)
    if existing is not None:
        return redirect("portal:draft", key=existing.key)
    # Nothing is stored until the citizen sends something: a look costs no draft.
    schema = submission.schema_of(procedure)
    answer = submission.profile_answer(user, schema)
    held = population.record_of(user)
    preview = Draft(
        procedure=procedure, owner=user, eform_data=population.answer_with(answer, schema, held),
        registry_prefilled_at=now() if held else None,
        registry_prefill=population.applicant_values(submission.schema_of(procedure), held)
        if held
        else {},
    )  # fmt: skip
    only = list(submission.receiving_units(procedure, today())[:2])
    preview.receiving_unit = (
        only[0] if len(only) == 1 else submission.home_unit(user, procedure, today())
    )
    return render_page(request, preview, {})


def start_signed_out(request: HttpRequest, procedure: Procedure) -> HttpResponse:
    """A visitor fills the page; sending it keeps the answers in the session and asks them to
    sign up (or in), after which they land back here with everything kept."""
    schema = submission.schema_of(procedure)
    if request.method == "POST":
        request.session[PENDING] = {
            "code": procedure.code,
            "typed": eform.parse(schema, request.POST),
            "choices": {
                name: str(request.POST.get(name, ""))[:64] for name in ("unit", "case", "situation")
            },
        }
        target = "login" if request.POST.get("then") == "sign-in" else "portal:sign-up"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.path})}")
    kept = request.session.get(PENDING) or {}
    same = kept.get("code") == procedure.code
    preview = Draft(procedure=procedure, eform_data=kept.get("typed", {}) if same else {})
    chosen = (kept.get("choices") or {}).get("unit", "") if same else ""
    preview.receiving_unit = (
        submission.receiving_units(procedure, today()).filter(code=chosen).first()
        if chosen
        else None
    )
    return render_page(request, preview, {})


def pending_take(request: HttpRequest, code: str) -> dict[str, Any] | None:
    """The answers a visitor left for this procedure before signing up or in (taken once)."""
    kept = request.session.get(PENDING)
    if not isinstance(kept, dict) or kept.get("code") != code:
        return None
    del request.session[PENDING]
    return {"typed": dict(kept.get("typed") or {}), "choices": dict(kept.get("choices") or {})}


def pending_code(request: HttpRequest) -> str | None:
    """The procedure a visitor started before signing up or in, if any."""
    kept = request.session.get(PENDING)
    return str(kept["code"]) if isinstance(kept, dict) and kept.get("code") else None


@login_required
def draft_page(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    draft = own_draft(request, key)
    if done := finished(draft):
        return done
    return fill_page(request, draft)


def fill_page(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method != "POST":
        return render_page(request, draft, {})
    errors = submission.draft_fill(draft=draft, post=request.POST, files=request.FILES, at=now())
    if "autosave" in request.POST:  # htmx, while typing: saved, nothing else to say
        return render(request, "portal/online/_saved.html", {"at": now()})
    if removed := int_or_zero(request.POST.get("remove", "")):
        submission.draft_remove_document(draft=draft, document_id=removed)
        messages.success(request, _("Đã xóa tệp."))
        return redirect(reverse("portal:draft", kwargs={"key": draft.key}) + "#giay-to")
    if "send" not in request.POST:
        # A draft is saved as it is: only what could not be kept (a refused file, a place no
        # longer offered) stops it; the e-form's gaps are for the day it is sent.
        kept = {k: v for k, v in errors.items() if k in PAGE_FIELDS or k.startswith("file-")}
        if kept:
            return render_page(request, draft, kept, status=400)
        messages.success(request, _("Đã lưu nháp. Bạn có thể làm tiếp lúc khác ở “Hồ sơ của tôi”."))
        return redirect("portal:draft", key=draft.key)
    if not errors and (linked := bundle_route(request, draft)):
        return linked  # never a lone dossier while a linked box is ticked
    problems = submission.draft_problems(draft)
    if not errors and not problems:
        try:
            dossier = submission.draft_submit(draft=draft, user=applicant(request), at=now())
        except DomainError as refused:
            problems = [str(refused.message)]
        else:
            messages.success(
                request,
                _(
                    "Đã nộp hồ sơ. Số tham chiếu %(ref)s; %(unit)s sẽ xem xét tiếp nhận và báo ngày hẹn trả."
                )
                % {"ref": dossier.ref, "unit": dossier.receiving_unit.name},
            )
            if request.POST.get("pay_now"):
                return pay_after_submission(request, dossier.ref)
            return redirect("portal:my-dossier", ref=dossier.ref)
    return render_page(request, draft, errors, problems, status=400)


# The dossier whose online fee its applicant chose to pay as they sent it: read once by the
# payments app's page, so that a plain link cannot start a payment (issue 16).
PAY_AFTER_SUBMISSION = "motcua.portal.pay-after-submission"


def pay_after_submission(request: HttpRequest, ref: str) -> HttpResponse:
    request.session[PAY_AFTER_SUBMISSION] = ref
    return redirect(reverse("payments:at-submission", kwargs={"ref": ref}))


def render_page(
    request: HttpRequest, draft: Draft, errors: dict[str, str], problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    procedure = draft.procedure
    schema = submission.schema_of(procedure)
    groups = eform.form_groups(schema, draft.eform_data or {}, errors)
    page_errors = {k: v for k, v in errors.items() if k in PAGE_FIELDS or k.startswith("file-")}
    cases = [c for c in procedure.cases.all() if c.name]
    route = ROUTES.get(procedure.code)
    context = {
        "draft": draft,
        "procedure": procedure,
        "bundle_kind": route.kind if route else "",
        "signed_in": request.user.is_authenticated,
        "units": sorted(
            submission.receiving_units(procedure, today()),
            key=lambda unit: vietnamese_key(unit.name),
        ),
        "anywhere": submission.received_anywhere(procedure),
        "cases": cases if len(cases) > 1 else [],
        "situations": submission.situations(procedure),
        "groups": groups,
        "schema": schema,
        "field_errors": eform.error_summary(groups),
        "page_errors": page_errors,
        "file_errors": {
            int_or_zero(k.removeprefix("file-")): v
            for k, v in errors.items()
            if k.startswith("file-")
        },
        "unplaced": [
            m for m in eform.unplaced_errors(groups, errors) if m not in page_errors.values()
        ],
        "problems": [p for p in (problems or []) if p != str(FORM_PROBLEM)],
        "checklist": submission.checklist_for(draft),
        "max_mb": max_upload_mb(),
        "pay_now": bool(request.POST.get("pay_now")),
    }
    return render(request, "portal/online/page.html", context, status=status)


PAGE_FIELDS = frozenset({"unit", "case", "situation"})


# The review's line about the e-form: on the one page each field says it instead.
FORM_PROBLEM = gettext_lazy("Tờ khai còn thông tin thiếu hoặc chưa đúng.")


# ------------------------------------------------------------------------- old addresses
@login_required
def old_step(request: HttpRequest, key: uuid.UUID, step: str) -> HttpResponse:
    """A former step's address: the draft's one page, at that step's part (404 for others)."""
    if step not in OLD_STEPS:
        raise Http404(_("Không có trang này."))
    draft = own_draft(request, key)
    if done := finished(draft):
        return done
    return redirect(reverse("portal:draft", kwargs={"key": draft.key}) + OLD_STEPS[step])


@login_required
def discard(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Deleting a draft cannot be undone: a page asks first; only its confirmed POST deletes."""
    draft = own_draft(request, key)
    if draft.dossier_id is not None:
        return redirect("portal:my-dossiers")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        submission.draft_discard(draft=draft)
        messages.success(request, _("Đã xóa hồ sơ nháp."))
        return redirect("portal:my-dossiers")
    return render(request, "portal/online/discard.html", {"draft": draft})


# ------------------------------------------------------------------------- after submission
def own_dossier(request: HttpRequest, ref: str, *related: str) -> Dossier:
    """The signed-in applicant's dossier, else 404 (never "it exists but is not yours")."""
    dossier = (
        Dossier.objects.filter(citizen_dossiers(request.user))
        .select_related("procedure", "receiving_unit", "deciding_unit", *related)
        .filter(ref=ref)
        .first()
    )
    if dossier is None:
        raise Http404(_("Không có hồ sơ này trong tài khoản của bạn."))
    return dossier


@login_required
def supplement_reply(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = own_dossier(request, ref)
    asked = supplement.supplement_request(dossier)
    if dossier.status != Status.SUPPLEMENT_REQUESTED or asked is None:
        return redirect("portal:my-dossier", ref=dossier.ref)
    error = ""
    if request.method == "POST":
        files = [
            (item, upload)
            for index, item in enumerate(asked.items)
            for upload in request.FILES.getlist(f"item-{index}")
        ]
        try:
            supplement.supplement_reply(
                dossier=dossier, user=applicant(request), files=files,
                note=request.POST.get("note", ""), at=now(),
                expected_version=int_or_none(request.POST.get("version", "")),
            )  # fmt: skip
        except DomainError as refused:
            error = str(refused.message)
        else:
            dossier.refresh_from_db()
            still = supplement.supplement_request(dossier)
            if dossier.status == Status.SUPPLEMENT_REQUESTED and still and still.items:
                messages.warning(
                    request,
                    _("Đã nhận phần bổ sung. Còn thiếu: %(items)s. Hồ sơ chờ bạn bổ sung nốt.")
                    % {"items": "; ".join(still.items)},
                )
            else:
                messages.success(request, _("Đã gửi giấy tờ bổ sung; hồ sơ được giải quyết tiếp."))
            return redirect("portal:my-dossier", ref=dossier.ref)
    return render(
        request,
        "portal/online/supplement.html",
        {"dossier": dossier, "asked": asked, "error": error, "max_mb": max_upload_mb()},
        status=400 if error else 200,
    )


@login_required
def document(request: HttpRequest, ref: str, pk: int) -> FileResponse:
    """A file of one's own dossier; results only once they are decided."""
    dossier = own_dossier(request, ref)
    found = dossier.documents.filter(pk=pk).first()
    if found is None or (
        found.kind == DossierDocument.Kind.RESULT and dossier.status not in RESULT_VISIBLE
    ):
        raise Http404(_("Không có giấy tờ này."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        logger.error("file of document %s of %s is missing from storage", found.pk, dossier.ref)
        raise Http404(_("Tệp này tạm thời không đọc được; hãy liên hệ nơi nộp hồ sơ.")) from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(dossier, found),
        content_type=found.content_type,
    )


@login_required
def legal_form(request: HttpRequest, ref: str, form: str) -> HttpResponse:
    """The applicant's copy of the forms addressed to them (receipt, supplement request…)."""
    dossier = own_dossier(request, ref)
    offered = {f.slug for f in applicant_forms(dossier)}
    if form not in offered:
        raise Http404(_("Không có mẫu này cho hồ sơ của bạn."))
    response = HttpResponse(legal_form_pdf(dossier, form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code or dossier.ref}-{form}.pdf"'
    return response


def applicant_forms(dossier: Dossier) -> list[LegalForm]:
    # The control slip (Mẫu 06) is the offices' internal record, not the applicant's.
    return [f for f in forms_available(dossier) if f.slug != "kiem-soat"]


def download_name(dossier: Dossier, document: DossierDocument) -> str:
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        document.content_type, "bin"
    )
    return f"{dossier.code or dossier.ref}-{document.kind}-{document.pk}.{extension}"


def visible_documents(dossier: Dossier) -> list[DossierDocument]:
    return [
        d
        for d in dossier.documents.all()
        if d.kind != DossierDocument.Kind.RESULT or dossier.status in RESULT_VISIBLE
    ]


def int_or_zero(raw: str) -> int:
    return int_or_none(raw) or 0


def int_or_none(raw: str) -> int | None:
    return small_int(raw, digits=18)


def max_upload_mb() -> int:
    return max_upload_bytes() // (1024 * 1024)
