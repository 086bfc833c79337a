from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from motcua.common import clock
from motcua.common.errors import DomainError
from motcua.common.text import fold_words

from .competence_rules import competence_apply
from .constants import CompetenceLevel
from .models import (
    Channel,
    CompetenceRule,
    Fee,
    Field,
    LegalLimit,
    Procedure,
    ProcedureCase,
    ProcessDefinition,
    ProcessStep,
    Requirement,
    RequirementGroup,
    Synonym,
)
from .processes import default_processes_refresh
from .revision import catalog_changed
from .search import INDEX
from .services import procedure_export_yaml, procedure_import_yaml


class CatalogAdmin(admin.ModelAdmin):
    """Saves reach ``catalog.revision`` through signals; deletions say so themselves (a delete
    signal receiver would make every bulk delete of the importer load its rows first)."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        catalog_changed()


class CaseInline(admin.TabularInline):
    model = ProcedureCase
    extra = 0


class ChannelInline(admin.TabularInline):
    model = Channel
    extra = 0
    show_change_link = True


class GroupInline(admin.TabularInline):
    model = RequirementGroup
    extra = 0
    show_change_link = True


@admin.register(Procedure)
class ProcedureAdmin(CatalogAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "online_level",
        "in_hanoi_set",
        "popularity",
        "version",
    ]
    list_filter = ["in_hanoi_set", "level", "online_level", "kind", "has_details"]
    search_fields = ["code", "name", "name_folded"]
    autocomplete_fields = ["field", "deciding_unit"]
    filter_horizontal = ["receiving_units"]
    readonly_fields = ["version", "content_hash"]
    inlines = [CaseInline, ChannelInline, GroupInline]
    actions = ["export_yaml"]
    change_list_template = "admin/catalog/procedure/change_list.html"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.name_folded = fold_words(obj.name)
        if change:
            obj.version += 1  # search and dossiers see that the procedure changed
        super().save_model(request, obj, form, change)
        INDEX.clear()

    @admin.action(description=_("Xuất YAML"))
    def export_yaml(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        body = "\n---\n".join(procedure_export_yaml(p) for p in queryset.order_by("code")[:50])
        response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="thu-tuc.yaml"'
        return response

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import-yaml/",
                self.admin_site.admin_view(self.import_yaml),
                name="catalog_procedure_import_yaml",
            ),
            *super().get_urls(),
        ]

    def import_yaml(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if request.method == "POST" and isinstance(upload, UploadedFile):
            try:
                text = upload.read().decode("utf-8")
                procedure = procedure_import_yaml(text)
            except (DomainError, UnicodeDecodeError) as error:
                messages.error(request, str(getattr(error, "message", error)))
            else:
                messages.success(
                    request,
                    _("Đã cập nhật %(code)s (phiên bản %(v)s).")
                    % {"code": procedure.code, "v": procedure.version},
                )
                return redirect("admin:catalog_procedure_change", procedure.pk)
        return render(
            request,
            "admin/catalog/procedure/import_yaml.html",
            {**self.admin_site.each_context(request), "title": _("Nhập thủ tục từ YAML")},
        )


@admin.register(Channel)
class ChannelAdmin(CatalogAdmin):
    list_display = ["procedure", "method", "time_quantity", "time_unit"]
    inlines = [type("FeeInline", (admin.TabularInline,), {"model": Fee, "extra": 0})]
    raw_id_fields = ["procedure"]


@admin.register(RequirementGroup)
class RequirementGroupAdmin(CatalogAdmin):
    list_display = ["procedure", "name", "order"]
    inlines = [
        type("RequirementInline", (admin.StackedInline,), {"model": Requirement, "extra": 0})
    ]
    raw_id_fields = ["procedure"]


@admin.register(Field)
class FieldAdmin(CatalogAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(CatalogAdmin):
    list_display = ["procedure", "unit", "version", "status", "source", "valid_from"]
    list_filter = ["status", "source"]
    search_fields = ["procedure__code", "procedure__name"]
    raw_id_fields = ["procedure"]
    autocomplete_fields = ["unit"]
    inlines = [StepInline]


@admin.register(Synonym)
class SynonymAdmin(CatalogAdmin):
    list_display = ["phrase", "expansion", "note"]
    search_fields = ["phrase", "expansion"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.phrase_folded = fold_words(obj.phrase)
        super().save_model(request, obj, form, change)
        INDEX.clear()


class CompetenceRuleForm(forms.ModelForm):
    """Refuses an expression that does not compile, and fields that do not fit the level."""

    class Meta:
        model = CompetenceRule
        fields = [
            "key", "match", "pattern", "exclude", "field_name", "level", "commune_body",
            "deciding_unit", "receiving_units", "receive_at_branches", "priority", "valid_from",
            "valid_to", "note",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("match") != CompetenceRule.Match.CODE:
            for name in ("pattern", "exclude"):
                try:
                    re.compile(data.get(name) or "")
                except re.error as error:
                    self.add_error(name, _("Biểu thức không hợp lệ: %(error)s") % {"error": error})
        commune = data.get("level") == CompetenceLevel.COMMUNE
        if commune and not data.get("commune_body"):
            self.add_error("commune_body", _("Cấp xã: chọn UBND cấp xã hay Công an cấp xã."))
        if not commune and data.get("commune_body"):
            self.add_error("commune_body", _("Chỉ dùng cho quy tắc cấp xã."))
        return data


@admin.register(CompetenceRule)
class CompetenceRuleAdmin(admin.ModelAdmin):
    form = CompetenceRuleForm
    list_display = ["key", "match", "pattern", "level", "commune_body", "deciding_unit",
                    "priority", "valid_from", "valid_to", "seeded"]  # fmt: skip
    list_filter = ["match", "level", "seeded"]
    search_fields = ["key", "pattern", "note"]
    autocomplete_fields = ["deciding_unit"]
    filter_horizontal = ["receiving_units"]
    actions = ["apply_to_catalog"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.seeded = False  # the next import keeps the administrator's version
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Áp dụng các quy tắc đang có hiệu lực cho toàn bộ danh mục"))
    def apply_to_catalog(self, request: HttpRequest, queryset: Any) -> None:
        changed = competence_apply(clock.today())
        made = default_processes_refresh()
        INDEX.clear()
        messages.success(
            request,
            _("Đã xếp lại %(n)s thủ tục; %(p)s thủ tục có quy trình mặc định mới.")
            % {"n": changed, "p": made},
        )


@admin.register(LegalLimit)
class LegalLimitAdmin(admin.ModelAdmin):
    """Read only: limits are entered at reception (or by a new row); history is never edited."""

    list_display = ["procedure", "unit", "time_quantity", "time_unit", "legal_basis",
                    "entered_by", "entered_at", "superseded_at"]  # fmt: skip
    list_filter = ["time_unit"]
    search_fields = ["procedure__code", "legal_basis"]
    raw_id_fields = ["procedure"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
