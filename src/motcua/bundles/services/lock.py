"""The one way to lock a bundle's row for a step of its saga."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.common.prepared import PreparedQuery

from ..models import Bundle


def bundle_locked(bundle_id: int) -> QuerySet[Bundle]:
    return Bundle.objects.select_for_update().filter(pk=bundle_id).order_by()


# Taken at every step of every bundle's saga (advance, registry replies): compiled once per
# connection.
BUNDLE_LOCKED = PreparedQuery(bundle_locked, bundle_id=(1, 2))
