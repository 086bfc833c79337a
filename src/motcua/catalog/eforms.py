"""E-forms (tờ khai điện tử) as JSON Schema (draft 2020-12), Vietnamese labels first.

Key procedures have hand-written forms following their legal declaration forms; every other
procedure gets a generic form derived from its requirements: who applies, which case, what is
asked. The citizen portal renders these schemas and validates answers with them.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
ID_NUMBER = {"type": "string", "pattern": "^[0-9]{12}$", "title": "Số định danh cá nhân"}
PHONE = {"type": "string", "pattern": "^0[0-9]{9}$", "title": "Số điện thoại"}
DATE = {"type": "string", "format": "date"}


def text(title: str, max_length: int = 255, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "maxLength": max_length, **extra}


def person(title: str, *, with_birth: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "ho_ten": text("Họ, chữ đệm và tên", 150),
        "so_dinh_danh": ID_NUMBER,
    }
    if with_birth:
        properties["ngay_sinh"] = {**DATE, "title": "Ngày, tháng, năm sinh"}
    return {
        "type": "object",
        "title": title,
        "properties": properties,
        "required": ["ho_ten", "so_dinh_danh"],
    }


def applicant() -> dict[str, Any]:
    # Date of birth and sex are optional: a VNeID-verified citizen finds them filled in from the
    # population registry (``portal.population``), with the name and the permanent address.
    block = person("Người yêu cầu")
    block["properties"].update(
        {
            "gioi_tinh": SEX,
            "so_dien_thoai": PHONE,
            "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
            "noi_cu_tru": text("Nơi cư trú"),
        }
    )
    return block


def form(code: str, title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "$id": f"urn:motcua:eform:{code}",
        "title": title,
        "type": "object",
        "properties": {"nguoi_yeu_cau": applicant(), **properties},
        "required": ["nguoi_yeu_cau", *required],
        "additionalProperties": False,
    }


SEX = {"type": "string", "title": "Giới tính", "enum": ["Nam", "Nữ"]}

HAND_WRITTEN: dict[str, dict[str, Any]] = {
    "1.001193": form(
        "1.001193",
        "Tờ khai đăng ký khai sinh",
        {
            "tre": {
                "type": "object",
                "title": "Người được khai sinh",
                "properties": {
                    "ho_ten": text("Họ, chữ đệm và tên", 150),
                    "gioi_tinh": SEX,
                    "ngay_sinh": {**DATE, "title": "Ngày, tháng, năm sinh"},
                    "noi_sinh": text("Nơi sinh"),
                    "dan_toc": text("Dân tộc", 50, default="Kinh"),
                    "quoc_tich": text("Quốc tịch", 50, default="Việt Nam"),
                },
                "required": ["ho_ten", "gioi_tinh", "ngay_sinh", "noi_sinh"],
            },
            "me": person("Mẹ"),
            "cha": person("Cha"),
            "quan_he_voi_tre": text("Quan hệ với người được khai sinh", 50),
            # Ticked, they lead into the linked bundle (motcua.portal.bundle_drafts): never a promise
            # that a lone birth dossier does not keep. Unticked by default: a lone dossier
            # stays the citizen's own choice.
            "dang_ky_thuong_tru": {
                "type": "boolean",
                "title": "Đăng ký thường trú cho trẻ (nộp liên thông)",
                "default": False,
            },
            "cap_the_bhyt": {
                "type": "boolean",
                "title": "Cấp thẻ BHYT cho trẻ dưới 6 tuổi (nộp liên thông)",
                "default": False,
            },
        },
        ["tre", "me", "quan_he_voi_tre"],
    ),
    "1.000656": form(
        "1.000656",
        "Tờ khai đăng ký khai tử",
        {
            "nguoi_chet": {
                "type": "object",
                "title": "Người đã chết",
                "properties": {
                    "ho_ten": text("Họ, chữ đệm và tên", 150),
                    "so_dinh_danh": ID_NUMBER,
                    "ngay_chet": {**DATE, "title": "Ngày chết"},
                    "noi_chet": text("Nơi chết"),
                    "nguyen_nhan": text("Nguyên nhân chết"),
                },
                "required": ["ho_ten", "ngay_chet", "noi_chet"],
            },
            "quan_he_voi_nguoi_chet": text("Quan hệ với người đã chết", 50),
            "xoa_dang_ky_thuong_tru": {
                "type": "boolean",
                "title": "Xóa đăng ký thường trú (nộp liên thông)",
                "default": False,
            },
            "tro_cap_mai_tang": {
                "type": "boolean",
                "title": "Đề nghị trợ cấp mai táng (nộp liên thông)",
                "default": False,
            },
        },
        ["nguoi_chet", "quan_he_voi_nguoi_chet"],
    ),
    "1.000894": form(
        "1.000894",
        "Tờ khai đăng ký kết hôn",
        {
            "ben_nam": {
                **person("Bên nam"),
                "properties": {**person("")["properties"], "noi_cu_tru": text("Nơi cư trú")},
            },
            "ben_nu": {
                **person("Bên nữ"),
                "properties": {**person("")["properties"], "noi_cu_tru": text("Nơi cư trú")},
            },
            "lan_ket_hon": {
                "type": "integer",
                "title": "Kết hôn lần thứ",
                "minimum": 1,
                "default": 1,
            },
        },
        ["ben_nam", "ben_nu"],
    ),
    "1.004222": form(
        "1.004222",
        "Tờ khai thay đổi thông tin cư trú (CT01) — đăng ký thường trú",
        {
            "dia_chi_dang_ky": text("Địa chỉ đăng ký thường trú"),
            "chu_ho": person("Chủ hộ", with_birth=False),
            "quan_he_voi_chu_ho": text("Quan hệ với chủ hộ", 50),
            "thanh_vien_cung_dang_ky": {
                "type": "array",
                "title": "Những người cùng thay đổi",
                "items": person("Thành viên"),
                "maxItems": 20,
            },
        },
        ["dia_chi_dang_ky", "quan_he_voi_chu_ho"],
    ),
    "1.004194": form(
        "1.004194",
        "Tờ khai thay đổi thông tin cư trú (CT01) — đăng ký tạm trú",
        {
            "dia_chi_tam_tru": text("Địa chỉ tạm trú"),
            "thoi_han_thang": {
                "type": "integer",
                "title": "Thời hạn tạm trú (tháng)",
                "minimum": 1,
                "maximum": 24,
            },
            "chu_ho": person("Chủ hộ / người cho ở nhờ", with_birth=False),
        },
        ["dia_chi_tam_tru", "thoi_han_thang"],
    ),
    "1.001612": form(
        "1.001612",
        "Giấy đề nghị đăng ký hộ kinh doanh",
        {
            "ten_ho_kinh_doanh": text("Tên hộ kinh doanh", 200),
            "dia_diem_kinh_doanh": text("Địa chỉ trụ sở hộ kinh doanh"),
            "nganh_nghe": {
                "type": "array",
                "title": "Ngành, nghề kinh doanh",
                "items": text("Ngành, nghề"),
                "minItems": 1,
            },
            "von_kinh_doanh": {"type": "integer", "title": "Vốn kinh doanh (đồng)", "minimum": 0},
            "so_lao_dong": {"type": "integer", "title": "Số lượng lao động", "minimum": 0},
        },
        ["ten_ho_kinh_doanh", "dia_diem_kinh_doanh", "nganh_nghe", "von_kinh_doanh"],
    ),
    "1.013225": form(
        "1.013225",
        "Đơn đề nghị cấp giấy phép xây dựng",
        {
            "dia_diem_xay_dung": text("Địa điểm xây dựng"),
            "so_to_ban_do": text("Tờ bản đồ số", 20),
            "so_thua": text("Thửa đất số", 20),
            "loai_cong_trinh": {
                "type": "string",
                "title": "Loại công trình",
                "enum": ["Nhà ở riêng lẻ", "Công trình cấp III", "Công trình cấp IV"],
            },
            "dien_tich_xay_dung_m2": {
                "type": "number",
                "title": "Diện tích xây dựng (m²)",
                "exclusiveMinimum": 0,
            },
            "so_tang": {"type": "integer", "title": "Số tầng", "minimum": 1, "maximum": 100},
            "chieu_cao_m": {
                "type": "number",
                "title": "Chiều cao công trình (m)",
                "exclusiveMinimum": 0,
            },
        },
        ["dia_diem_xay_dung", "loai_cong_trinh", "dien_tich_xay_dung_m2", "so_tang"],
    ),
}


def generic_form(code: str, name: str, case_names: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "noi_dung_yeu_cau": text(
            "Nội dung đề nghị", 2000, description="Nêu rõ việc bạn đề nghị giải quyết."
        ),
    }
    required: list[str] = []
    named = [case for case in case_names if case]
    if len(named) > 1:
        properties["truong_hop"] = {"type": "string", "title": "Trường hợp của bạn", "enum": named}
        required.append("truong_hop")
    return form(code, f"Tờ khai: {name}", properties, required)


def eform_for(code: str, name: str, case_names: list[str]) -> dict[str, Any]:
    if code in HAND_WRITTEN:
        return HAND_WRITTEN[code]
    return generic_form(code, name, case_names)
