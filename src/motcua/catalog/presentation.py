"""How catalog facts read to a person: time limits in words, money in VND."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop
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


# The catalog's gaps and process problems are written for `motcua catalog-check` (English,
# with codes); a public page says them in plain words, by what they start with.
GAP_TEXTS = (
    ("no detailed record",
     noop("hồ sơ quốc gia chưa có thông tin chi tiết (giấy tờ, phí, thời hạn)")),
    ("the national record gives no usable time limit",
     noop("hồ sơ quốc gia không ghi thời hạn giải quyết dùng được; bộ phận một cửa nhập thời "
          "hạn theo văn bản quy định khi tiếp nhận")),
    ("no usable time limit", noop("hồ sơ quốc gia không ghi thời hạn giải quyết dùng được")),
    ("time limit of case",
     noop("thời hạn của một trường hợp trong hồ sơ quốc gia không đọc được")),
    ("central agency", noop("thủ tục của cơ quan trung ương, không tiếp nhận tại Hà Nội")),
    ("service facility",
     noop("do cơ sở cung ứng dịch vụ thực hiện, không qua bộ phận một cửa")),
    ("executing body not recognised", noop("chưa xác định được cơ quan thực hiện tại Hà Nội")),
    ("no executing body", noop("hồ sơ quốc gia không ghi cơ quan thực hiện")),
    ("code ", noop("mã thủ tục trong hồ sơ quốc gia không đúng dạng")),
)  # fmt: skip


def gap_text(gap: object) -> str:
    """A catalog gap or process problem in plain Vietnamese (or English), for the public."""
    text = str(gap or "").strip()
    for start, plain in GAP_TEXTS:
        if text.startswith(start):
            return _(plain)
    return _("thông tin nguồn chưa đầy đủ") if text else ""
