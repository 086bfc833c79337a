"""The citizen criteria of Decree 61/2018/NĐ-CP, art. 31, as a short three-level form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 1000


class Criterion(models.TextChoices):
    """One question per criterion of art. 31; the value is also the model field's name."""

    TIME = "time", _("Thời gian giải quyết")
    BODIES = "bodies", _("Số cơ quan, đơn vị phải liên hệ")
    CONTACTS = "contacts", _("Số lần phải đi lại, liên hệ")
    INFORMATION = "information", _("Thông tin công khai về thủ tục")
    ATTITUDE = "attitude", _("Thái độ của cán bộ")
    COSTS = "costs", _("Chi phí")
    COMPLAINTS = "complaints", _("Tiếp nhận, xử lý phản ánh, kiến nghị")
    ONLINE = "online", _("Dịch vụ công trực tuyến")


# A short question in plain Vietnamese for each criterion (shown under its name on the form).
QUESTIONS = {
    Criterion.TIME: _("Hồ sơ có được trả kết quả đúng hoặc sớm hơn ngày hẹn không?"),
    Criterion.BODIES: _("Bạn có phải đến nhiều cơ quan, đơn vị khác nhau để làm thủ tục không?"),
    Criterion.CONTACTS: _("Bạn phải đi lại, liên hệ bao nhiêu lần để hồ sơ được đầy đủ?"),
    Criterion.INFORMATION: _(
        "Thông tin về thủ tục được công khai (giấy tờ, phí, thời hạn) có đúng và đủ không?"
    ),
    Criterion.ATTITUDE: _("Cán bộ hướng dẫn, tiếp nhận và trả kết quả có lịch sự, tận tình không?"),
    Criterion.COSTS: _("Số tiền bạn phải nộp có đúng mức phí, lệ phí đã công khai không?"),
    Criterion.COMPLAINTS: _(
        "Nếu bạn có phản ánh, kiến nghị: có được trả lời kịp thời không? "
        "Nếu không có, hãy chọn «Bình thường»."
    ),
    Criterion.ONLINE: _(
        "Nếu bạn nộp hoặc theo dõi hồ sơ trên mạng: có dễ dùng không? "
        "Nếu không dùng, hãy chọn «Bình thường»."
    ),
}


class Score(models.IntegerChoices):
    """Three levels, stored as 2/1/0 like the indices of Circular 01/2018/TT-VPCP art. 13."""

    SATISFIED = 2, _("Hài lòng")
    NEUTRAL = 1, _("Bình thường")
    DISSATISFIED = 0, _("Không hài lòng")
