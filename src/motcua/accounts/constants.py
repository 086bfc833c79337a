from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerRoleName(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    DIVISION_HEAD = "division_head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    SUPERVISOR = "supervisor", _("Giám sát")
    ADMINISTRATOR = "administrator", _("Quản trị đơn vị")


class Capability(models.TextChoices):
    """What an officer may do in a unit. Later features check these, never role names."""

    VIEW_UNIT = "unit.view", _("Xem thông tin đơn vị")
    VIEW_STAFF = "unit.view_staff", _("Xem danh sách cán bộ")
    MANAGE_STAFF = "unit.manage_staff", _("Phân quyền cán bộ")
    RECEIVE_DOSSIER = "dossier.receive", _("Tiếp nhận hồ sơ")
    RETURN_RESULT = "dossier.return_result", _("Trả kết quả")
    PROCESS_DOSSIER = "dossier.process", _("Thẩm định, xử lý hồ sơ")
    ASSIGN_DOSSIER = "dossier.assign", _("Phân công xử lý")
    REVIEW_DOSSIER = "dossier.review", _("Xem xét, trình ký (lãnh đạo phòng)")
    APPROVE_DOSSIER = "dossier.approve", _("Phê duyệt, ký kết quả")
    VIEW_UNIT_DOSSIERS = "dossier.view_unit", _("Xem mọi hồ sơ của đơn vị")
    VIEW_RECEIVED_DOSSIERS = "dossier.view_received", _("Xem hồ sơ bộ phận một cửa đã tiếp nhận")
    VIEW_ASSIGNED_DOSSIERS = (
        "dossier.view_assigned",
        _("Xem hồ sơ được phân công hoặc chưa phân công"),
    )
    VIEW_REPORTS = "report.view", _("Xem báo cáo, chỉ số")
    CONFIGURE = "unit.configure", _("Cấu hình thủ tục, quy trình của đơn vị")


class RoleChangeAction(models.TextChoices):
    GRANTED = "granted", _("Cấp quyền")
    REVOKED = "revoked", _("Thu hồi quyền")
    CHANGED = "changed", _("Sửa thời hạn, chức danh")


class ChangeVia(models.TextChoices):
    """Where a role change or a token revocation was made."""

    WEB = "web", _("Trang đơn vị")
    ADMIN = "admin", _("Trang quản trị hệ thống")
    CLI = "cli", _("Dòng lệnh")
    SYSTEM = "system", _("Hệ thống (nạp dữ liệu)")


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Chỉ đọc")
    ACT = "act", _("Đọc và thực hiện thao tác")


# What a read-only API token keeps of its officer's capabilities: reading, never acting.
READ_ONLY_CAPABILITIES = frozenset(
    {
        Capability.VIEW_UNIT,
        Capability.VIEW_STAFF,
        Capability.VIEW_UNIT_DOSSIERS,
        Capability.VIEW_RECEIVED_DOSSIERS,
        Capability.VIEW_ASSIGNED_DOSSIERS,
        Capability.VIEW_REPORTS,
    }
)
