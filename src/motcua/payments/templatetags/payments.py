"""``{% payment_panel dossier %}``: the applicant's fee box on their dossier page;
``{% submission_fee procedure %}``: the online fee on the one submission page, with the choice to
pay it as the dossier is sent (the portal names the tags, never the payments code)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from motcua.catalog.models import Procedure
from motcua.catalog.presentation import money_text
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier

from ..fees import fee_lines
from ..selectors import panel

register = template.Library()


@register.inclusion_tag("payments/_citizen_panel.html")
def payment_panel(dossier: Dossier) -> dict[str, Any]:
    return {"dossier": dossier, "panel": panel(dossier)}


@register.inclusion_tag("payments/_submission_fee.html")
def submission_fee(
    procedure: Procedure, checked: bool = False, payable: bool = True
) -> dict[str, Any]:
    """The fee of an online submission; ``payable`` offers to pay right after sending (a
    visitor not signed in is told the amount before deciding to make an account)."""
    lines = fee_lines(procedure.pk, Channel.ONLINE) if settings.MOTCUA_PAYMENT_URL else []
    total = sum(int(line["amount_vnd"]) for line in lines)
    return {"total": total, "total_text": money_text(total), "checked": checked, "payable": payable}
