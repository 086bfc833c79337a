from __future__ import annotations

from django import template

from motcua.accounts.models import User

from ..selectors import rating_unit_ids

register = template.Library()


@register.filter
def can_view_ratings(user: User) -> bool:
    """Whether the ratings page would open for this user (leaders, supervisors)."""
    return bool(getattr(user, "is_authenticated", False) and rating_unit_ids(user))
