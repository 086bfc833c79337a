from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Có kết quả giải quyết")
    APOLOGY = "apology", _("Xin lỗi, hẹn lại ngày trả")
    OFFICER_ALERT = "officer_alert", _("Cảnh báo hạn xử lý cho cán bộ")
    BUNDLE_STOPPED = "bundle_stopped", _("Hồ sơ liên thông dừng các thủ tục sau")
    ACCOUNT_MAIL = "account_mail", _("Thư về tài khoản (đặt lại mật khẩu)")
    ADMIN_ALERT = "admin_alert", _("Cảnh báo cho quản trị hệ thống")


# Messages that carry a secret (a password reset link): their text is not shown in the admin
# and is erased once sent.
SECRET_KINDS = frozenset({Kind.ACCOUNT_MAIL})


class NotifyChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")  # the dead letters: retries exhausted
