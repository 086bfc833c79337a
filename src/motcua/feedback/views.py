"""Citizen feedback pages: the public answers, sending and following one's own, and the
officers' list and handling page. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.common.throttle import by_account, by_address, rate_limited

from . import selectors, services
from .constants import OFFICER_ACTIONS, FeedbackAction, FeedbackStatus
from .forms import CounterFeedbackForm, FeedbackForm, TextForm, dossier_choices
from .models import Feedback
from .permissions import counter_unit_ids, handling_unit_ids

PAGE_SIZE = 20
DONE = {
    FeedbackAction.REJECT: gettext_lazy("Đã từ chối tiếp nhận phản ánh và ghi lý do."),
    FeedbackAction.REQUEST_MORE: gettext_lazy(
        "Đã gửi đề nghị bổ sung thông tin cho người phản ánh."
    ),
    FeedbackAction.ANSWER: gettext_lazy(
        "Đã ghi nội dung trả lời. Hãy công khai trong 2 ngày làm việc."
    ),
    FeedbackAction.PUBLISH: gettext_lazy("Đã công khai kết quả trả lời (đã ẩn thông tin cá nhân)."),
}


logger = logging.getLogger(__name__)


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST, even an empty one (which must show its errors)."""
    return request.POST if request.method == "POST" else None


def public_list(request: HttpRequest) -> HttpResponse:
    """Answered feedback, published without personal data; searched without accents."""
    query = (request.GET.get("q") or "").strip()[:200]
    page = Paginator(selectors.public_feedback(query), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.redacted_again(page.object_list)
    return render(request, "feedback/public.html", {"page": page, "q": query})


@login_required
@rate_limited(
    ("feedback", by_account), ("feedback-day", by_account), ("feedback-address", by_address)
)
def send(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required
    form = FeedbackForm(posted(request), dossiers=dossier_choices(user))
    if request.method == "GET" and request.GET.get("ho-so"):
        form.initial.update(subject="dossier", dossier=request.GET["ho-so"])
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_submit(
                user=user, target=form.target(), title=form.cleaned_data["title"],
                question=form.cleaned_data["question"],
                uploads=request.FILES.getlist("attachments"), at=now(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Đã gửi phản ánh, kiến nghị. Mã phản ánh: %(code)s.") % {
                "code": feedback.code})  # fmt: skip
            return redirect("feedback:mine-detail", code=feedback.code)
    return render(request, "feedback/send.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    items = selectors.my_feedback(request.user)  # type: ignore[arg-type]
    return render(request, "feedback/mine.html", {"items": items})


@login_required
def mine_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One's own feedback: where it stands, and the information asked for, when it is."""
    user: User = request.user  # type: ignore[assignment]
    feedback = selectors.my_feedback_one(user, code)
    if feedback is None:
        raise Http404(_("Không có phản ánh này trong tài khoản của bạn."))
    form = TextForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_supply_more(
                feedback=feedback, user=user, text=form.cleaned_data["text"],
                uploads=request.FILES.getlist("attachments"), at=now(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Đã gửi thông tin bổ sung."))
            return redirect("feedback:mine-detail", code=feedback.code)
    return render(
        request, "feedback/mine_detail.html", {"feedback": feedback, "form": form, "mine": True}
    )


def officer_of(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not handling_unit_ids(user):
        raise PermissionDenied(_("Trang này dành cho cán bộ của đơn vị xử lý phản ánh."))
    return user


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    """The unit's feedback with its deadlines, the nearest first."""
    user = officer_of(request)
    status = request.GET.get("trang-thai", "")
    if status not in FeedbackStatus.values:
        status = ""
    page = Paginator(selectors.unit_feedback(user, status=status), 50).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "status": status, "statuses": FeedbackStatus.choices, "at": now(),
               "may_record": bool(counter_unit_ids(user))}  # fmt: skip
    return render(request, "feedback/officer_list.html", context)


@login_required
def officer_record(request: HttpRequest) -> HttpResponse:
    """Feedback brought to the counter, recorded by a reception officer."""
    user: User = request.user  # type: ignore[assignment]
    if not counter_unit_ids(user):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới ghi nhận phản ánh tại quầy."))
    form = CounterFeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_record(
                officer=user, sender=form.sender(), target=form.target(),
                title=form.cleaned_data["title"], question=form.cleaned_data["question"],
                uploads=request.FILES.getlist("attachments"), at=now(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Đã ghi nhận phản ánh %(code)s.") % {"code": feedback.code})
            return redirect("feedback:officer-list")
    return render(request, "feedback/record.html", {"form": form})


def feedback_or_404(user: User, code: str) -> Feedback:
    feedback = selectors.feedback_for_officer(user, code)
    if feedback is None:
        raise Http404(_("Không có phản ánh này trong các đơn vị bạn xử lý."))
    return feedback


@login_required
def officer_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = officer_of(request)
    feedback = feedback_or_404(user, code)
    offered = [a for a, states in OFFICER_ACTIONS.items() if feedback.status in states]
    if feedback.requested_at is not None and FeedbackAction.REQUEST_MORE in offered:
        offered.remove(FeedbackAction.REQUEST_MORE)
    preview = (
        services.public_texts(feedback) if feedback.status == FeedbackStatus.ANSWERED else None
    )
    context = {"feedback": feedback, "offered": offered, "at": now(), "preview": preview,
               "events": feedback.events.order_by("seq")}  # fmt: skip
    return render(request, "feedback/officer_detail.html", context)


OFFICER_SERVICES: dict[str, Callable[[Feedback, User, str, datetime.datetime], Feedback]] = {
    FeedbackAction.REJECT: lambda f, u, t, at: services.feedback_reject(feedback=f, actor=u, reason=t, at=at),
    FeedbackAction.REQUEST_MORE: lambda f, u, t, at: services.feedback_request_more(feedback=f, actor=u, text=t, at=at),
    FeedbackAction.ANSWER: lambda f, u, t, at: services.feedback_answer(feedback=f, actor=u, answer=t, at=at),
    FeedbackAction.PUBLISH: lambda f, u, _t, at: services.feedback_publish(feedback=f, actor=u, at=at),
}  # fmt: skip


@login_required
@require_POST
def officer_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = officer_of(request)
    feedback = feedback_or_404(user, code)
    if action not in OFFICER_SERVICES:
        raise Http404
    try:
        OFFICER_SERVICES[action](feedback, user, request.POST.get("text", ""), now())
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(DONE[FeedbackAction(action)]))
    return redirect("feedback:officer-detail", code=feedback.code)


def attachment_response(feedback: Feedback, pk: int) -> FileResponse:
    found = feedback.attachments.filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:  # storage lost it: said plainly, not a 500
        logger.error("file of feedback attachment %s is missing from storage", found.pk)
        raise Http404(_("Tệp này tạm thời không đọc được.")) from missing
    return FileResponse(handle, content_type=found.content_type, filename=found.original_filename)


@login_required
def officer_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    return attachment_response(feedback_or_404(officer_of(request), code), pk)


@login_required
def mine_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    feedback = selectors.my_feedback_one(request.user, code)  # type: ignore[arg-type]
    if feedback is None:
        raise Http404
    return attachment_response(feedback, pk)
