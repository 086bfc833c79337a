from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from motcua.common.admin import ReadOnlyAdmin

from .models import Bundle, BundleEvent, BundleMember, RegistryCall

# Bundles change only through their services (every change audited): read-only admins here.


MEMBER_FIELDS = [
    "order",
    "service",
    "variant",
    "unit",
    "state",
    "dossier",
    "due_at",
    "acknowledged_at",
]
EVENT_FIELDS = [
    "seq",
    "at",
    "actor_name",
    "action",
    "service",
    "from_status",
    "to_status",
    "reason",
]


class MemberInline(admin.TabularInline):
    model = BundleMember
    fields = tuple(MEMBER_FIELDS)
    readonly_fields = MEMBER_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = BundleEvent
    fields = tuple(EVENT_FIELDS)
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ["code", "ref", "kind", "status", "receiving_unit", "submitted_at", "due_at"]
    list_filter = ["kind", "status", "channel"]
    search_fields = ["code", "ref", "applicant_name", "applicant_id_number"]
    list_select_related = ["receiving_unit"]
    date_hierarchy = "submitted_at"
    readonly_fields = [field.name for field in Bundle._meta.fields]
    inlines = [MemberInline, EventInline]


@admin.register(RegistryCall)
class RegistryCallAdmin(ReadOnlyAdmin):
    """The registry outbox: what is owed, how often it was tried, why it failed."""

    list_display = [
        "created_at",
        "system",
        "operation",
        "idempotency_key",
        "status",
        "attempts",
        "recorded_at",
    ]
    list_filter = ["status", "system", "operation"]
    search_fields = ["idempotency_key"]
    readonly_fields = [field.name for field in RegistryCall._meta.fields]
