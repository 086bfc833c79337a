from __future__ import annotations

from django import template

from motcua.supervision import figures

register = template.Library()


@register.filter
def vn_number(value: float | int | None, places: int = 0) -> str:
    return figures.number(value, int(places))


@register.filter
def vn_percent(value: float | None) -> str:
    return figures.percent(value)


@register.filter
def vn_day(value: object) -> str:
    return figures.day(value)  # type: ignore[arg-type]
