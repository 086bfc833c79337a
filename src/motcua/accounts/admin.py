from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.common.admin import ReadOnlyAdmin
from motcua.common.clock import now, today
from motcua.common.errors import DomainError

from . import grants, permissions, tokens
from .constants import Capability, ChangeVia
from .models import ApiToken, BusinessProfile, CitizenProfile, OfficerRole, RoleChange, User


class CitizenProfileInline(admin.StackedInline):
    model = CitizenProfile
    extra = 0
    autocomplete_fields = ["residence_unit"]


class BusinessProfileInline(admin.StackedInline):
    model = BusinessProfile
    extra = 0


class OfficerRoleInline(admin.TabularInline):
    """Shown, never edited here: roles change only through "Vai trò cán bộ", where the grant
    rules apply and every change is recorded."""

    model = OfficerRole
    extra = 0
    can_delete = False
    fields = ["role", "unit", "title", "valid_from", "valid_until", "document_number"]
    readonly_fields = ["role", "unit", "title", "valid_from", "valid_until", "document_number"]
    verbose_name_plural = _("vai trò cán bộ (cấp, sửa, thu hồi ở mục “Vai trò cán bộ”)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone", "home_unit")}),
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
    autocomplete_fields = ["home_unit"]
    inlines = [OfficerRoleInline, CitizenProfileInline, BusinessProfileInline]


# Django's Vietnamese locale names no input format: the default would read 05/03/2026 the US way.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_HINT = _("dd/mm/yyyy")


class OfficerRoleAdminForm(forms.ModelForm):
    """Asks the grant services whether the change is allowed before anything is saved, so a
    refusal shows on the form. ``actor`` is set per request by ``OfficerRoleAdmin.get_form``."""

    actor: User | None = None
    change_document_number = forms.CharField(
        label=_("Số văn bản của thay đổi này"), max_length=60, required=False
    )
    change_document_date = forms.DateField(
        label=_("Ngày văn bản của thay đổi này"),
        required=False,
        help_text=DATE_HINT,
        input_formats=DATE_INPUT_FORMATS,
    )

    class Meta:
        model = OfficerRole
        fields = [
            "user", "unit", "role", "title", "valid_from", "valid_until", "document_number",
            "document_date",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.actor is None:
            return data
        try:
            if self.instance.pk is None:
                grants.officer_role_grant_check(
                    actor=self.actor, officer=data["user"], unit=data["unit"], role=data["role"],
                    at=now(), valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
                    document_number=data.get("document_number") or "",
                    document_date=data.get("document_date"), title=data.get("title") or "",
                )  # fmt: skip
            else:
                grants.officer_role_change_check(
                    actor=self.actor, officer_role=stored_role(self.instance.pk), at=now(),
                    title=data.get("title") or "", valid_until=data.get("valid_until"),
                    document_number=data.get("change_document_number") or "",
                    document_date=data.get("change_document_date"),
                )  # fmt: skip
        except DomainError as refused:
            raise ValidationError(str(refused.message)) from refused
        return data


def stored_role(pk: int) -> OfficerRole:
    return OfficerRole.objects.select_related("user", "unit").get(pk=pk)


ADD_FIELDS = [
    "user", "unit", "role", "title", "valid_from", "valid_until", "document_number",
    "document_date",
]  # fmt: skip
CHANGE_FIELDS = [
    "user", "unit", "role", "valid_from", "document_number", "document_date", "title",
    "valid_until", "change_document_number", "change_document_date",
]  # fmt: skip


@admin.register(OfficerRole)
class OfficerRoleAdmin(admin.ModelAdmin):
    """Grants, changes and revocations go through ``accounts.grants`` with the same rules as the
    unit page, and are recorded; a role is ended (its last day set), never deleted."""

    form = OfficerRoleAdminForm
    formfield_overrides = {models.DateField: {"input_formats": DATE_INPUT_FORMATS}}
    list_display = [
        "user", "role", "unit", "title", "valid_from", "valid_until", "document_number",
    ]  # fmt: skip
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return CHANGE_FIELDS if obj is not None else ADD_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "unit", "role", "valid_from", "document_number", "document_date"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfficerRole]:
        roles = super().get_queryset(request)
        user: User = request.user  # type: ignore[assignment]
        if user.is_superuser:
            return roles
        return roles.filter(unit_id__in=grants.managed_unit_ids(user, today()))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OfficerRole, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        if not change:
            granted = grants.officer_role_grant(
                actor=actor, officer=obj.user, unit=obj.unit, role=obj.role, at=now(),
                title=obj.title, valid_from=obj.valid_from, valid_until=obj.valid_until,
                document_number=obj.document_number, document_date=obj.document_date,
                via=ChangeVia.ADMIN,
            )  # fmt: skip
            obj.pk = granted.pk
            return
        grants.officer_role_change(
            actor=actor, officer_role=stored_role(obj.pk), at=now(), title=data.get("title") or "",
            valid_until=data.get("valid_until"),
            document_number=data.get("change_document_number") or "",
            document_date=data.get("change_document_date"), via=ChangeVia.ADMIN,
        )  # fmt: skip

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing else to save: the service wrote the role."""


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "at", "actor", "action", "officer", "role", "unit", "valid_from", "valid_until",
        "document_number", "document_date", "via",
    ]  # fmt: skip
    list_filter = ["action", "role", "via"]
    search_fields = ["officer__username", "officer__full_name", "unit__name", "document_number"]
    list_select_related = ["actor", "officer", "unit"]


TOKEN_FIELDS = [
    "name", "user", "scope", "units", "token_hash", "created_at", "created_by", "expires_at",
    "last_used_at", "revoked_at", "revoked_by", "revoked_via",
]  # fmt: skip


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Listed and revoked here; issued with ``motcua api-token`` (the secret is shown once, only
    its hash is kept); never deleted."""

    list_display = [
        "pk", "name", "user", "scope", "unit_codes", "created_at", "expires_at", "last_used_at",
        "revoked_at", "status",
    ]  # fmt: skip
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    fields = TOKEN_FIELDS  # type: ignore[assignment]
    readonly_fields = TOKEN_FIELDS
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        found = super().get_queryset(request).prefetch_related("units")
        user: User = request.user  # type: ignore[assignment]
        if user.is_superuser:
            return found
        managed = permissions.unit_ids_with(user, Capability.MANAGE_STAFF)
        return found.filter(Q(user=user) | Q(units__in=managed)).distinct()

    @admin.display(description=_("đơn vị"))
    def unit_codes(self, token: ApiToken) -> str:
        return ", ".join(sorted(unit.code for unit in token.units.all()))

    @admin.display(description=_("trạng thái"))
    def status(self, token: ApiToken) -> str:
        return token.status_on(now())

    @admin.action(description=_("Thu hồi các mã đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        done = 0
        for token in queryset:
            try:
                tokens.api_token_revoke(actor=actor, token=token, at=now(), via=ChangeVia.ADMIN)
            except DomainError as refused:
                self.message_user(request, f"{token.name}: {refused.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("Đã thu hồi %(n)d mã.") % {"n": done}, messages.SUCCESS)
