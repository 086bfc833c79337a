"""Writes of satisfaction ratings (Decree 61/2018/NĐ-CP, art. 31)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.bundles.constants import OUTCOME_BUNDLE_STATUSES
from motcua.bundles.models import Bundle, BundleMember
from motcua.common.errors import DomainError, NotAllowed
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import is_applicant

from .constants import COMMENT_MAX_LENGTH, Criterion, Score
from .models import Rating

CHOOSE_ONE = _("Chọn một mức: Hài lòng, Bình thường hoặc Không hài lòng.")


class AlreadyRated(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Bạn đã đánh giá hồ sơ này. Mỗi hồ sơ chỉ được đánh giá một lần."))


class NotYetReturned(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Bạn chỉ đánh giá được sau khi đã nhận kết quả giải quyết hồ sơ."))


class BundleAlreadyRated(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Bạn đã đánh giá hồ sơ liên thông này. Mỗi hồ sơ liên thông chỉ đánh giá một lần.")
        )


class BundleNotFinished(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Bạn đánh giá được khi hồ sơ liên thông đã kết thúc (các cơ quan đã có kết quả).")
        )


class RateTheBundle(DomainError):
    """A member dossier of a linked bundle is rated with its bundle, once, not on its own."""

    def __init__(self) -> None:
        super().__init__(
            _("Hồ sơ này thuộc hồ sơ liên thông: hãy đánh giá một lần cho cả hồ sơ liên thông.")
        )


# A bundle is rated once it has its outcome: every member decided (a refusal is an outcome too).
# A bundle withdrawn by its applicant ended without one, as a withdrawn dossier is never rated.
BUNDLE_RATEABLE = OUTCOME_BUNDLE_STATUSES


class InvalidAnswers(DomainError):
    """Some answers are missing or not one of the three levels; ``errors`` says which."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(_("Hãy trả lời đủ các câu hỏi đánh giá."))


def answers_clean(answers: Mapping[str, object]) -> dict[str, int]:
    """Every criterion answered with 0, 1 or 2 (as int or its digit); otherwise ``InvalidAnswers``."""
    scores: dict[str, int] = {}
    errors: dict[str, str] = {}
    for criterion in Criterion:
        value = answers.get(criterion)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value not in Score.values:
            errors[criterion] = str(CHOOSE_ONE)
        else:
            scores[criterion] = value
    if errors:
        raise InvalidAnswers(errors)
    return scores


def already_rated(dossier: Dossier) -> bool:
    return Rating.objects.filter(dossier_id=dossier.pk).exists()


def rating_submit(
    *,
    dossier: Dossier,
    user: User,
    answers: Mapping[str, object],
    comment: str,
    at: datetime.datetime,
) -> Rating:
    """The applicant rates a dossier once its result is returned (Decree 61/2018, art. 31).

    Only the applicant, only when the dossier is "Đã trả kết quả", once: a second rating is
    refused here and, under a race, by the one-to-one column.
    """
    if not is_applicant(dossier, user):
        raise NotAllowed(_("Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này."))
    if BundleMember.objects.filter(dossier_id=dossier.pk).exists():
        raise RateTheBundle()
    scores = answers_clean(answers)
    comment = comment_clean(comment)
    try:
        with transaction.atomic():
            # Read the status again: the caller's copy of the dossier may be old.
            status = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
            if status != Status.RETURNED:
                raise NotYetReturned()
            if already_rated(dossier):
                raise AlreadyRated()
            return Rating.objects.create(
                dossier=dossier, user=user, comment=comment, created_at=at, **scores
            )
    except IntegrityError as error:
        # Two submissions at once: the other one won the unique dossier column.
        raise AlreadyRated() from error


def comment_clean(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(
            _("Góp ý dài tối đa %(max)s ký tự; hãy rút gọn lại.") % {"max": COMMENT_MAX_LENGTH}
        )
    return comment


def may_rate_bundle(bundle: Bundle, user: User) -> bool:
    """The account that submitted the bundle, or the applicant of one of its member dossiers."""
    if bundle.owner_id is not None and bundle.owner_id == user.pk:
        return True
    members = BundleMember.objects.filter(bundle=bundle, dossier__isnull=False)
    dossiers = [m.dossier for m in members.select_related("dossier") if m.dossier is not None]
    return any(is_applicant(dossier, user) for dossier in dossiers)


def bundle_rating_submit(
    *,
    bundle: Bundle,
    user: User,
    answers: Mapping[str, object],
    comment: str,
    at: datetime.datetime,
) -> list[Rating]:
    """The applicant rates a linked bundle once, as a whole, once it has its outcome.

    The one answer is kept on each member dossier the bundle started (``Rating.bundle`` set), so
    each agency's ratings and the 766 indicators count it. Once: refused here under the bundle's
    row lock, and by the one-to-one dossier column under a race.
    """
    if not may_rate_bundle(bundle, user):
        raise NotAllowed(_("Chỉ người nộp hồ sơ liên thông mới được đánh giá."))
    scores = answers_clean(answers)
    comment = comment_clean(comment)
    try:
        with transaction.atomic():
            current = Bundle.objects.select_for_update().get(pk=bundle.pk)
            if current.status not in BUNDLE_RATEABLE:
                raise BundleNotFinished()
            if Rating.objects.filter(bundle=current).exists():
                raise BundleAlreadyRated()
            dossier_ids = BundleMember.objects.filter(
                bundle=current, dossier__isnull=False
            ).values_list("dossier_id", flat=True)
            rated = Rating.objects.filter(dossier_id__in=dossier_ids).values_list("dossier_id")
            ids = sorted(set(dossier_ids) - {pk for (pk,) in rated})
            if not ids:
                raise BundleAlreadyRated()
            return [
                Rating.objects.create(
                    dossier_id=pk,
                    bundle=current,
                    user=user,
                    comment=comment,
                    created_at=at,
                    **scores,
                )
                for pk in ids
            ]
    except IntegrityError as error:
        raise BundleAlreadyRated() from error
