from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.organizations.models import Unit

from .constants import OverrideKind, SupplementModeChoice
from .engine import parse_clock, validate_office_hours


class CalendarOverride(models.Model):
    """A day declared off, or worked, by a legal document: wins over every other source."""

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    legal_document = models.CharField(
        _("văn bản quyết định"),
        max_length=255,
        help_text=_("Ví dụ: Thông báo 9441/TB-BNV của Bộ Nội vụ."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"

    def clean(self) -> None:
        check_supported_year(self.day, "day")


# The years the working calendar is built for (motcua.worktime.services).
SUPPORTED_YEARS = (2015, 2060)


def check_supported_year(day: object, field_name: str) -> None:
    first, last = SUPPORTED_YEARS
    year = getattr(day, "year", None)
    if year is not None and not first <= year <= last:
        raise ValidationError(
            {
                field_name: _("Lịch làm việc chỉ hỗ trợ các năm %(first)s–%(last)s.")
                % {"first": first, "last": last}
            }
        )


def office_hours_seconds(value: object) -> tuple[tuple[int, int], ...]:
    """[["08:00", "12:00"], ["13:00", "17:00"]] -> ((28800, 43200), (46800, 61200))."""
    intervals = tuple((parse_clock(a), parse_clock(b)) for a, b in value)  # type: ignore[attr-defined]
    validate_office_hours(intervals)
    return intervals


def validate_office_hours_json(value: object) -> None:
    try:
        office_hours_seconds(value)
    except (TypeError, ValueError, AttributeError) as error:
        raise ValidationError(
            _(
                'Giờ làm việc phải là các khoảng ["giờ bắt đầu", "giờ kết thúc"] tăng dần, '
                'không chồng nhau, ví dụ [["08:00", "12:00"], ["13:00", "17:00"]].'
            )
        ) from error


def default_office_hours() -> list[list[str]]:
    return [["08:00", "12:00"], ["13:00", "17:00"]]


class WorkRuleSet(models.Model):
    """Office hours and deadline switches, versioned by ``valid_from`` and optionally per unit.

    The rule set in force for a dossier is the latest one, for its unit or else city-wide, whose
    ``valid_from`` is on or before the reception day.
    """

    name = models.CharField(_("tên"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Để trống: áp dụng cho toàn thành phố."),
    )
    valid_from = models.DateField(_("áp dụng từ"))
    office_hours = models.JSONField(
        _("giờ làm việc"),
        default=default_office_hours,
        validators=[validate_office_hours_json],
        help_text=_('Các khoảng giờ trong ngày, ví dụ [["08:00", "12:00"], ["13:00", "17:00"]].'),
    )
    same_day_cutoff = models.TimeField(_("giờ chốt tiếp nhận trong ngày"), default="15:00")
    supplement_mode = models.CharField(
        _("cách tính khi yêu cầu bổ sung"),
        max_length=16,
        choices=SupplementModeChoice.choices,
        default=SupplementModeChoice.PAUSE,
    )
    cutoff_moves_day_limits = models.BooleanField(
        _("sau giờ chốt tính từ ngày làm việc kế tiếp"),
        default=False,
        help_text=_("Áp dụng cả cho thời hạn tính theo ngày (NĐ 63/2024 Điều 7 khoản 2)."),
    )
    legal_basis = models.TextField(_("căn cứ"), blank=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("bộ quy tắc thời hạn")
        verbose_name_plural = _("bộ quy tắc thời hạn")
        ordering = ["unit_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"],
                name="work_rule_set_unique_per_unit_and_date",
                violation_error_message=_("Đơn vị này đã có bộ quy tắc áp dụng từ ngày đó."),
            ),
            models.UniqueConstraint(
                fields=["valid_from"],
                condition=models.Q(unit__isnull=True),
                name="work_rule_set_unique_citywide_date",
                violation_error_message=_("Đã có bộ quy tắc toàn thành phố áp dụng từ ngày đó."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"

    def clean(self) -> None:
        check_supported_year(self.valid_from, "valid_from")
        try:
            intervals = office_hours_seconds(self.office_hours)
        except (TypeError, ValueError, AttributeError):
            return  # the field validator reports it
        cutoff = self.same_day_cutoff
        seconds = cutoff.hour * 3600 + cutoff.minute * 60 if hasattr(cutoff, "hour") else None
        if seconds is not None and not intervals[0][0] <= seconds <= intervals[-1][1]:
            raise ValidationError(
                {
                    "same_day_cutoff": _(
                        "Giờ chốt phải nằm trong giờ làm việc (từ giờ mở cửa đến giờ đóng cửa)."
                    )
                }
            )
