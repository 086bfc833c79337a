"""Numbers and dates as the dashboard and its reports write them: Vietnamese by default (thousands
"1.234", decimals "85,71", dates dd/mm/yyyy), English separators when the page is in English.
Django's Vietnamese locale does not group thousands, so the grouping is done here."""

from __future__ import annotations

import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.dossiers.deadlines import local_date

NA = "N/A"


def number(value: float | int | None, places: int = 0) -> str:
    """``1234.5`` → "1.234,50" (vi) or "1,234.50" (en); None → N/A (a zero denominator)."""
    if value is None:
        return NA
    text = f"{value:,.{places}f}"  # "1,234.50"
    if (get_language() or "vi").startswith("en"):
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: float | None) -> str:
    return NA if value is None else f"{number(value, 2)} %"


def day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = local_date(value)
    return value.strftime("%d/%m/%Y")


def day_parse(text: str) -> datetime.date:
    """dd/mm/yyyy (what the page shows), or yyyy-mm-dd (what the API and the command take)."""
    text = text.strip()
    try:
        if "/" in text:
            return datetime.datetime.strptime(text, "%d/%m/%Y").date()
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Ngày không hợp lệ (dd/mm/yyyy): %(text)s") % {"text": text}) from None
