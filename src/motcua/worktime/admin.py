from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CalendarOverride, WorkRuleSet
from .services import CACHE


class ClearsCalendarCache(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        CACHE.clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        CACHE.clear()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        CACHE.clear()


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ClearsCalendarCache):
    list_display = ["day", "kind", "reason", "legal_document", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["reason", "legal_document"]
    date_hierarchy = "day"
    readonly_fields = ["updated_by", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WorkRuleSet)
class WorkRuleSetAdmin(ClearsCalendarCache):
    list_display = ["name", "unit", "valid_from", "same_day_cutoff", "supplement_mode"]
    list_filter = ["supplement_mode"]
    autocomplete_fields = ["unit"]
