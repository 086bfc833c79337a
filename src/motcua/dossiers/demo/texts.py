"""Words for generated dossiers: names, reasons, missing documents (plain, common Vietnamese)."""

from __future__ import annotations

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Trịnh", "Mai", "Tạ", "Lương", "Chu", "Kiều",
)  # fmt: skip
MIDDLE = {
    False: ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Tiến", "Công", "Xuân", "Mạnh", "Gia"),
    True: ("Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Bích", "Khánh", "Diệu"),
}  # fmt: skip
GIVEN = {
    False: ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Nam",
            "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hoàng"),
    True: ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
           "Nga", "Ngân", "Nhung", "Phương", "Quỳnh", "Tâm", "Thảo", "Trang", "Vy", "Yến"),
}  # fmt: skip
REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị",
    "Thành phần hồ sơ chưa đúng, chưa đủ theo quy định",
    "Thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư",
    "Người nộp không xuất trình được giấy tờ tùy thân",
)
REJECTION_REASONS = (
    "Không đủ điều kiện theo quy định",
    "Kết quả xác minh không phù hợp với nội dung đề nghị",
    "Đối tượng không thuộc diện được giải quyết theo quy định",
)
APOLOGY_REASONS = (
    "Cần xác minh thêm thông tin với cơ quan có liên quan",
    "Cơ sở dữ liệu chuyên ngành gián đoạn, chưa khai thác được thông tin",
    "Cán bộ thụ lý nghỉ ốm đột xuất, bàn giao chậm",
)
SUPPLEMENT_ITEMS = [
    "Bản sao giấy khai sinh",
    "Giấy tờ chứng minh chỗ ở hợp pháp",
    "Tờ khai có chữ ký của người đề nghị",
    "Văn bản ủy quyền có chứng thực",
    "Ảnh chân dung cỡ 4x6",
    "Bản vẽ thiết kế có chữ ký của đơn vị tư vấn",
    "Giấy xác nhận của cơ quan, đơn vị công tác",
    "Văn bản đồng ý của chủ sở hữu chỗ ở",
]
