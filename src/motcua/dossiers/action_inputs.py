"""The inputs an action asks for (``ActionSpec.inputs``): how the web form renders each and
the API validates it, and what is said when a required one is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Input:
    """One input of an action: how the web form renders it and the API validates it."""

    name: str
    kind: str  # text | lines | date | user | unit | consultation | int | items | file | confirm
    label: str | Promise
    required: bool = False
    hint: str | Promise = ""
    missing: str | Promise = ""  # what to say when a required input is missing


REASON = Input("reason", "text", _("Lý do"), required=True, missing=_("Cần ghi rõ lý do."))
NOTE = Input("reason", "text", _("Ghi chú"))
AMOUNT = Input(
    "amount_vnd", "int", _("Số tiền (đồng)"), required=True, missing=_("Cần nhập số tiền (đồng).")
)
CONFIRM = Input("confirm", "confirm", _("Tôi hiểu thao tác này không thể hoàn tác."), required=True)
ASSIGNEE = Input(
    "assignee", "user", _("Cán bộ xử lý"), required=True, missing=_("Cần chọn cán bộ xử lý.")
)
TRANSFER_TO = Input(
    "to_unit", "unit", _("Chuyển tới đơn vị"), required=True,
    missing=_("Cần chọn đơn vị chuyển tới."),
)  # fmt: skip
CONSULTED_UNIT = Input(
    "to_unit", "unit", _("Đơn vị được hỏi ý kiến"), required=True,
    missing=_("Cần chọn đơn vị được hỏi ý kiến."),
)  # fmt: skip
QUESTION = Input(
    "reason", "text", _("Nội dung cần cho ý kiến"), required=True,
    missing=_("Cần ghi nội dung cần cho ý kiến."),
)  # fmt: skip
ANSWER = Input(
    "reason", "text", _("Ý kiến trả lời"), required=True, missing=_("Cần ghi ý kiến trả lời.")
)
