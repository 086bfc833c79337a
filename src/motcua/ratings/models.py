from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.bundles.models import Bundle
from motcua.dossiers.models import Dossier

from .constants import COMMENT_MAX_LENGTH, Criterion, Score

CRITERIA: list[str] = list(Criterion.values)

# Satisfied means no criterion was answered "Không hài lòng" (every score ≥ 1): a single dislike
# makes the dossier count as "not satisfied", as the Decision 766/QĐ-TTg index 5.4 counts
# "dossiers with complaints or dislikes". The same rule as a filter, for aggregates:
SATISFIED = Q(**{f"{name}__gte": Score.NEUTRAL for name in CRITERIA})


def score_field(criterion: Criterion) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(criterion.label, choices=Score.choices)


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: the applicant's rating of one returned dossier (Decree 61 art. 31).

    One per dossier, enforced by the one-to-one column. Scores are explicit columns so that
    averages per criterion and per unit are plain SQL aggregates.

    A linked bundle is rated once, as a whole (``services.bundle_rating_submit``): the one answer
    is kept on each of its member dossiers, with ``bundle`` set, so that every agency's figures
    and the 766 indicators count it as they count any rating.
    """

    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="rating", verbose_name=_("hồ sơ")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người đánh giá"),
    )
    time = score_field(Criterion.TIME)
    bodies = score_field(Criterion.BODIES)
    contacts = score_field(Criterion.CONTACTS)
    information = score_field(Criterion.INFORMATION)
    attitude = score_field(Criterion.ATTITUDE)
    costs = score_field(Criterion.COSTS)
    complaints = score_field(Criterion.COMPLAINTS)
    online = score_field(Criterion.ONLINE)
    bundle = models.ForeignKey(
        Bundle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("hồ sơ liên thông"),
    )
    comment = models.TextField(_("góp ý"), max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("đánh giá lúc"), db_index=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__lte": Score.SATISFIED}), name=f"rating_{name}_0_to_2"
            )
            for name in CRITERIA
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.created_at:%d/%m/%Y}"

    @property
    def satisfied(self) -> bool:
        """See ``SATISFIED``: no criterion answered "Không hài lòng"."""
        return all(getattr(self, name) >= Score.NEUTRAL for name in CRITERIA)

    @property
    def answers(self) -> list[tuple[str, int, str]]:
        """(criterion label, score, score label) in the order of the form."""
        return [
            (
                str(criterion.label),
                getattr(self, criterion),
                str(Score(getattr(self, criterion)).label),
            )
            for criterion in Criterion
        ]
