from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.common.admin import ReadOnlyAdmin
from motcua.common.clock import now

from .constants import DelegationChangeAction
from .models import Delegation, DelegationChange
from .services import DelegationData, codes_parse, delegation_problems, delegation_record

DATA_FIELDS = (
    "kind", "delegator_unit", "delegator_position", "delegate_unit", "delegate",
    "delegate_position", "procedure_codes", "fields", "decision_number", "decision_date",
    "decision_issuer", "valid_from", "valid_until", "note",
)  # fmt: skip


DAY_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]  # never month first


def day_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DAY_FORMATS,
        widget=AdminDateWidget(format="%d/%m/%Y"), help_text=_("dd/mm/yyyy"),
        error_messages={"invalid": _("Ngày phải có dạng dd/mm/yyyy, ví dụ 05/03/2026.")},
    )  # fmt: skip


class DelegationForm(forms.ModelForm):
    """The admin checks a delegation with the same rules as every other writer."""

    decision_date = day_field(_("ngày quyết định"))
    valid_from = day_field(_("hiệu lực từ ngày"))
    valid_until = day_field(_("hiệu lực đến ngày"), required=False)

    procedure_codes = forms.CharField(
        label=_("mã thủ tục"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Cách nhau bởi dấu phẩy hoặc xuống dòng, ví dụ 1.001193, 1.000894. Để trống cả mã "
            "thủ tục và lĩnh vực: mọi thủ tục của đơn vị."
        ),
    )  # fmt: skip

    class Meta:
        model = Delegation
        fields = DATA_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["procedure_codes"] = ", ".join(self.instance.procedure_codes or [])

    def clean_procedure_codes(self) -> list[str]:
        return codes_parse(self.cleaned_data.get("procedure_codes") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        required = ("kind", "delegator_unit", "decision_date", "valid_from")
        if self.errors or any(cleaned.get(name) is None for name in required):
            return cleaned  # Django already says what is missing
        data = DelegationData(
            kind=cleaned["kind"], delegator_unit=cleaned["delegator_unit"],
            delegator_position=cleaned.get("delegator_position") or "",
            decision_number=cleaned.get("decision_number") or "",
            decision_date=cleaned["decision_date"],
            decision_issuer=cleaned.get("decision_issuer") or "",
            valid_from=cleaned["valid_from"], valid_until=cleaned.get("valid_until"),
            delegate_unit=cleaned.get("delegate_unit"), delegate=cleaned.get("delegate"),
            delegate_position=cleaned.get("delegate_position") or "",
            procedure_codes=tuple(cleaned.get("procedure_codes") or ()),
            fields=tuple(cleaned.get("fields") or ()), note=cleaned.get("note") or "",
        )  # fmt: skip
        for name, messages in delegation_problems(data, exclude_pk=self.instance.pk).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    form = DelegationForm
    list_display = [
        "decision_number", "kind", "delegator_unit", "delegator_position", "delegate",
        "delegate_position", "delegate_unit", "valid_from", "valid_until",
    ]  # fmt: skip
    list_filter = ["kind", "delegator_unit__kind"]
    search_fields = [
        "decision_number", "delegator_unit__name", "delegate_unit__name", "delegate__full_name",
        "delegate__username",
    ]  # fmt: skip
    autocomplete_fields = ["delegator_unit", "delegate_unit", "delegate", "fields"]
    list_select_related = ["delegator_unit", "delegate_unit", "delegate"]
    readonly_fields = ["created_at", "created_by"]
    fieldsets = (
        (_("Người giao"), {"fields": ("kind", "delegator_unit", "delegator_position")}),
        (_("Người, đơn vị được giao"), {"fields": ("delegate", "delegate_position", "delegate_unit")}),
        (_("Phạm vi"), {"fields": ("procedure_codes", "fields")}),
        (
            _("Căn cứ và thời hạn"),
            {"fields": ("decision_number", "decision_date", "decision_issuer", "valid_from", "valid_until", "note")},
        ),
        (_("Ghi nhận"), {"fields": ("created_at", "created_by")}),
    )  # fmt: skip

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # ended, never deleted: documents signed under it still cite it

    def save_model(self, request: HttpRequest, obj: Delegation, form: Any, change: bool) -> None:
        if not change:
            obj.created_at = now()
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        action = DelegationChangeAction.CHANGED if change else DelegationChangeAction.CREATED
        delegation_record(
            delegation=form.instance,
            action=action,
            actor=request.user,  # type: ignore[arg-type]
            at=now(),
        )


@admin.register(DelegationChange)
class DelegationChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "delegation"]
    list_filter = ["action"]
    list_select_related = ["actor", "delegation"]
