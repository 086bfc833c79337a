"""The feedback (phản ánh, kiến nghị — PAKN) workflow: states, actions and its deadlines.

The four deadlines are those Decision 766/QĐ-TTg scores in indicators 5.1–5.3 (DOMAIN.md §3):
refuse within 2 working days, ask for more within 5, answer within 15, publish the answer within
2 working days after answering. They are counted in working time (``motcua.worktime``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.worktime.rules import Limit, LimitUnit

REJECT_LIMIT = Limit(2, LimitUnit.WORKING_DAY)
REQUEST_LIMIT = Limit(5, LimitUnit.WORKING_DAY)
ANSWER_LIMIT = Limit(15, LimitUnit.WORKING_DAY)
PUBLISH_LIMIT = Limit(2, LimitUnit.WORKING_DAY)
# An alert is raised when this much working time is left before the answer or the publication.
DUE_SOON_WORKING_HOURS = 16

TEXT_MAX = 4000
TITLE_MAX = 200
MAX_ATTACHMENTS = 5


class Subject(models.TextChoices):
    PROCEDURE = "procedure", _("Thủ tục hành chính")
    DOSSIER = "dossier", _("Hồ sơ của tôi")
    OFFICER = "officer", _("Cán bộ, công chức")


class FeedbackChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại quầy")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đang xử lý")
    WAITING = "waiting", _("Chờ người gửi bổ sung thông tin")
    REJECTED = "rejected", _("Từ chối tiếp nhận")
    ANSWERED = "answered", _("Đã trả lời, chờ công khai")
    PUBLISHED = "published", _("Đã trả lời và công khai")


class FeedbackAction(models.TextChoices):
    SUBMIT = "submit", _("Gửi phản ánh, kiến nghị")
    RECORD = "record", _("Ghi nhận tại quầy")
    REJECT = "reject", _("Từ chối tiếp nhận")
    REQUEST_MORE = "request_more", _("Đề nghị bổ sung thông tin")
    SUPPLY_MORE = "supply_more", _("Bổ sung thông tin")
    ANSWER = "answer", _("Trả lời")
    PUBLISH = "publish", _("Công khai kết quả trả lời")
    ALERT = "alert", _("Cảnh báo hạn xử lý")


class AlertKind(models.TextChoices):
    ANSWER_DUE_SOON = "answer_due_soon", _("Sắp hết hạn trả lời phản ánh")
    ANSWER_OVERDUE = "answer_overdue", _("Quá hạn trả lời phản ánh")
    PUBLISH_OVERDUE = "publish_overdue", _("Quá hạn công khai kết quả trả lời")


# Which actions an officer may take from which state (the one table; pages and services read it).
OFFICER_ACTIONS: dict[str, frozenset[str]] = {
    FeedbackAction.REJECT: frozenset({FeedbackStatus.RECEIVED}),
    FeedbackAction.REQUEST_MORE: frozenset({FeedbackStatus.RECEIVED}),
    FeedbackAction.ANSWER: frozenset({FeedbackStatus.RECEIVED}),
    FeedbackAction.PUBLISH: frozenset({FeedbackStatus.ANSWERED}),
}
OPEN_STATUSES = frozenset({FeedbackStatus.RECEIVED, FeedbackStatus.WAITING})
