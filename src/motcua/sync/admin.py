from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .delivery import send_again
from .models import DossierSync, SyncState
from .reports import STATE_FILTERS


class StateFilter(admin.SimpleListFilter):
    title = _("trạng thái đồng bộ")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(SyncState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        where = STATE_FILTERS.get(self.value() or "")
        return queryset if where is None else queryset.filter(where)


@admin.register(DossierSync)
class DossierSyncAdmin(admin.ModelAdmin):
    list_display = ("dossier", "unit", "state_label", "attempts", "next_attempt_at", "last_error")
    list_filter = (StateFilter, "unit")
    search_fields = ("portal_code", "dossier__code", "dossier__ref")
    list_select_related = ("dossier", "unit")
    actions = ("send_again_action",)
    readonly_fields = [f.name for f in DossierSync._meta.fields]

    @admin.display(description=_("trạng thái"))
    def state_label(self, row: DossierSync) -> str:
        return str(SyncState(row.state).label)

    @admin.action(description=_("Gửi lại lên Cổng DVCQG"))
    def send_again_action(self, request: HttpRequest, queryset: QuerySet[DossierSync]) -> None:
        rows = list(queryset)
        with transaction.atomic():
            count = send_again([row.pk for row in rows])
            for row in rows:  # the admin's history says who sent which dossier again
                self.log_change(request, row, "send again / gửi lại")
        self.message_user(request, _("Đã xếp lịch gửi lại %(n)d hồ sơ.") % {"n": count},
                          messages.SUCCESS)  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
