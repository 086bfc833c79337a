"""Feedback in the Django admin, read-only: every change goes through the services, which
record it in the sealed history; the admin only looks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Feedback, FeedbackEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly):
    list_display = ("code", "subject", "unit", "status", "received_at", "answer_due")
    list_filter = ("status", "subject", "channel")
    search_fields = ("code", "title")
    raw_id_fields = ("procedure", "dossier", "officer", "unit", "sender", "recorded_by")


@admin.register(FeedbackEvent)
class FeedbackEventAdmin(ReadOnly):
    list_display = ("feedback", "seq", "action", "actor_name", "at")
    list_filter = ("action",)
