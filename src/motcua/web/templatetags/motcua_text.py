"""Text filters of the pages: names shortened only where a line must stay short, never mid-word."""

from __future__ import annotations

from django import template

from motcua.common.text import whole_words as cut_whole_words

register = template.Library()


@register.filter
def whole_words(text: object, limit: int) -> str:
    return cut_whole_words(str(text or ""), int(limit))
