"""The citizen's rating form and the ratings page for leaders and supervisors. Thin views."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.bundles.models import BundleMember
from motcua.bundles.selectors import bundle_for_citizen
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.portal.services import citizen_dossiers

from .forms import PeriodForm, RatingForm
from .selectors import rating_report, rating_unit_ids
from .services import (
    BUNDLE_RATEABLE,
    AlreadyRated,
    BundleAlreadyRated,
    InvalidAnswers,
    bundle_rating_submit,
    rating_submit,
)


@login_required
def rate(request: HttpRequest, ref: str) -> HttpResponse:
    """Đánh giá mức độ hài lòng: once, after the result is returned (Decree 61 art. 31)."""
    user: User = request.user  # type: ignore[assignment]  # login_required
    dossier = (
        Dossier.objects.filter(citizen_dossiers(user))
        .select_related("procedure", "rating")
        .defer(
            "eform_data",
            "applicant",
            "procedure__eform_schema",
            "procedure__steps_text",
            "procedure__legal_basis",
            "procedure__search_text",
        )
        .filter(ref=ref)
        .first()
    )
    if dossier is None:
        raise Http404(_("Không có hồ sơ này trong tài khoản của bạn."))
    member = BundleMember.objects.filter(dossier_id=dossier.pk).select_related("bundle").first()
    if member is not None:  # rated once with its bundle, on the bundle's own page
        return redirect("ratings:rate-bundle", ref=member.bundle.ref)
    return rating_page(
        request,
        template="ratings/rate.html",
        context={"dossier": dossier},
        rating=getattr(dossier, "rating", None),
        already=AlreadyRated(),
        submit=lambda **given: rating_submit(dossier=dossier, user=user, at=now(), **given),
        done=lambda: redirect("portal:my-dossier", ref=dossier.ref),
        unrated={"returned": dossier.status == Status.RETURNED},
    )


@login_required
def rate_bundle(request: HttpRequest, ref: str) -> HttpResponse:
    """One rating for a whole linked bundle, once it has its outcome (issue 14)."""
    user: User = request.user  # type: ignore[assignment]  # login_required
    bundle = bundle_for_citizen(user, ref[:80])
    if bundle is None:
        raise Http404(_("Không có hồ sơ liên thông này trong tài khoản của bạn."))
    return rating_page(
        request,
        template="ratings/rate_bundle.html",
        context={"bundle": bundle},
        rating=bundle.ratings.order_by("pk").first(),
        already=BundleAlreadyRated(),
        submit=lambda **given: bundle_rating_submit(bundle=bundle, user=user, at=now(), **given),
        done=lambda: redirect("bundles:mine", ref=bundle.ref),
        unrated={"finished": bundle.status in BUNDLE_RATEABLE},
    )


def rating_page(
    request: HttpRequest, *, template: str, context: dict[str, object], rating: object | None,
    already: DomainError, submit: Callable[..., object], done: Callable[[], HttpResponse],
    unrated: dict[str, object],
) -> HttpResponse:  # fmt: skip
    """A dossier's or a bundle's rating page: the rating given, or the form and its submission
    (``submit(answers=, comment=)``, then ``done()``); ``unrated`` is added to the form's page."""
    if rating is not None:
        if request.method == "POST":
            messages.error(request, str(already.message))
        return render(request, template, {**context, "rating": rating})
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit(answers=form.answers(), comment=form.cleaned_data["comment"])
        except InvalidAnswers as error:
            for field, message in error.errors.items():
                form.add_error(field, message)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá. Ý kiến của bạn đã được ghi nhận."))
            return done()
    return render(request, template, {**context, "form": form, **unrated})


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Ratings of the dossiers of the units a leader or supervisor oversees."""
    unit_ids = rating_unit_ids(request.user)  # type: ignore[arg-type]  # login_required
    if not unit_ids:
        raise PermissionDenied(
            _("Trang này dành cho lãnh đạo đơn vị và cán bộ giám sát (quyền xem báo cáo).")
        )
    form = PeriodForm(request.GET if request.GET else None)
    start, end = form.period() if form.is_bound else (None, None)
    report = rating_report(unit_ids=unit_ids, start=start, end=end)
    return render(
        request,
        "ratings/overview.html",
        {"form": form, "report": report, "start": start, "end": end},
    )
