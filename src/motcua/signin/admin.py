from django.contrib import admin
from django.http import HttpRequest

from .models import SignInEvent


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name", "ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
