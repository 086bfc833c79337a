"""``{% payment_panel dossier %}``: the applicant's fee box on their dossier page (the portal
names the tag, never the payments code)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers.models import Dossier

from ..selectors import panel

register = template.Library()


@register.inclusion_tag("payments/_citizen_panel.html")
def payment_panel(dossier: Dossier) -> dict[str, Any]:
    return {"dossier": dossier, "panel": panel(dossier)}
