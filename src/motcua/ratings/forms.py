from __future__ import annotations

import calendar
import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import COMMENT_MAX_LENGTH, QUESTIONS, Criterion, Score
from .services import CHOOSE_ONE

# Highest first, so that the form reads "Hài lòng / Bình thường / Không hài lòng".
LEVELS = [(str(value), label) for value, label in sorted(Score.choices, reverse=True)]


class RatingForm(forms.Form):
    """The short form: one radio group per criterion of Decree 61 art. 31, then a comment."""

    comment = forms.CharField(
        label=_("Góp ý thêm (không bắt buộc)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("Tối đa 1000 ký tự."),
        error_messages={
            "max_length": _("Góp ý dài tối đa %(limit_value)s ký tự; hãy rút gọn lại.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = {
            str(criterion): forms.ChoiceField(
                label=criterion.label,
                help_text=QUESTIONS[criterion],
                choices=LEVELS,
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE_ONE, "invalid_choice": CHOOSE_ONE},
            )
            for criterion in Criterion
        }
        self.fields = {**criteria, "comment": self.fields["comment"]}

    @property
    def criteria(self) -> list[forms.BoundField]:
        return [self[str(criterion)] for criterion in Criterion]

    def answers(self) -> dict[str, int]:
        return {str(c): int(self.cleaned_data[str(c)]) for c in Criterion}


DATE_FORMAT_HINT = _("Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2026.")


YEARS = (2000, 2100)  # ratings exist only in these years; beyond them dates overflow


class PeriodForm(forms.Form):
    """An optional period: a month (mm/yyyy), or from and/or to a date (dd/mm/yyyy)."""

    month = forms.CharField(
        label=_("Tháng (mm/yyyy)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "mm/yyyy"}),
    )
    start = forms.DateField(
        label=_("Từ ngày (dd/mm/yyyy)"),
        required=False,
        input_formats=["%d/%m/%Y"],
        error_messages={"invalid": DATE_FORMAT_HINT},
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy"}
        ),
    )
    end = forms.DateField(
        label=_("Đến ngày (dd/mm/yyyy)"),
        required=False,
        input_formats=["%d/%m/%Y"],
        error_messages={"invalid": DATE_FORMAT_HINT},
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy"}
        ),
    )

    def clean_month(self) -> tuple[datetime.date, datetime.date] | None:
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            first = datetime.datetime.strptime(raw, "%m/%Y").date()
        except ValueError as error:
            raise ValidationError(
                _("Nhập tháng dạng mm/yyyy, ví dụ 03/2026."), code="month"
            ) from error
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return first, last

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
                self.add_error(name, _("Chọn ngày trong các năm 2000–2100."))
        month = data.get("month")
        if month and not YEARS[0] <= month[0].year <= YEARS[1]:
            self.add_error("month", _("Chọn tháng trong các năm 2000–2100."))
        if start and end and start > end:
            self.add_error("end", _("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
        return data

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        """(first day, last day), either open; a month wins over the two dates."""
        if not self.is_valid():
            return None, None
        month = self.cleaned_data.get("month")
        if month:
            return month
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")
