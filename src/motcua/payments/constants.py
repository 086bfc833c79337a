from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    ONLINE = "online", _("Thanh toán trực tuyến")
    CASH = "cash", _("Tiền mặt tại quầy")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    DECLINED = "declined", _("Bị từ chối")
    EXPIRED = "expired", _("Hết hạn")
    FAILED = "failed", _("Không tạo được giao dịch")


FINAL = frozenset({PaymentStatus.PAID, PaymentStatus.DECLINED, PaymentStatus.EXPIRED})


class OnlineFlag(models.IntegerChoices):
    """Decision 766, DuocThanhToanTrucTuyen."""

    NONE = 0, _("Không thanh toán trực tuyến")
    NATIONAL = 1, _("Nền tảng thanh toán của Cổng DVCQG")
    LOCAL = 2, _("Cổng thanh toán của địa phương")


class CallbackOutcome(models.TextChoices):
    APPLIED = "applied", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng, bỏ qua")
    FORGED = "forged", _("Sai chữ ký, từ chối")
    UNKNOWN = "unknown", _("Không có giao dịch này")
    INVALID = "invalid", _("Nội dung không hợp lệ")
