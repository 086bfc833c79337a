"""Feedback in the Django admin, read-only: every change goes through the services, which
record it in the sealed history; the admin only looks."""

from __future__ import annotations

from django.contrib import admin

from motcua.common.admin import ReadOnlyAdmin

from .models import Feedback, FeedbackEvent


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("code", "subject", "unit", "status", "received_at", "answer_due")
    list_filter = ("status", "subject", "channel")
    search_fields = ("code", "title")
    raw_id_fields = ("procedure", "dossier", "officer", "unit", "sender", "recorded_by")


@admin.register(FeedbackEvent)
class FeedbackEventAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "seq", "action", "actor_name", "at")
    list_filter = ("action",)
