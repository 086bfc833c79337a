from django.db import models
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class SupplementModeChoice(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng đồng hồ (trừ thời gian chờ bổ sung, cách tính QĐ 766)")
    RESTART = "restart", _("Tính lại từ đầu khi nhận đủ hồ sơ bổ sung (NĐ 61/2018 Điều 19)")


class DayOrigin(models.TextChoices):
    """Why a day is off or worked, shown on the calendar page."""

    STATUTORY = "statutory", _("Ngày lễ, Tết theo Bộ luật Lao động")
    SUBSTITUTED = "substituted", _("Nghỉ hoán đổi")
    ANNOUNCED = "announced", _("Theo thông báo hằng năm")
    OVERRIDE = "override", _("Điều chỉnh của quản trị")
