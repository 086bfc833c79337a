from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProcedureKind(models.TextChoices):
    STANDARD = "standard", _("Thủ tục chung (trung ương ban hành)")
    SPECIFIC = "specific", _("Thủ tục đặc thù của địa phương")
    INTERNAL = "internal", _("Thủ tục nội bộ")


class CompetenceLevel(models.TextChoices):
    COMMUNE = "commune", _("Cấp xã")
    CITY = "city", _("Cấp thành phố (UBND, Chủ tịch UBND)")
    DEPARTMENT = "department", _("Sở, ngành")
    CENTRAL_LOCAL = "central_local", _("Cơ quan trung ương tại địa phương (công an, BHXH, thuế)")
    MINISTRY = "ministry", _("Bộ, cơ quan trung ương")
    FACILITY = "facility", _("Cơ sở cung ứng dịch vụ (bệnh viện, trung tâm sát hạch…)")
    UNKNOWN = "unknown", _("Chưa xác định")


# Levels no Hà Nội one-stop counter receives: a central agency's own procedures, and services a
# facility (hospital, test centre) delivers at its own door. Such records leave the Hà Nội set.
OUTSIDE_ONE_STOP = frozenset({CompetenceLevel.MINISTRY, CompetenceLevel.FACILITY})


class CommuneBody(models.TextChoices):
    PEOPLE_COMMITTEE = "people_committee", _("UBND cấp xã")
    POLICE = "police", _("Công an cấp xã")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")
    UNKNOWN = "unknown", _("Chưa có thông tin")


# Levels at which a citizen may submit online here (the others: at the counter only).
ONLINE_SUBMISSION = frozenset({OnlineLevel.FULL, OnlineLevel.PARTIAL})


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    CALENDAR_DAY = "calendar_day", pgettext_lazy("time limit unit", "ngày")
    WORKING_HOUR = "working_hour", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")
    UNKNOWN = "unknown", _("chưa rõ")


class ChannelMethod(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính")


class FeeType(models.TextChoices):
    FEE = "fee", _("Lệ phí")
    SERVICE_FEE = "service_fee", _("Phí")
    PRICE = "price", _("Giá dịch vụ")


class ProcessStatus(models.TextChoices):
    ACTIVE = "active", _("Đang áp dụng")
    NEEDS_CONFIGURATION = "needs_configuration", _("Cần cấu hình")
    RETIRED = "retired", _("Đã thay thế")


class ProcessSource(models.TextChoices):
    TEMPLATE = "template", _("Mẫu mặc định theo loại thủ tục")
    HAND_WRITTEN = "hand_written", _("Quy trình được phê duyệt")


class StepScope(models.TextChoices):
    RECEIVING = "receiving", _("Đơn vị tiếp nhận")
    DECIDING = "deciding", _("Đơn vị giải quyết")
