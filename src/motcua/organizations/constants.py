from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CITY = "city", _("Thành phố")
    CITY_COMMITTEE = "city_committee", _("UBND / Chủ tịch UBND thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    CENTRAL_AGENCY = "central_agency", _("Cơ quan ngành dọc trung ương")
    SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
    SERVICE_CENTER_BRANCH = "service_center_branch", _("Chi nhánh Trung tâm PVHCC")
    WARD = "ward", _("Phường")
    COMMUNE = "commune", _("Xã")
    COMMUNE_POLICE = "commune_police", _("Công an cấp xã")
    FORMER_DISTRICT = "former_district", _("Quận, huyện, thị xã (trước 01/7/2025)")
    FORMER_COMMUNE = "former_commune", _("Phường, xã, thị trấn (trước 01/7/2025)")


# Kinds that may appear in the organisation data file; the rest are derived by the loader.
FILE_KINDS = frozenset(
    {
        UnitKind.CITY_COMMITTEE,
        UnitKind.DEPARTMENT,
        UnitKind.CENTRAL_AGENCY,
        UnitKind.SERVICE_CENTER,
        UnitKind.SERVICE_CENTER_BRANCH,
        UnitKind.WARD,
        UnitKind.COMMUNE,
    }
)
COMMUNE_LEVEL_KINDS = frozenset({UnitKind.WARD, UnitKind.COMMUNE})


class UnitOrigin(models.TextChoices):
    DATA_FILE = "data_file", _("Tệp dữ liệu tổ chức")
    DERIVED = "derived", _("Suy ra khi nạp dữ liệu")
    MANUAL = "manual", _("Nhập tay")


class MergeKind(models.TextChoices):
    WHOLE = "whole", _("Nhập toàn bộ")
    PART = "part", _("Nhập một phần")
    PART_AREA = "part_area", _("Nhập một phần diện tích")
    PART_AREA_ALL_POPULATION = "part_area_all", _("Nhập một phần diện tích, toàn bộ dân số")


MERGE_WORDING = {
    "Nhập toàn bộ": MergeKind.WHOLE,
    "Nhập một phần": MergeKind.PART,
    "Nhập một phần diện tích": MergeKind.PART_AREA,
    "Nhập một phần diện tích, toàn bộ dân số": MergeKind.PART_AREA_ALL_POPULATION,
}
