from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import now

from .models import Notification
from .services import notifications_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox as administrators see it: read-only, with failed rows to send again."""

    list_display = [
        "created_at", "kind", "channel", "recipient", "dossier", "status", "attempts", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient", "dossier__code", "dossier__ref", "subject"]
    list_select_related = ["dossier"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Gửi lại các thông báo gửi không được"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend(ids=list(queryset.values_list("pk", flat=True)), at=now())
        self.message_user(
            request, _("Đã xếp lại %(count)d thông báo để gửi.") % {"count": count}, messages.INFO
        )
