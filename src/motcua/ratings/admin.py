from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.common.admin import ReadOnlyAdmin

from .models import CRITERIA, Rating

FIELDS: tuple[str, ...] = ("dossier", "user", "created_at", *CRITERIA, "comment")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    """Read-only: a rating is the citizen's word and is never edited."""

    list_display = ["dossier", "created_at", "is_satisfied", "user"]
    list_filter = ["created_at"]
    search_fields = ["dossier__code", "dossier__ref"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "user"]
    fields = FIELDS
    readonly_fields = FIELDS

    @admin.display(boolean=True, description=_("Hài lòng"))
    def is_satisfied(self, obj: Rating) -> bool:
        return obj.satisfied
