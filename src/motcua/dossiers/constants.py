from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import ChannelMethod


class Status(models.TextChoices):
    """Internal states; each maps to one national status code (TrangThaiHoSo 1–10)."""

    NEW = "new", _("Mới nộp, chờ tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    NOT_RECEIVED = "not_received", _("Từ chối tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")
    STOPPED = "stopped", _("Dừng giải quyết")
    PROCESSED = "processed", _("Đã có kết quả")
    RETURNED = "returned", _("Đã trả kết quả")


NATIONAL_STATUS = {
    Status.NEW: 1,
    Status.RECEIVED: 2,
    Status.NOT_RECEIVED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    # 7 "Công dân yêu cầu rút hồ sơ" is the instant of the request; it ends in 8 at once.
    Status.STOPPED: 8,
    Status.PROCESSED: 9,
    Status.RETURNED: 10,
}
FINAL = frozenset({Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED})
# Not final, as a positive list in a fixed order: partial indexes name it, and a query that
# names the same list lets the database use them (few dossiers are open, most are done).
OPEN_STATUSES = [status for status in Status.values if status not in FINAL]
OPEN_FOR_PROCESSING = frozenset({Status.RECEIVED, Status.PROCESSING})
# Waiting for the applicant's supplement or payment: the processing clock is stopped. (A list:
# its order is kept when the values are put back into a prepared query.)
WAITING_FOR_APPLICANT = [Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT]


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp tại quầy")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


CHANNELS = frozenset(Channel.values)  # ``Channel.values`` is a new list each time it is read


def catalogue_method(channel: str) -> str:
    """The catalogue's channel (``ChannelMethod``) whose fees a dossier of that channel owes:
    online for online, the counter's for the rest (the national portal's records and the post
    carry the counter's fees here)."""
    return ChannelMethod.ONLINE if channel == Channel.ONLINE else ChannelMethod.DIRECT


class Action(models.TextChoices):
    SUBMIT = "submit", _("Nộp hồ sơ")
    RECEIVE = "receive", _("Tiếp nhận")
    REFUSE_RECEPTION = "refuse_reception", _("Từ chối tiếp nhận")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung")
    SUBMIT_SUPPLEMENT = "submit_supplement", _("Nộp bổ sung")
    ASSIGN = "assign", _("Phân công")
    FORWARD = "forward", _("Chuyển bước tiếp theo")
    RETURN_STEP = "return_step", _("Trả lại bước trước")
    TRANSFER = "transfer", _("Chuyển đơn vị khác")
    ACCEPT_TRANSFER = "accept_transfer", _("Nhận hồ sơ chuyển đến")
    RETURN_TRANSFER = "return_transfer", _("Trả lại hồ sơ chuyển đến")
    CONSULT = "consult", _("Lấy ý kiến")
    ANSWER_CONSULTATION = "answer_consultation", _("Trả lời ý kiến")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu nộp phí")
    PAY = "pay", _("Nộp phí")
    APPROVE = "approve", _("Phê duyệt")
    REJECT = "reject", _("Từ chối giải quyết")
    APOLOGIZE = "apologize", _("Xin lỗi, hẹn lại ngày trả")
    COMPLETE = "complete", _("Có kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    WITHDRAW = "withdraw", _("Rút hồ sơ, dừng giải quyết")
    ATTACH = "attach", _("Đính kèm giấy tờ")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Giải quyết")
    REJECTED = "rejected", _("Không giải quyết")


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Chờ bổ sung")
    PAYMENT = "payment", _("Chờ nộp phí")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class DocumentKind(models.TextChoices):
    """Forms issued to the applicant or kept on file; each is a record that never changes."""

    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    REJECTION = "rejection", _("Phiếu từ chối giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP = "stop", _("Thông báo dừng giải quyết hồ sơ")
    DECISION = "decision", _("Thông báo kết quả giải quyết hồ sơ")
    CONTROL_SLIP = "control_slip", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    # Issued by the payments app with the fee's receipt number (decision 0028, issue 16).
    FEE_RECEIPT = "fee_receipt", _("Biên lai thu phí, lệ phí (điện tử)")


class StepOutcome(models.TextChoices):
    FORWARDED = "forwarded", _("Chuyển bước tiếp")
    RETURNED = "returned", _("Trả lại bước trước")
    TRANSFERRED = "transferred", _("Chuyển đơn vị khác")
    DECIDED = "decided", _("Ký, quyết định")
    COMPLETED = "completed", _("Hoàn thành")
    STOPPED = "stopped", _("Dừng")
