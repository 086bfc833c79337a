from django.contrib import admin

from motcua.common.admin import ReadOnlyAdmin

from .models import SignInEvent


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name", "ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "at"
