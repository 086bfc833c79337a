"""The catalog's technical notes in plain words on public pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from motcua.catalog.presentation import gap_text

register = template.Library()


@register.filter
def plain_gap(gap: object) -> str:
    return gap_text(gap)


@register.filter
def plain_gaps(gaps: Iterable[object] | None) -> str:
    texts = [gap_text(gap) for gap in gaps or []]
    return "; ".join(dict.fromkeys(text for text in texts if text))
