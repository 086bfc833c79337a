from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import today
from motcua.common.text import vietnamese_key
from motcua.dossiers.models import ApplicantLink, Dossier
from motcua.organizations.models import Unit

from .constants import TEXT_MAX, TITLE_MAX, Subject
from .services import Sender, Target

REQUIRED = _("Không được để trống mục này.")


class FeedbackForm(forms.Form):
    """What the feedback is about and what it says (the citizen's page; the counter adds the
    sender's details, ``CounterFeedbackForm``)."""

    subject = forms.ChoiceField(
        label=_("Bạn phản ánh về"), choices=Subject.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn bạn phản ánh về thủ tục, hồ sơ hay cán bộ.")},
    )  # fmt: skip
    dossier = forms.CharField(
        label=_("Hồ sơ"), required=False, max_length=60,
        help_text=_("Khi phản ánh về một hồ sơ của bạn."),
    )  # fmt: skip
    procedure = forms.CharField(
        label=_("Mã thủ tục"), required=False, max_length=30,
        help_text=_("Khi phản ánh về một thủ tục, ví dụ 1.001193 (ghi trên trang thủ tục)."),
    )  # fmt: skip
    unit = forms.ChoiceField(
        label=_("Đơn vị (khi thủ tục do UBND cấp xã giải quyết, hoặc nơi cán bộ làm việc)"),
        required=False,
        choices=[],
    )
    officer = forms.CharField(
        label=_("Tên đăng nhập của cán bộ"), required=False, max_length=150,
        help_text=_("Khi phản ánh về một cán bộ: ghi trên giấy tiếp nhận hoặc lịch sử hồ sơ."),
    )  # fmt: skip
    title = forms.CharField(
        label=_("Tiêu đề"), max_length=TITLE_MAX, error_messages={"required": REQUIRED}
    )
    question = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"), max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX}),
        help_text=_("Nội dung công khai sẽ được ẩn họ tên, số giấy tờ, số điện thoại, địa chỉ."),
        error_messages={"required": REQUIRED,
                        "max_length": _("Dài tối đa %(limit_value)s ký tự; hãy rút gọn lại.")},
    )  # fmt: skip

    def __init__(
        self, *args: Any, dossiers: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.effective_on(today()).values_list("code", "name")
        # In Vietnamese alphabetical order ("Cầu Giấy" before "Chương Mỹ"), not by code point.
        ordered = sorted(units, key=lambda unit: vietnamese_key(unit[1]))
        choices = [("", _("— Đơn vị giải quyết của thủ tục —")), *ordered]
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]
        if dossiers is not None:
            self.fields["dossier"] = forms.ChoiceField(
                label=_("Hồ sơ của bạn"), required=False,
                choices=[("", _("— Chọn hồ sơ —")), *dossiers],
                help_text=_("Khi phản ánh về một hồ sơ của bạn."),
            )  # fmt: skip

    def target(self) -> Target:
        data = self.cleaned_data
        return Target(
            subject=data["subject"], procedure=data.get("procedure", ""),
            dossier=data.get("dossier", ""), officer=data.get("officer", ""),
            unit_code=data.get("unit", ""),
        )  # fmt: skip


def dossier_choices(user: Any) -> list[tuple[str, str]]:
    """The account's own dossiers (submitted, or proved at the counter), newest first."""
    linked = ApplicantLink.objects.filter(user_id=user.pk).values("dossier_id")
    rows = (
        Dossier.objects.filter(Q(owner_id=user.pk) | Q(pk__in=linked))
        .order_by("-submitted_at", "-pk")
        .values_list("ref", "code", "procedure__name")[:200]
    )
    return [(ref, f"{code or ref} — {name}") for ref, code, name in rows]


class CounterFeedbackForm(FeedbackForm):
    sender_name = forms.CharField(
        label=_("Họ tên người phản ánh"), max_length=200, error_messages={"required": REQUIRED}
    )
    sender_id_number = forms.CharField(label=_("Số định danh"), required=False, max_length=20)
    sender_phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20)
    sender_email = forms.EmailField(
        label=_("Thư điện tử"), required=False,
        error_messages={"invalid": _("Thư điện tử chưa đúng, ví dụ ten@example.com.")},
    )  # fmt: skip
    sender_address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=255)

    def sender(self) -> Sender:
        data = self.cleaned_data
        return Sender(
            data["sender_name"], data["sender_id_number"], data["sender_phone"],
            data["sender_email"], data["sender_address"],
        )  # fmt: skip


class TextForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
        error_messages={"required": REQUIRED,
                        "max_length": _("Dài tối đa %(limit_value)s ký tự; hãy rút gọn lại.")},
    )  # fmt: skip
