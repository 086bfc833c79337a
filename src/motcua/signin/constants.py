from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEventKind(models.TextChoices):
    ENROLLED = "enrolled", _("Đăng ký ứng dụng xác thực")
    DEVICE_RESET = "device_reset", _("Bắt đầu đổi ứng dụng xác thực")
    CODES_REGENERATED = "codes_regenerated", _("Tạo lại mã dự phòng")
    OTP_VERIFIED = "otp_verified", _("Xác thực hai bước thành công")
    RECOVERY_USED = "recovery_used", _("Dùng mã dự phòng")
    OTP_FAILED = "otp_failed", _("Nhập sai mã xác thực")
    OTP_THROTTLED = "otp_throttled", _("Tạm chặn nhập mã do sai nhiều lần")
    REAUTH_OK = "reauth_ok", _("Xác nhận lại mật khẩu")
    REAUTH_FAILED = "reauth_failed", _("Xác nhận lại mật khẩu không đúng")
    IDLE_EXPIRED = "idle_expired", _("Hết phiên do không hoạt động")
    MAX_AGE_EXPIRED = "max_age_expired", _("Hết thời hạn tối đa của phiên")
    VNEID_SIGNED_IN = "vneid_signed_in", _("Đăng nhập bằng VNeID")
    VNEID_LINKED = "vneid_linked", _("Liên kết tài khoản với VNeID")
