from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.common.admin import ReadOnlyAdmin
from motcua.common.clock import now

from .constants import SECRET_KINDS
from .models import AdminAlert, Notification
from .services import notifications_resend


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox as administrators see it: read-only, with failed rows to send again."""

    list_display = [
        "created_at", "kind", "channel", "recipient", "dossier", "status", "attempts", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient", "dossier__code", "dossier__ref", "subject"]
    list_select_related = ["dossier"]
    date_hierarchy = "created_at"
    # The text of a message carrying a secret (a reset link) is not shown (decision 0037).
    readonly_fields = [
        "text" if field.name == "body" else field.name for field in Notification._meta.fields
    ]
    fields = tuple(readonly_fields)
    actions = ["resend"]

    @admin.display(description=_("nội dung"))
    def text(self, obj: Notification) -> str:
        return str(_("(không hiển thị: có mã bí mật)")) if obj.kind in SECRET_KINDS else obj.body

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Gửi lại các thông báo gửi không được"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend(ids=list(queryset.values_list("pk", flat=True)), at=now())
        self.message_user(
            request, _("Đã xếp lại %(count)d thông báo để gửi.") % {"count": count}, messages.INFO
        )


@admin.register(AdminAlert)
class AdminAlertAdmin(ReadOnlyAdmin):
    """Alerts for administrators (dead letters of the outbox): read, then marked resolved."""

    list_display = ["last_at", "title", "count", "first_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "detail"]
    readonly_fields = [field.name for field in AdminAlert._meta.fields]
    actions = ["resolve"]

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_adminalert")

    @admin.action(description=_("Đánh dấu đã xử lý"), permissions=["resolve"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[AdminAlert]) -> None:
        count = queryset.filter(resolved_at=None).update(resolved_at=now())
        self.message_user(
            request, _("Đã đánh dấu %(count)d cảnh báo là đã xử lý.") % {"count": count},
            messages.INFO,
        )  # fmt: skip
