"""How catalog facts read to a person: time limits in words, money in VND."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .constants import TimeUnit


def number_text(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def time_limit_text(quantity: Decimal | None, unit: str) -> str:
    if unit == TimeUnit.SAME_DAY:
        return _("Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)")
    if quantity is None or unit == TimeUnit.UNKNOWN:
        return _("Chưa có thông tin thời hạn")
    count = 1 if quantity == 1 else 2  # the plural form to use (English has two, Vietnamese one)
    labels = {
        TimeUnit.WORKING_DAY: ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", count),
        TimeUnit.CALENDAR_DAY: ngettext("%(n)s ngày", "%(n)s ngày", count),
        TimeUnit.WORKING_HOUR: ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", count),
    }
    return labels[TimeUnit(unit)] % {"n": number_text(quantity)}


def money_text(amount: int | None) -> str:
    """200000 → "200.000 đ"; 0 → "Miễn phí"."""
    if amount is None:
        return _("Theo quy định")
    if amount == 0:
        return _("Miễn phí")
    return f"{amount:,}".replace(",", ".") + " đ"
