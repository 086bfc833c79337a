from __future__ import annotations

from motcua.common.text import unaccent


def test_sms_text_drops_marks_but_keeps_case() -> None:
    assert (
        unaccent("Đã tiếp nhận hồ sơ ĐĂNG KÝ thường trú") == "Da tiep nhan ho so DANG KY thuong tru"
    )
    assert unaccent("Hoà, Hòa, Nguyễn Thị Ánh") == "Hoa, Hoa, Nguyen Thi Anh"
