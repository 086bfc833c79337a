from django.contrib import admin

from .models import Unit, UnitSuccession


class SuccessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


class PredecessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "official_code", "name", "kind", "parent", "valid_from", "valid_until"]
    list_filter = ["kind", "origin", "verified"]
    search_fields = ["code", "official_code", "name", "name_en"]
    autocomplete_fields = ["parent", "area"]
    inlines = [PredecessorInline, SuccessorInline]
    list_select_related = ["parent"]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    list_filter = ["kind"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
