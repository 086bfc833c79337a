"""States of a linked bundle and of each of its members (the saga's vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BundleStatus(models.TextChoices):
    """The parent's state, derived from its members' states (``saga.bundle_status``)."""

    SUBMITTED = "submitted", _("Đã nộp, chờ tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    DONE = "done", _("Đã có đủ kết quả")
    PARTLY_DONE = "partly_done", _("Có kết quả một phần")
    REFUSED = "refused", _("Không được giải quyết")
    WITHDRAWN = "withdrawn", _("Dừng theo yêu cầu người nộp")


class MemberState(models.TextChoices):
    """Where one member stands in the saga. A member without a dossier is waiting for its
    upstream result, or was cancelled before it started; with a dossier it follows that
    dossier's status (``saga.member_state_of``)."""

    WAITING = "waiting", _("Chờ kết quả của thủ tục trước")
    PENDING = "pending", _("Đã chuyển, chờ cơ quan tiếp nhận")
    ACTIVE = "active", _("Đang giải quyết")
    PAUSED = "paused", _("Tạm dừng (chờ bổ sung hoặc nộp phí)")
    RECORDING = "recording", _("Đã có kết quả, đang ghi vào cơ sở dữ liệu quốc gia")
    DONE = "done", _("Đã có kết quả")
    REFUSED = "refused", _("Không được giải quyết")
    STOPPED = "stopped", _("Dừng giải quyết")
    CANCELLED = "cancelled", _("Không thực hiện")


TERMINAL_MEMBER_STATES = frozenset(
    {MemberState.DONE, MemberState.REFUSED, MemberState.STOPPED, MemberState.CANCELLED}
)
# A member whose dossier exists and has no decision yet: what a withdrawal stops.
UNDECIDED_WITH_DOSSIER = frozenset({MemberState.PENDING, MemberState.ACTIVE, MemberState.PAUSED})
TERMINAL_BUNDLE_STATUSES = frozenset(
    {BundleStatus.DONE, BundleStatus.PARTLY_DONE, BundleStatus.REFUSED, BundleStatus.WITHDRAWN}
)
# Ended with an outcome (every member decided; a refusal is one): what the applicant may rate.
OUTCOME_BUNDLE_STATUSES = TERMINAL_BUNDLE_STATUSES - {BundleStatus.WITHDRAWN}


class BundleAction(models.TextChoices):
    """What a bundle event records."""

    SUBMIT = "submit", _("Nộp hồ sơ liên thông")
    RECEIVE = "receive", _("Tiếp nhận hồ sơ liên thông")
    MEMBER_CHANGED = "member_changed", _("Thủ tục thành phần thay đổi trạng thái")
    HAND_OFF = "hand_off", _("Chuyển kết quả sang cơ quan tiếp theo")
    CANCEL = "cancel", _("Thủ tục thành phần không thực hiện")
    APOLOGY = "apology", _("Cơ quan xin lỗi và hẹn lại ngày trả kết quả")
    ACK_MISSED = "ack_missed", _("Cơ quan chưa phản hồi tiếp nhận đúng hạn")
    REGISTRY_RECORDED = "registry_recorded", _("Đã ghi kết quả vào cơ sở dữ liệu quốc gia")
    REGISTRY_FAILED = "registry_failed", _("Không ghi được vào cơ sở dữ liệu quốc gia")
    NOTICE = "notice", _("Thông báo cho người nộp")
    WITHDRAW = "withdraw", _("Rút hồ sơ liên thông")
    STATUS_CHANGED = "status_changed", _("Hồ sơ liên thông đổi trạng thái")
    FINISH = "finish", _("Kết thúc hồ sơ liên thông")


class Agency(models.TextChoices):
    """How a definition names a member's competent unit (besides ``unit:<code>``)."""

    RECEIVING_WARD = "receiving_ward", _("UBND phường, xã tiếp nhận")
    WARD_POLICE = "ward_police", _("Công an phường, xã tiếp nhận")


class CallStatus(models.TextChoices):
    PENDING = "pending", _("Chờ ghi")
    RECORDED = "recorded", _("Đã ghi")
    FAILED = "failed", _("Không ghi được")
