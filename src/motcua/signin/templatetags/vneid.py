from __future__ import annotations

from typing import Any

from django import template

from motcua.signin.vneid import enabled

register = template.Library()


@register.inclusion_tag("signin/vneid_button.html")
def vneid_button(next_url: str = "") -> dict[str, Any]:
    """The "Đăng nhập bằng VNeID" button, when a provider is configured."""
    return {"enabled": enabled(), "next": next_url}
