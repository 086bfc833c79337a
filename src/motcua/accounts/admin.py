from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import BusinessProfile, CitizenProfile, OfficerRole, RoleChange, User


class CitizenProfileInline(admin.StackedInline):
    model = CitizenProfile
    extra = 0
    autocomplete_fields = ["residence_unit"]


class BusinessProfileInline(admin.StackedInline):
    model = BusinessProfile
    extra = 0


class OfficerRoleInline(admin.TabularInline):
    model = OfficerRole
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ["username", "full_name", "email", "phone", "is_staff", "is_active"]
    search_fields = [
        "username", "full_name", "email", "phone", "citizen_profile__id_number",
        "business_profile__tax_code",
    ]  # fmt: skip
    inlines = [OfficerRoleInline, CitizenProfileInline, BusinessProfileInline]


@admin.register(OfficerRole)
class OfficerRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "title", "valid_from", "valid_until"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "officer", "role", "unit"]
    list_filter = ["action", "role"]
    list_select_related = ["actor", "officer", "unit"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
